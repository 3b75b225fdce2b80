"""ConvolutionalNetworks.ipynb: committed clean, nbgrader metadata consistent with the hidden-test registry, every graded
object loaded from the student package, and one fast-mode run with no errors and every visible check passing."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

from notebook_checks import (assert_committed_clean, assert_graded_cells_passed, assert_metadata_matches_registry,
                             assert_notebook_loads, assert_written_answers, execute_fast, registered_hidden_tests)

REPO = Path(__file__).resolve().parent.parent
NOTEBOOK = REPO / "solutions" / "assignment2" / "ConvolutionalNetworks.ipynb"
ASSIGNMENT = "assignment2"

#: grade_id -> the notebook objects its hidden test takes (grading/hidden/assignment2/__init__.py)
USES = {
    "conv_forward_naive": ["conv_forward_naive"],
    "conv_backward_naive": ["conv_forward_naive", "conv_backward_naive"],
    "conv_max_pool_forward": ["max_pool_forward_naive"],
    "conv_max_pool_backward": ["max_pool_forward_naive", "max_pool_backward_naive"],
    "conv_spatial_bn_forward": ["spatial_batchnorm_forward"],
    "conv_spatial_bn_backward": ["spatial_batchnorm_forward", "spatial_batchnorm_backward"],
    "conv_spatial_gn_forward": ["spatial_groupnorm_forward"],
    "conv_spatial_gn_backward": ["spatial_groupnorm_forward", "spatial_groupnorm_backward"],
    "conv_net_loss": ["ThreeLayerConvNet"],
    "conv_net_grads": ["ThreeLayerConvNet"],
}
INLINE_QUESTIONS = {"conv_inline_q1": 2, "conv_inline_q2": 2, "conv_inline_q3": 2}


@pytest.fixture(scope="module")
def nb():
    return nbformat.read(NOTEBOOK, as_version=4)


def test_notebook_is_committed_clean_with_python3_kernel(nb):
    assert_committed_clean(nb)


def test_nbgrader_metadata_and_hidden_cells_match_the_registry(nb):
    hidden = registered_hidden_tests("conv_", USES, assignment=ASSIGNMENT)
    assert_metadata_matches_registry(nb, "conv_", USES, hidden, assignment=ASSIGNMENT)


def test_inline_questions_are_manually_graded_answers_with_a_model_answer(nb):
    assert_written_answers(nb, INLINE_QUESTIONS)


def test_the_notebook_loads_every_graded_object_from_the_student_package(nb):
    assert_notebook_loads(nb, "cs231n.layers", "conv_forward_naive", "conv_backward_naive")
    assert_notebook_loads(nb, "cs231n.layers", "max_pool_forward_naive", "max_pool_backward_naive")
    assert_notebook_loads(nb, "cs231n.layers", "spatial_batchnorm_forward", "spatial_batchnorm_backward")
    assert_notebook_loads(nb, "cs231n.layers", "spatial_groupnorm_forward", "spatial_groupnorm_backward")
    assert_notebook_loads(nb, "cs231n.classifiers.cnn", "ThreeLayerConvNet")


@pytest.mark.slow
def test_solution_notebook_runs_in_fast_mode():
    nb, errors, text = execute_fast(NOTEBOOK)
    assert errors == []
    for gid in USES:
        assert f"hidden test {gid}: passed" in text
    assert_graded_cells_passed(nb)
