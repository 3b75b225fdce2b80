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
ASSIGNMENT = "assignment1"  # the default of every helper below; assignment 2's tests pass assignment="assignment2"


def nbgrader(cell) -> dict:
    return cell.metadata.get("nbgrader", {})


def assert_committed_clean(nb) -> None:
    """Valid nbformat, python3 kernel, no outputs or execution counts."""
    nbformat.validate(nb)
    assert nb.metadata["kernelspec"]["name"] == "python3"
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, cell.source[:60]


def assert_metadata_matches_registry(nb, prefix: str, uses: dict, hidden: dict, assignment: str = ASSIGNMENT) -> None:
    """Unique ``prefix``-ed grade ids; every test cell locked, calling ``run_hidden("<assignment>/<its id>")``
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
            assert calls == [f'"{assignment}/{gid}"'], f"{gid}: calls run_hidden({', '.join(calls)})"
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

#: The name each assignment's ``cs231n`` package is imported under in test processes.  Every assignment has a
#: package called ``cs231n``, and pytest-xdist runs several test files in one process, so only assignment 1's
#: solution keeps the real name; the others (and every release) get an alias.  The packages import their own
#: modules relatively (``from ..layers import ...``), so an alias changes nothing inside them.
_ALIASES = {("solutions", "assignment1"): "cs231n"}


def _package_root(kind: str, assignment: str) -> str:
    return _ALIASES.get((kind, assignment), f"{'released' if kind == 'assignments' else 'solution'}_{assignment}_cs231n")


def _import_package(kind: str, assignment: str, module: str):
    """``module`` (``cs231n.x.y``) of ``<kind>/<assignment>/cs231n``, imported under its alias."""
    import importlib
    import importlib.util
    import sys

    folder = REPO / kind / assignment
    root = _package_root(kind, assignment)
    if root == "cs231n":
        if str(folder) not in sys.path:
            sys.path.insert(0, str(folder))
    elif root not in sys.modules:
        package = folder / "cs231n"
        spec = importlib.util.spec_from_file_location(root, package / "__init__.py",
                                                      submodule_search_locations=[str(package)])
        sys.modules[root] = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(sys.modules[root])
    mod = importlib.import_module(module.replace("cs231n", root, 1))
    assert Path(mod.__file__).is_relative_to(folder), f"{module} was imported from {mod.__file__}"
    return mod


def solution_object(module: str, name: str, assignment: str = ASSIGNMENT):
    """``name`` from the instructor's student package (``solutions/<assignment>/cs231n``); assignment 1's is
    imported as ``cs231n``, the others under an alias (``solution_<assignment>_cs231n``)."""
    return getattr(_import_package("solutions", assignment, module), name)


def module_source(module: str, released: bool = False, assignment: str = ASSIGNMENT) -> str:
    folder = REPO / ("assignments" if released else "solutions") / assignment
    return (folder / (module.replace(".", "/") + ".py")).read_text()


def released_object(module: str, name: str, assignment: str = ASSIGNMENT):
    """``name`` from the committed release's copy of ``module``, its package loaded under an alias
    (``released_<assignment>_cs231n``), so the solution package keeps its name and relative imports
    stay inside the release."""
    return getattr(_import_package("assignments", assignment, module), name)


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


def assert_written_answers(nb, points: dict) -> None:
    """The manually graded answers of ``nb`` are exactly ``points`` (grade id -> points, in notebook order),
    each holding a model answer, not a placeholder."""
    answers = {nbgrader(c)["grade_id"]: nbgrader(c)["points"] for c in nb.cells
               if c.cell_type == "markdown" and nbgrader(c).get("grade")}
    assert list(answers.items()) == list(points.items())
    for cell in nb.cells:
        if nbgrader(cell).get("grade_id") in points:
            assert len(cell.source) > 300, cell.source[:80]


def assert_graded_cells_passed(nb) -> None:
    """Every graded code cell of an executed ``nb`` printed its visible checks, each one OK (the measured error
    beside its threshold), and its hidden test passed in the kernel."""
    for cell in nb.cells:
        if cell.cell_type != "code" or not nbgrader(cell).get("grade"):
            continue
        gid = nbgrader(cell)["grade_id"]
        printed = "".join(out.get("text", "") for out in cell.outputs if out.output_type == "stream")
        checks = [line for line in printed.splitlines() if "threshold" in line or line.endswith("  OK")]
        assert checks and all(line.endswith("  OK") for line in checks), (gid, printed[-500:])
        assert re.search(r"\(threshold [^)]+\)  OK", printed), f"{gid}: no OK line in\n{printed}"
        assert "FAILED" not in printed, gid
        assert f"hidden test {gid}: passed" in printed, gid


def registered_hidden_tests(prefix: str, expected_ids, assignment: str = ASSIGNMENT) -> dict:
    """The hidden tests of ``assignment`` whose grade id starts with ``prefix``; they must be exactly ``expected_ids``."""
    from grading.hidden import load_assignment

    tests = {gid: t for gid, t in load_assignment(assignment).items() if gid.startswith(prefix)}
    assert sorted(tests) == sorted(expected_ids)
    return tests
