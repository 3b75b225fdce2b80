"""nbgrader's Validate (the CLI, as the Validate button runs it) tells the truth: "Success" on a
correct student's notebooks, and on the untouched release every implementation test fails with
a readable reason."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from grading.tool import samples

pytestmark = pytest.mark.slow
REPO = Path(__file__).resolve().parent.parent
NOTEBOOKS = [("assignment1", nb) for nb in ("knn", "svm", "softmax")] + [
    ("assignment2", nb) for nb in ("FullyConnectedNets", "BatchNormalization", "Dropout", "ConvolutionalNetworks",
                                   "PyTorch")]


@pytest.fixture(scope="module")
def students(tmp_path_factory):
    """``{(assignment, "correct"): folder, (assignment, "release"): folder}``: the release with every solution
    filled in, and as handed out."""
    folders = {}
    for assignment in sorted({a for a, _ in NOTEBOOKS}):
        out = tmp_path_factory.mktemp(f"validate_{assignment}")
        who = [samples.Student(id="correct", base="solution"), samples.Student(id="release", base="release")]
        samples.build(assignment, who, REPO / "solutions", REPO / "assignments", out)
        folders.update({(assignment, s.id): out / s.id / assignment for s in who})
    return folders


def _validate(folder: Path, notebook: str) -> str:
    """What ``nbgrader validate`` prints for ``notebook`` in a student's folder (no course configuration)."""
    nbgrader = Path(sys.executable).parent / "nbgrader"
    proc = subprocess.run([str(nbgrader), "validate", f"{notebook}.ipynb"], cwd=folder, capture_output=True,
                          text=True, timeout=900)
    return proc.stdout + proc.stderr


def _graded_cells(assignment: str, notebook: str) -> tuple[int, int]:
    """(auto-graded test cells, written answers) of the released ``notebook``."""
    nb = nbformat.read(REPO / "assignments" / assignment / f"{notebook}.ipynb", as_version=4)
    meta = [c.metadata.get("nbgrader", {}) for c in nb.cells]
    tests = sum(1 for c, m in zip(nb.cells, meta) if c.cell_type == "code" and m.get("grade"))
    answers = sum(1 for c, m in zip(nb.cells, meta) if c.cell_type == "markdown" and m.get("grade") and m.get("solution"))
    return tests, answers


@pytest.mark.parametrize("assignment,notebook", NOTEBOOKS)
def test_a_correct_notebook_validates(students, assignment, notebook):
    out = _validate(students[assignment, "correct"], notebook)
    assert "Success! Your notebook passes all the tests." in out, out[-3000:]
    assert "VALIDATION FAILED" not in out


@pytest.mark.parametrize("assignment,notebook", NOTEBOOKS)
def test_the_release_fails_every_implementation_test_with_a_readable_reason(students, assignment, notebook):
    out = _validate(students[assignment, "release"], notebook)
    tests, answers = _graded_cells(assignment, notebook)
    failed = re.search(r"VALIDATION FAILED ON (\d+) CELL\(S\)", out)
    # every test cell, and every written answer still reading YOUR ANSWER HERE
    assert failed and int(failed.group(1)) == tests + answers, out[-3000:]
    assert out.count("YOUR ANSWER HERE") == answers
    # nbgrader's summary cuts long lines: each failure's reason is the stub's "<function> is not written yet ..."
    reasons = re.findall(r"^ +(\w+Error): (.+)$", out, flags=re.M)
    assert len(reasons) == tests, reasons
    assert all(ename == "NotImplementedError" and re.match(r"[\w.]+ is not writ", text) for ename, text in reasons), reasons
