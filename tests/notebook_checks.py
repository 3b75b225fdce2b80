"""Checks every solution notebook's tests share: committed clean, nbgrader metadata
consistent with the hidden-test registry, and a fast-mode run with no errors."""

from __future__ import annotations

import os
import re
from collections import Counter
from pathlib import Path

import nbformat

from grading.markers import BEGIN_HIDDEN_TESTS, BEGIN_SOLUTION, END_HIDDEN_TESTS, END_SOLUTION

REPO = Path(__file__).resolve().parent.parent
ASSIGNMENT = "assignment1"


def nbgrader(cell) -> dict:
    return cell.metadata.get("nbgrader", {})


def assert_committed_clean(nb) -> None:
    """Valid nbformat, python3 kernel, no outputs or execution counts."""
    nbformat.validate(nb)
    assert nb.metadata["kernelspec"]["name"] == "python3"
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, cell.source[:60]


def assert_metadata_matches_registry(nb, prefix: str, uses: dict, hidden: dict) -> None:
    """Unique ``prefix``-ed grade ids; every test cell locked, calling ``run_hidden("assignment1/<its id>")``
    (once, inside its hidden region), worth the registry's points in the source too (generation takes them
    from the registry: grading/tool/points.py), its hidden test loading ``uses[id]`` (object names) from the
    student package; solution and answer cells well formed."""
    ids = [nbgrader(c)["grade_id"] for c in nb.cells if nbgrader(c)]
    assert len(ids) == len(set(ids)), Counter(ids).most_common(3)
    assert all(gid.startswith(prefix) for gid in ids)
    graded_code = {}
    for cell in nb.cells:
        meta = nbgrader(cell)
        if not meta:
            continue
        assert meta["schema_version"] == 3 and meta["task"] is False
        if cell.cell_type == "code" and meta["grade"]:
            assert meta["locked"] is True and meta["solution"] is False
            gid = meta["grade_id"]
            calls = re.findall(r'run_hidden\(([^)]*)\)', cell.source)
            assert calls == [f'"{ASSIGNMENT}/{gid}"'], f"{gid}: calls run_hidden({', '.join(calls)})"
            visible, _, region = cell.source.partition(BEGIN_HIDDEN_TESTS)
            assert "run_hidden(" not in visible and region.strip().endswith(END_HIDDEN_TESTS), gid
            graded_code[gid] = meta["points"]
            names = [spec.split(":")[1] for spec in hidden[gid].uses]
            assert names == list(uses[gid]), f"{gid}: hidden test uses {hidden[gid].uses}"
        elif cell.cell_type == "code":
            assert meta["solution"] is True and meta["locked"] is False
            assert cell.source.count(BEGIN_SOLUTION) == cell.source.count(END_SOLUTION) >= 1
        elif meta["grade"]:  # manually graded answer
            assert meta["solution"] is True and meta["points"] > 0
            assert f"{meta['grade_id']}_prompt" in ids
    assert graded_code == {gid: hidden[gid].points for gid in uses}, "source points differ from grading/hidden"


SOLUTION_DIR = REPO / "solutions" / "assignment1"
RELEASE_DIR = REPO / "assignments" / "assignment1"


def solution_object(module: str, name: str):
    """``name`` from the instructor's student package (``solutions/assignment1/cs231n``), imported as ``cs231n``."""
    import importlib
    import sys

    if str(SOLUTION_DIR) not in sys.path:
        sys.path.insert(0, str(SOLUTION_DIR))
    mod = importlib.import_module(module)
    assert Path(mod.__file__).is_relative_to(SOLUTION_DIR), f"{module} was imported from {mod.__file__}"
    return getattr(mod, name)


def module_source(module: str, released: bool = False) -> str:
    return ((RELEASE_DIR if released else SOLUTION_DIR) / (module.replace(".", "/") + ".py")).read_text()


def released_object(module: str, name: str):
    """``name`` from the committed release's copy of ``module``, its package loaded as ``released_cs231n``
    (so the solution package stays ``cs231n`` and relative imports stay inside the release)."""
    import importlib
    import importlib.util
    import sys

    root = "released_cs231n"
    if root not in sys.modules:
        package = RELEASE_DIR / "cs231n"
        spec = importlib.util.spec_from_file_location(root, package / "__init__.py",
                                                      submodule_search_locations=[str(package)])
        sys.modules[root] = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(sys.modules[root])
    return getattr(importlib.import_module(module.replace("cs231n", root, 1)), name)


def assert_notebook_loads(nb, module: str, *names: str) -> None:
    """Some code cell of ``nb`` loads exactly ``names`` from the student package's ``module``."""
    wanted = ", ".join(f'"{n}"' for n in (module, *names))
    sources = [re.sub(r"\s+", " ", c.source) for c in nb.cells if c.cell_type == "code"]
    assert any(f"load({wanted})" in s.replace("( ", "(").replace(" )", ")") for s in sources), wanted


def execute_fast(path: Path):
    """Run notebook ``path`` top to bottom in fast mode (cwd = its folder, one BLAS thread, errors kept);
    returns ``(nb, errors, printed_text)``."""
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    env_before = dict(os.environ)
    os.environ["CS231N_FAST"] = "1"
    os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env_before.get("PYTHONPATH")]))
    os.environ["MPLBACKEND"] = "Agg"
    for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        # one BLAS thread: the tiny matrix products are many times slower with threads on a busy 2-core machine
        os.environ.setdefault(name, "1")
    try:
        client = NotebookClient(nb, timeout=120, kernel_name="python3", allow_errors=True,
                                resources={"metadata": {"path": str(Path(path).parent)}})
        client.execute()
    finally:
        os.environ.clear()
        os.environ.update(env_before)
    errors = [(i, out.ename, out.evalue) for i, cell in enumerate(nb.cells) if cell.cell_type == "code"
              for out in cell.outputs if out.output_type == "error"]
    text = "".join(out.get("text", "") for cell in nb.cells if cell.cell_type == "code" for out in cell.outputs)
    return nb, errors, text


def registered_hidden_tests(prefix: str, expected_ids) -> dict:
    """The assignment-1 hidden tests whose grade id starts with ``prefix``; they must be exactly ``expected_ids``."""
    from grading.hidden import load_assignment

    tests = {gid: t for gid, t in load_assignment("assignment1").items() if gid.startswith(prefix)}
    assert sorted(tests) == sorted(expected_ids)
    return tests
