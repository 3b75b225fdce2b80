"""PyTorch.ipynb: committed clean, nbgrader metadata consistent with the hidden-test registry, every graded object
loaded from the student package, the written answers in place, and one fast-mode run with no errors and every
visible check passing (measured 15-26 s on the shared 2-core VM, depending on its load)."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

from notebook_checks import (assert_committed_clean, assert_graded_cells_passed, assert_metadata_matches_registry,
                             assert_notebook_loads, assert_written_answers, execute_fast, registered_hidden_tests)

REPO = Path(__file__).resolve().parent.parent
NOTEBOOK = REPO / "solutions" / "assignment2" / "PyTorch.ipynb"
ASSIGNMENT = "assignment2"

#: grade_id -> the notebook objects its hidden test takes (grading/hidden/assignment2/__init__.py)
USES = {
    "torch_flatten": ["flatten"],
    "torch_two_layer_fc": ["two_layer_fc"],
    "torch_three_layer_convnet": ["three_layer_convnet"],
    "torch_module_convnet": ["ThreeLayerConvNet"],
}
WRITTEN_ANSWERS = {"torch_inline_q1": 2, "torch_inline_q2": 2, "torch_inline_q3": 2, "torch_open_ended": 3}


@pytest.fixture(scope="module")
def nb():
    return nbformat.read(NOTEBOOK, as_version=4)


def test_notebook_is_committed_clean_with_python3_kernel(nb):
    assert_committed_clean(nb)


def test_nbgrader_metadata_and_hidden_cells_match_the_registry(nb):
    hidden = registered_hidden_tests("torch_", USES, assignment=ASSIGNMENT)
    assert_metadata_matches_registry(nb, "torch_", USES, hidden, assignment=ASSIGNMENT)


def test_inline_questions_and_the_open_ended_description_are_manually_graded_answers(nb):
    assert_written_answers(nb, WRITTEN_ANSWERS)


def test_the_notebook_loads_every_graded_object_from_the_student_package(nb):
    assert_notebook_loads(nb, "cs231n.torch_nets", "flatten", "two_layer_fc", "three_layer_convnet")
    assert_notebook_loads(nb, "cs231n.torch_nets", "ThreeLayerConvNet")


def test_every_stated_figure_is_measured(nb):
    """No placeholder for a figure is left in the markdown, and the checkpoint is read back with weights_only."""
    text = "\n".join(c.source for c in nb.cells)
    assert "not yet measured" not in text
    assert "tt.load_checkpoint(" in text and "tt.save_checkpoint(" in text


@pytest.mark.slow
def test_solution_notebook_runs_in_fast_mode():
    nb, errors, text = execute_fast(NOTEBOOK)
    assert errors == []
    for gid in USES:
        assert f"hidden test {gid}: passed" in text
    assert "training on cpu" in text or "training on cuda" in text
    assert "(weights_only=True): test accuracy" in text
    assert_graded_cells_passed(nb)
