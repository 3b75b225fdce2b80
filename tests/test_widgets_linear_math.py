"""cs231n_lib.widgets.linear_math: the four losses by hand, autograd gradients
against numerical differences, and invariants (hypothesis)."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from cs231n_lib.gradient_check import eval_numerical_gradient, rel_error
from cs231n_lib.widgets import linear_math as lm

KINDS = list(lm.LOSSES)
SVMS = ["svm_ww", "svm_ova", "svm_structured"]


def _loss(S, y, kind):
    return lm.per_point_loss(np.array(S, dtype=float), np.array(y), kind).numpy()


# ----- hand computations on tiny inputs ---------------------------------------------------------
def test_losses_by_hand_one_point_with_violations():
    S, y = [[1.0, 2.0, 0.5]], [0]
    # WW: max(0, 2 - 1 + 1) + max(0, 0.5 - 1 + 1) = 2 + 0.5
    assert _loss(S, y, "svm_ww")[0] == pytest.approx(2.5)
    # structured: max(0, max(2, 0.5) - 1 + 1) = 2
    assert _loss(S, y, "svm_structured")[0] == pytest.approx(2.0)
    # one-vs-all: max(0, 1 - 1) + max(0, 1 + 2) + max(0, 1 + 0.5) = 0 + 3 + 1.5
    assert _loss(S, y, "svm_ova")[0] == pytest.approx(4.5)
    # softmax: -log(e^1 / (e^1 + e^2 + e^0.5))
    want = -math.log(math.exp(1) / (math.exp(1) + math.exp(2) + math.exp(0.5)))
    assert _loss(S, y, "softmax")[0] == pytest.approx(want)


def test_losses_by_hand_margins_satisfied():
    S, y = [[-2.0, 0.0, 5.0]], [2]
    assert _loss(S, y, "svm_ww")[0] == 0.0
    assert _loss(S, y, "svm_structured")[0] == 0.0
    # one-vs-all: max(0, 1 - 5) + max(0, 1 - 2) + max(0, 1 + 0) = 1 (class 1 scores 0, not <= -1)
    assert _loss(S, y, "svm_ova")[0] == pytest.approx(1.0)
    want = -math.log(math.exp(5) / (math.exp(-2) + math.exp(0) + math.exp(5)))
    assert _loss(S, y, "softmax")[0] == pytest.approx(want)


def test_stanford_starting_point_by_hand():
    # point 0 = (0.5, 0.4), class 0; scores 1.3, -0.1, 0.6 -> WW loss 0 + 0.3
    r = lm.objective(lm.STANFORD_W, lm.STANFORD_B, lm.STANFORD_X, lm.STANFORD_Y, "svm_ww", reg=0.1)
    np.testing.assert_allclose(r["scores"][0], [1.3, -0.1, 0.6])
    assert r["per_point"][0] == pytest.approx(0.3)
    # L2: 0.1 * (1 + 4 + 4 + 16 + 9 + 1) = 3.5
    assert r["reg_loss"] == pytest.approx(3.5)
    assert r["loss"] == pytest.approx(r["data_loss"] + 3.5)
    assert r["data_loss"] == pytest.approx(r["per_point"].mean())


def test_errors_name_the_problem():
    with pytest.raises(ValueError, match="unknown loss"):
        lm.per_point_loss(np.zeros((1, 3)), [0], "hinge")
    with pytest.raises(ValueError, match=r"labels in \[0, 3\)"):
        lm.per_point_loss(np.zeros((1, 3)), [3], "svm_ww")
    with pytest.raises(ValueError, match="W \\(C, D\\)"):
        lm.scores(np.zeros((3, 2)), np.zeros(2), np.zeros((4, 2)))
    with pytest.raises(ValueError, match="reg"):
        lm.objective(lm.STANFORD_W, lm.STANFORD_B, lm.STANFORD_X, lm.STANFORD_Y, "softmax", reg=-1)


# ----- gradients: autograd vs centred differences -----------------------------------------------
@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_gradients_match_numerical(kind, seed):
    rng = np.random.default_rng(seed)
    X, y = rng.uniform(-1, 1, (7, 2)), rng.integers(0, 3, 7)
    W, b = rng.standard_normal((3, 2)), rng.standard_normal(3)
    reg = 0.3
    r = lm.objective(W, b, X, y, kind, reg)
    num_dW = eval_numerical_gradient(lambda W_: lm.objective(W_, b, X, y, kind, reg)["loss"], W, verbose=False)
    num_db = eval_numerical_gradient(lambda b_: lm.objective(W, b_, X, y, kind, reg)["loss"], b, verbose=False)
    assert rel_error(r["dW"], num_dW) < 1e-7
    assert rel_error(r["db"], num_db) < 1e-7


def test_gradient_of_satisfied_svm_is_only_regularization():
    W, b = np.array([[4.0, 0.0], [-4.0, 0.0], [0.0, 4.0]]), np.array([0.0, 0.0, -2.0])
    X, y = np.array([[0.9, -0.5], [-0.9, -0.5], [0.0, 0.9]]), np.array([0, 1, 2])
    r = lm.objective(W, b, X, y, "svm_ww", reg=0.25)
    assert r["data_loss"] == 0.0
    np.testing.assert_allclose(r["dW"], 2 * 0.25 * W)
    np.testing.assert_allclose(r["db"], 0.0)


# ----- invariants --------------------------------------------------------------------------------
score_rows = arrays(np.float64, st.tuples(st.integers(1, 6), st.just(3)),
                    elements=st.floats(-20, 20, allow_nan=False))


@given(score_rows, st.data())
def test_losses_are_nonnegative(S, data):
    y = np.array(data.draw(st.lists(st.integers(0, 2), min_size=len(S), max_size=len(S))))
    for kind in KINDS:
        assert np.all(_loss(S, y, kind) >= -1e-12)


@given(score_rows, st.data(), st.floats(0.01, 5))
def test_svm_zero_when_margins_satisfied(S, data, extra):
    y = np.array(data.draw(st.lists(st.integers(0, 2), min_size=len(S), max_size=len(S))))
    S = S.copy()
    rows = np.arange(len(S))
    S[rows, y] = -np.inf
    S[rows, y] = S.max(axis=1) + 1.0 + extra  # correct class ahead by more than the margin
    assert np.all(_loss(S, y, "svm_ww") == 0)
    assert np.all(_loss(S, y, "svm_structured") == 0)
    # one-vs-all needs s_y >= 1 and every other score <= -1
    S_ova = np.full_like(S, -1.0 - extra)
    S_ova[rows, y] = 1.0 + extra
    assert np.all(_loss(S_ova, y, "svm_ova") == 0)


@given(score_rows)
def test_softmax_probabilities_sum_to_one(S):
    # exp(-L(s, c)) is the softmax probability of class c, so it sums to 1 over c
    probs = np.stack([np.exp(-_loss(S, np.full(len(S), c), "softmax")) for c in range(3)], axis=1)
    np.testing.assert_allclose(probs.sum(axis=1), 1.0, rtol=1e-9)


@given(score_rows, st.floats(-50, 50))
def test_shift_invariance_except_one_vs_all(S, shift):
    y = np.zeros(len(S), dtype=int)
    for kind in ["svm_ww", "svm_structured", "softmax"]:
        np.testing.assert_allclose(_loss(S + shift, y, kind), _loss(S, y, kind), atol=1e-9)


@given(score_rows)
def test_structured_between_ww_bounds(S):
    y = np.ones(len(S), dtype=int)
    ww, st_ = _loss(S, y, "svm_ww"), _loss(S, y, "svm_structured")
    assert np.all(st_ <= ww + 1e-12) and np.all(ww <= 2 * st_ + 1e-12)  # C - 1 = 2 wrong classes


@settings(deadline=None)
@given(arrays(np.float64, (3, 2), elements=st.floats(-5, 5)), st.floats(0, 3), st.sampled_from(KINDS))
def test_l2_term(W, reg, kind):
    with_reg = lm.objective(W, lm.STANFORD_B, lm.STANFORD_X, lm.STANFORD_Y, kind, reg)
    without = lm.objective(W, lm.STANFORD_B, lm.STANFORD_X, lm.STANFORD_Y, kind, 0.0)
    assert with_reg["reg_loss"] == pytest.approx(reg * np.sum(W * W))
    assert with_reg["loss"] == pytest.approx(without["loss"] + reg * np.sum(W * W))
    np.testing.assert_allclose(with_reg["dW"] - without["dW"], 2 * reg * W, atol=1e-12)


@pytest.mark.parametrize("kind", KINDS)
def test_small_steps_decrease_the_loss(kind):
    W, b = lm.STANFORD_W.copy(), lm.STANFORD_B.copy()
    losses = []
    for _ in range(30):
        r = lm.objective(W, b, lm.STANFORD_X, lm.STANFORD_Y, kind, 0.1)
        losses.append(r["loss"])
        W, b = lm.sgd_step(W, b, r["dW"], r["db"], 0.05)
    assert np.all(np.diff(losses) < 0)  # every step goes downhill on this data
    assert losses[-1] < 0.7 * losses[0]


def test_sgd_step_returns_new_arrays():
    W, b = np.ones((3, 2)), np.zeros(3)
    W2, b2 = lm.sgd_step(W, b, np.full((3, 2), 2.0), np.ones(3), 0.5)
    np.testing.assert_allclose(W2, 0.0)
    np.testing.assert_allclose(b2, -0.5)
    assert np.all(W == 1)


def test_violators():
    S, y = np.array([[1.0, 0.0, 0.5], [0.0, 1.0, 0.5], [3.0, 0.0, 0.0]]), np.array([0, 0, 0])
    # point 0 violates the margin of class 2 (0.5 - 1 + 1 > 0) though it is classified right; point 1 is misclassified; point 2 is fine
    assert lm.violators(S, y, "svm_ww").tolist() == [True, True, False]
    assert lm.violators(S, y, "softmax").tolist() == [False, True, False]


def test_predict_is_argmax():
    np.testing.assert_array_equal(lm.predict(lm.STANFORD_W, lm.STANFORD_B, [[0.5, 0.4], [0.0, -1.0]]), [0, 1])


@given(arrays(np.float64, 2, elements=st.floats(-5, 5)), st.floats(-3, 3))
def test_boundary_segment_lies_on_line_inside_square(w, b):
    seg = lm.boundary_segment(w, b)
    if seg is None:
        # the line misses the square: all four corners on the same side (or w == 0)
        corners = np.array([[-1, -1], [-1, 1], [1, -1], [1, 1]]) @ w + b
        assert np.all(corners > -1e-9) or np.all(corners < 1e-9)
        return
    assert seg.shape == (2, 2)
    np.testing.assert_allclose(seg @ w + b, 0.0, atol=1e-9)
    assert np.all(np.abs(seg) <= 1 + 1e-9)


def test_boundary_segment_by_hand():
    np.testing.assert_allclose(lm.boundary_segment([1.0, 2.0], 0.0), [[-1.0, 0.5], [1.0, -0.5]])
    assert lm.boundary_segment([1.0, 0.0], 5.0) is None


def test_random_parameters_shapes_and_seed():
    W, b = lm.random_parameters(seed=3)
    assert W.shape == (3, 2) and b.shape == (3,)
    np.testing.assert_array_equal(W, lm.random_parameters(seed=3)[0])
