"""cs231n_lib.widgets.knn_math: toy data, distances, tie-aware vote."""

from collections import Counter

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from cs231n_lib.widgets import knn_math as km
from cs231n_lib.widgets.knn_math import TIE


def _counter_vote(row):
    """Independent reference: Counter-based vote, None on a tie."""
    counts = Counter(int(v) for v in row).most_common()
    if len(counts) > 1 and counts[0][1] == counts[1][1]:
        return TIE
    return counts[0][0]


def test_vote_hand_examples():
    labels = [[0, 0, 1], [0, 1, 2], [2, 1, 1, 2], [1, 1, 2, 2, 0], [3, 3, 3, 3, 3], [4, 0, 4, 0, 4]]
    expected = [0, TIE, TIE, TIE, 3, 4]
    for row, want in zip(labels, expected):
        assert km.vote(np.array([row]), num_classes=5)[0] == want


def test_vote_rejects_wrong_shape():
    with pytest.raises(ValueError, match=r"\(M, k\)"):
        km.vote(np.array([0, 1, 1]), 2)


@given(arrays(np.int64, st.tuples(st.integers(1, 6), st.integers(1, 7)), elements=st.integers(0, 4)))
def test_vote_matches_counter(labels):
    got = km.vote(labels, num_classes=5)
    assert got.tolist() == [_counter_vote(r) for r in labels]


def test_distances_by_hand():
    a, b = np.array([[0.0, 0.0]]), np.array([[3.0, 4.0], [-1.0, 0.0]])
    np.testing.assert_allclose(km.distances(a, b, "L1"), [[7.0, 1.0]])
    np.testing.assert_allclose(km.distances(a, b, "L2"), [[5.0, 1.0]])
    with pytest.raises(ValueError, match="metric"):
        km.distances(a, b, "cosine")


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 10_000), st.integers(1, 7), st.sampled_from(["L1", "L2"]))
def test_nearest_neighbors_sorted_and_brute_force(seed, k, metric):
    rng = np.random.default_rng(seed)
    X_train, X_q = rng.uniform(-1, 1, (12, 2)), rng.uniform(-1, 1, (5, 2))
    idx, d = km.nearest_neighbors(X_q, X_train, k, metric)
    assert idx.shape == d.shape == (5, k)
    assert np.all(np.diff(d, axis=1) >= 0)
    order = 1 if metric == "L1" else 2
    for q in range(5):
        brute = np.linalg.norm(X_train - X_q[q], ord=order, axis=1)
        np.testing.assert_allclose(d[q], np.sort(brute)[:k])


def test_nearest_neighbors_k_out_of_range():
    with pytest.raises(ValueError, match="between 1 and the number of training points"):
        km.nearest_neighbors(np.zeros((1, 2)), np.zeros((3, 2)), 4)


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 10_000), st.sampled_from(["L1", "L2"]))
def test_k1_predicts_own_label_on_training_points(seed, metric):
    X, y, _, _ = km.make_points(30, 4, seed=seed)
    np.testing.assert_array_equal(km.predict(X, X, y, 1, metric, 4), y)


def test_two_points_k2_is_tie_everywhere():
    X, y = np.array([[-0.5, 0.0], [0.5, 0.0]]), np.array([0, 1])
    _, _, grid = km.make_grid(7)
    assert np.all(km.predict(grid, X, y, 2, "L2", 2) == TIE)
    # K = 1 splits the plane at x = 0
    pred = km.predict(grid, X, y, 1, "L2", 2)
    assert np.all(pred[grid[:, 0] < 0] == 0) and np.all(pred[grid[:, 0] > 0] == 1)


def test_l1_and_l2_can_disagree():
    # (0, 0.9) is closer to (0.6, 0.6) in L2 (0.67 vs 0.7) but closer to (0, 0.2) in L1 (0.7 vs 0.9)
    X, y, q = np.array([[0.6, 0.6], [0.0, 0.2]]), np.array([0, 1]), np.array([[0.0, 0.9]])
    assert km.predict(q, X, y, 1, "L2", 2)[0] == 0
    assert km.predict(q, X, y, 1, "L1", 2)[0] == 1


@settings(max_examples=30, deadline=None)
@given(st.integers(20, 60), st.integers(2, 5), st.integers(0, 10_000), st.integers(0, 50))
def test_make_points_shapes_bounds_classes(n, c, seed, n_val):
    X, y, X_val, y_val = km.make_points(n, c, seed=seed, num_val=n_val)
    assert X.shape == (n, 2) and y.shape == (n,) and X_val.shape == (n_val, 2) and y_val.shape == (n_val,)
    lo, hi = km.BOUNDS
    assert np.all((X > lo) & (X < hi))
    assert set(y.tolist()) == set(range(c))
    X2, y2, _, _ = km.make_points(n, c, seed=seed, num_val=n_val)
    np.testing.assert_array_equal(X, X2)


def test_make_points_errors():
    with pytest.raises(ValueError, match="at least num_classes"):
        km.make_points(2, 3)
    with pytest.raises(ValueError, match="num_classes"):
        km.make_points(10, 0)
    with pytest.raises(ValueError, match="num_val"):
        km.make_points(10, 2, num_val=-1)


def test_make_grid_layout():
    xs, ys, pts = km.make_grid(5)
    assert pts.shape == (25, 2)
    img = pts.reshape(5, 5, 2)
    assert img[1, 3, 0] == xs[3] and img[1, 3, 1] == ys[1]


def test_accuracy_counts_ties_wrong():
    assert km.accuracy(np.array([0, TIE, 1, 1]), np.array([0, 0, 1, 0])) == 0.5
    with pytest.raises(ValueError, match="shape"):
        km.accuracy(np.array([0, 1]), np.array([0]))


def test_accuracy_vs_k_on_separable_clusters():
    X, y, X_val, y_val = km.make_points(60, 2, seed=1, num_val=100, spread=0.01)
    acc = km.accuracy_vs_k(X, y, X_val, y_val, [1, 3, 5], "L2")
    assert acc.shape == (3,)
    assert np.all((acc >= 0) & (acc <= 1))
    # tiny spread: held-out points sit on their cluster centres
    assert acc[0] > 0.95


@given(arrays(np.float64, (5, 2), elements=st.floats(-1, 1)), st.integers(0, 4),
       st.floats(-5, 5), st.floats(-5, 5))
def test_move_point_moves_one_point_inside_the_plane(X, i, x, y):
    moved = km.move_point(X, i, x, y)
    np.testing.assert_array_equal(np.delete(moved, i, axis=0), np.delete(X, i, axis=0))
    np.testing.assert_allclose(moved[i], [min(max(x, -1), 1), min(max(y, -1), 1)])
    assert moved is not X


def test_move_point_rejects_a_bad_index():
    with pytest.raises(IndexError, match="out of range"):
        km.move_point(np.zeros((3, 2)), 3, 0, 0)
