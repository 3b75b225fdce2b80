"""Checks every solution notebook's tests share: committed clean, nbgrader metadata
consistent with the hidden-test registry, and a fast-mode run with no errors."""

from __future__ import annotations

import os
import re
from collections import Counter
from pathlib import Path

import nbformat

REPO = Path(__file__).resolve().parent.parent


def nbgrader(cell) -> dict:
    return cell.metadata.get("nbgrader", {})


def assert_committed_clean(nb) -> None:
    """Valid nbformat, python3 kernel, no outputs or execution counts."""
    nbformat.validate(nb)
    assert nb.metadata["kernelspec"]["name"] == "python3"
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, cell.source[:60]


def assert_metadata_matches_registry(nb, prefix: str, hidden_args: dict, hidden: dict) -> None:
    """Unique ``prefix``-ed grade ids; every test cell locked, calling ``run_hidden(<its id>, <hidden_args[id]>)``
    inside its hidden region, worth the registry's points; solution and answer cells well formed."""
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
            calls = re.findall(r'run_hidden\("([^"]+)", ([\w, ]+)\)', cell.source)
            assert calls == [(gid, hidden_args[gid])], f"{gid}: hidden part calls {calls}"
            assert cell.source.split("### BEGIN HIDDEN TESTS")[1].strip().endswith("### END HIDDEN TESTS")
            graded_code[gid] = meta["points"]
        elif cell.cell_type == "code":
            assert meta["solution"] is True and meta["locked"] is False
            assert cell.source.count("### BEGIN SOLUTION") == cell.source.count("### END SOLUTION") >= 1
        elif meta["grade"]:  # manually graded answer
            assert meta["solution"] is True and meta["points"] > 0
            assert f"{meta['grade_id']}_prompt" in ids
    assert graded_code == {gid: hidden[gid].points for gid in hidden_args}


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
