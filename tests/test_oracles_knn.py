"""grading/oracles/knn.py agrees with SciPy and scikit-learn, breaks ties toward the smaller
label, and rejects bad input with a clear message."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.spatial.distance import cdist
from sklearn.neighbors import KNeighborsClassifier

from grading.oracles import knn as oracle


@settings(max_examples=25, deadline=None)
@given(num_test=st.integers(1, 10), num_train=st.integers(1, 10), dim=st.integers(1, 12),
       dtype=st.sampled_from([np.float32, np.float64, np.int64]), seed=st.integers(0, 2**16))
def test_distances_match_scipy_cdist(num_test, num_train, dim, dtype, seed):
    rng = np.random.default_rng(seed)
    A = (rng.standard_normal((num_test, dim)) * 10).astype(dtype)
    B = (rng.standard_normal((num_train, dim)) * 10).astype(dtype)
    got = oracle.euclidean_distances(A, B)
    assert got.dtype == np.float64 and got.shape == (num_test, num_train)
    np.testing.assert_allclose(got, cdist(A.astype(np.float64), B.astype(np.float64)), rtol=1e-12, atol=1e-12)


def test_identical_points_are_exactly_zero_apart():
    X = np.random.default_rng(0).standard_normal((30, 8)) + 100.0
    assert np.all(np.diag(oracle.euclidean_distances(X, X)) == 0.0)


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**16), k=st.integers(1, 9))
def test_knn_predict_matches_scikit_learn(seed, k):
    rng = np.random.default_rng(seed)
    X_train, X_test = rng.standard_normal((20, 3)), rng.standard_normal((7, 3))
    y_train = rng.integers(0, 4, size=20)
    ours = oracle.knn_predict(oracle.euclidean_distances(X_test, X_train), y_train, k)
    theirs = KNeighborsClassifier(n_neighbors=k, algorithm="brute").fit(X_train, y_train).predict(X_test)
    np.testing.assert_array_equal(ours, theirs)


def test_ties_go_to_the_smaller_label_and_are_detected():
    y_train = np.array([5, 2, 2, 5, 9])
    dists = np.array([[0.1, 0.2, 0.3, 0.4, 0.5],    # k=2: 5, 2 -> tie -> 2
                      [0.5, 0.1, 0.2, 0.3, 0.4]])   # k=2: 2, 2 -> 2
    np.testing.assert_array_equal(oracle.knn_predict(dists, y_train, 2), [2, 2])
    np.testing.assert_array_equal(oracle.vote_is_tied(dists, y_train, 2), [True, False])
    np.testing.assert_array_equal(oracle.k_nearest_indices(dists, 3), [[0, 1, 2], [1, 2, 3]])


def test_bad_input_names_the_oracle_and_the_problem():
    with pytest.raises(ValueError, match=r"oracles/knn.py: X_test must be 2-D"):
        oracle.euclidean_distances(np.zeros(3), np.zeros((2, 3)))
    with pytest.raises(ValueError, match="D=3 but X_train has D=4"):
        oracle.euclidean_distances(np.zeros((1, 3)), np.zeros((2, 4)))
    with pytest.raises(ValueError, match="k=5 must be between 1 and num_train=4"):
        oracle.k_nearest_indices(np.zeros((2, 4)), 5)
