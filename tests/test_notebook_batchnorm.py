"""BatchNormalization.ipynb: committed clean, nbgrader metadata consistent with the hidden-test registry, every graded
object loaded from the student package, and one fast-mode run with no errors and every visible check passing."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

from notebook_checks import (assert_committed_clean, assert_graded_cells_passed, assert_metadata_matches_registry,
                             assert_notebook_loads, assert_written_answers, execute_fast, registered_hidden_tests)

REPO = Path(__file__).resolve().parent.parent
NOTEBOOK = REPO / "solutions" / "assignment2" / "BatchNormalization.ipynb"
ASSIGNMENT = "assignment2"

#: grade_id -> the notebook objects its hidden test takes (grading/hidden/assignment2/__init__.py)
USES = {
    "bn_forward_train": ["batchnorm_forward"],
    "bn_forward_test": ["batchnorm_forward"],
    "bn_backward": ["batchnorm_forward", "batchnorm_backward"],
    "bn_backward_alt": ["batchnorm_forward", "batchnorm_backward_alt"],
    "bn_layernorm_forward": ["layernorm_forward"],
    "bn_layernorm_backward": ["layernorm_forward", "layernorm_backward"],
    "bn_fc_net": ["FullyConnectedNet"],
}
INLINE_QUESTIONS = {"bn_inline_q1": 2, "bn_inline_q2": 2, "bn_inline_q3": 2}


@pytest.fixture(scope="module")
def nb():
    return nbformat.read(NOTEBOOK, as_version=4)


def test_notebook_is_committed_clean_with_python3_kernel(nb):
    assert_committed_clean(nb)


def test_nbgrader_metadata_and_hidden_cells_match_the_registry(nb):
    hidden = registered_hidden_tests("bn_", USES, assignment=ASSIGNMENT)
    assert_metadata_matches_registry(nb, "bn_", USES, hidden, assignment=ASSIGNMENT)


def test_inline_questions_are_manually_graded_answers_with_a_model_answer(nb):
    assert_written_answers(nb, INLINE_QUESTIONS)


def test_the_notebook_loads_every_graded_object_from_the_student_package(nb):
    assert_notebook_loads(nb, "cs231n.layers", "batchnorm_forward", "batchnorm_backward", "batchnorm_backward_alt",
                          "layernorm_forward", "layernorm_backward")
    assert_notebook_loads(nb, "cs231n.classifiers.fc_net", "FullyConnectedNet")


def test_the_last_cell_is_the_weight_init_explorer(nb):
    last = [c for c in nb.cells if c.cell_type == "code"][-1]
    assert "from cs231n_lib.widgets import weight_init_demo" in last.source and "weight_init_demo()" in last.source


@pytest.mark.slow
def test_solution_notebook_runs_in_fast_mode():
    nb, errors, text = execute_fast(NOTEBOOK)
    assert errors == []
    for gid in USES:
        assert f"hidden test {gid}: passed" in text
    assert_graded_cells_passed(nb)
