"""FullyConnectedNets.ipynb: committed clean, its nbgrader metadata consistent with the hidden-test registry, it
loads every graded object from the student package, and one fast-mode run has no errors, prints every visible
check's OK line and overfits the 50 examples.  (The hidden tests themselves are tested with the package.)"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

from notebook_checks import (assert_committed_clean, assert_graded_cells_passed, assert_metadata_matches_registry,
                             assert_notebook_loads, assert_written_answers, execute_fast, nbgrader,
                             registered_hidden_tests)

REPO = Path(__file__).resolve().parent.parent
NOTEBOOK = REPO / "solutions" / "assignment2" / "FullyConnectedNets.ipynb"
ASSIGNMENT = "assignment2"

#: grade_id -> the objects its hidden test loads (grading/hidden/assignment2/__init__.py)
USES = {
    "fc_affine_forward": ["affine_forward"],
    "fc_affine_backward": ["affine_backward"],
    "fc_relu_forward": ["relu_forward"],
    "fc_relu_backward": ["relu_backward"],
    "fc_affine_relu": ["affine_relu_forward", "affine_relu_backward"],
    "fc_svm_loss": ["svm_loss"],
    "fc_softmax_loss": ["softmax_loss"],
    "fc_net_init": ["FullyConnectedNet"],
    "fc_net_loss": ["FullyConnectedNet"],
    "fc_net_grads": ["FullyConnectedNet"],
    "fc_sgd_momentum": ["sgd_momentum"],
    "fc_rmsprop": ["rmsprop"],
    "fc_adam": ["adam"],
}

#: module of the student package -> the names the notebook loads from it, in the order of its load(...) call
LOADS = {
    "cs231n.layers": ["affine_forward", "affine_backward", "relu_forward", "relu_backward", "svm_loss", "softmax_loss"],
    "cs231n.layer_utils": ["affine_relu_forward", "affine_relu_backward"],
    "cs231n.classifiers.fc_net": ["FullyConnectedNet"],
    "cs231n.optim": ["sgd_momentum", "rmsprop", "adam"],
}


def _read():
    return nbformat.read(NOTEBOOK, as_version=4)


def test_notebook_is_committed_clean_with_python3_kernel():
    assert_committed_clean(_read())


def test_nbgrader_metadata_and_hidden_cells_match_the_registry():
    hidden = registered_hidden_tests("fc_", USES, assignment=ASSIGNMENT)
    nb = _read()
    assert_metadata_matches_registry(nb, "fc_", USES, hidden, assignment=ASSIGNMENT)
    test_ids = [nbgrader(c)["grade_id"] for c in nb.cells if c.cell_type == "code" and nbgrader(c).get("grade")]
    assert test_ids == list(USES)  # in teaching order
    assert_written_answers(nb, {"fc_inline_q1": 2, "fc_inline_q2": 2})


def test_the_notebook_loads_from_the_student_package_and_names_the_demos():
    nb = _read()
    for module, names in LOADS.items():
        assert_notebook_loads(nb, module, *names)
    sources = "\n".join(c.source for c in nb.cells)
    assert "computational_graph_demo()" in sources and "optimizer_demo()" in sources
    assert "@@" not in sources  # no unfilled figure left in the text


@pytest.fixture(scope="module")
def fast_run():
    return execute_fast(NOTEBOOK)


def _printed(cell) -> str:
    return "".join(out.get("text", "") for out in cell.outputs if out.output_type == "stream")


@pytest.mark.slow
def test_fast_mode_runs_without_errors_and_every_visible_check_passes(fast_run):
    nb, errors, text = fast_run
    assert errors == []
    assert_graded_cells_passed(nb)


@pytest.mark.slow
def test_fast_mode_overfits_the_50_examples(fast_run):
    nb, _, _ = fast_run
    cells = {nbgrader(c).get("grade_id"): c for c in nb.cells if c.cell_type == "code"}
    for gid in ("fc_overfit_3layer", "fc_overfit_5layer"):
        accuracy = re.findall(r"final training accuracy ([0-9.]+)", _printed(cells[gid]))
        assert accuracy == ["1.0"], f"{gid}: {accuracy}"
