"""knn.ipynb and cs231n/classifiers/k_nearest_neighbor.py: the solution notebook runs in fast mode, its nbgrader metadata is consistent,
its hidden tests pass on the solution and fail, with a message naming what differs, on
deliberately broken variants; the solution agrees with the oracle on random inputs."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import nbformat
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cs231n_lib.checks import CheckFailed
from notebook_checks import (assert_committed_clean, assert_metadata_matches_registry, assert_notebook_loads,
                             execute_fast, module_source, registered_hidden_tests, released_object, solution_object)
from grading.hidden import HiddenTestFailed, run_hidden
from grading.oracles import knn as oracle

REPO = Path(__file__).resolve().parent.parent
NOTEBOOK = REPO / "solutions" / "assignment1" / "knn.ipynb"

GRADED_IDS = ["knn_two_loops", "knn_one_loop", "knn_no_loops", "knn_no_loops_memory",
              "knn_predict_labels", "knn_predict_labels_ties", "knn_predict"]


def _read():
    return nbformat.read(NOTEBOOK, as_version=4)


MODULE = "cs231n.classifiers.k_nearest_neighbor"


@pytest.fixture(scope="module")
def KNN():
    return solution_object(MODULE, "KNearestNeighbor")


@pytest.fixture(scope="module")
def hidden():
    return registered_hidden_tests("knn_", GRADED_IDS)


# --------------------------------------------------------------------------- notebook structure

def test_notebook_is_committed_clean_with_python3_kernel():
    assert_committed_clean(_read())


def test_nbgrader_metadata_and_hidden_cells_match_the_registry(hidden):
    assert_metadata_matches_registry(_read(), "knn_", {gid: ["KNearestNeighbor"] for gid in GRADED_IDS}, hidden)


def test_the_notebook_loads_the_class_from_the_student_package():
    assert_notebook_loads(_read(), MODULE, "KNearestNeighbor")


def test_every_method_has_its_own_solution_region():
    methods = re.split(r"\n    def ", module_source(MODULE))
    graded = ["predict(", "compute_distances_two_loops(", "compute_distances_one_loop(",
              "compute_distances_no_loops(", "predict_labels("]
    for name in graded:
        (body,) = [m for m in methods if m.startswith(name)]
        assert body.count("### BEGIN SOLUTION") == 1, name


def test_released_class_defines_every_method_and_hidden_tests_say_not_implemented():
    Released = released_object(MODULE, "KNearestNeighbor")
    for name in ("train", "predict", "compute_distances_two_loops", "compute_distances_one_loop",
                 "compute_distances_no_loops", "predict_labels"):
        assert callable(getattr(Released, name))
    for gid in GRADED_IDS:
        with pytest.raises(HiddenTestFailed, match="not implemented|NotImplementedError"):
            run_hidden(gid, Released)


# --------------------------------------------------------------------------- hidden tests

@pytest.mark.parametrize("gid", GRADED_IDS)
def test_hidden_test_passes_on_the_solution(KNN, gid, capsys):
    run_hidden(gid, KNN)
    assert f"hidden test {gid}: passed" in capsys.readouterr().out


def _variants(K):
    """Broken versions of the solution class: name -> (class, the grade_ids that must fail and no
    other, words in the first one's message).  A tie-breaking bug loses only the ties cell; a wrong
    vote loses both vote cells."""

    class NoSqrt(K):
        def compute_distances_two_loops(self, X):
            return super().compute_distances_two_loops(X) ** 2

    class L1OneLoop(K):
        def compute_distances_one_loop(self, X):
            return np.stack([np.abs(self.X_train - x).sum(axis=1) for x in X])

    class SumWithoutAxis(K):
        def compute_distances_one_loop(self, X):
            dists = np.zeros((len(X), len(self.X_train)))
            for i in range(len(X)):
                dists[i, :] = np.sqrt(np.sum((self.X_train - X[i]) ** 2))
            return dists

    class TransposedNoLoops(K):
        def compute_distances_no_loops(self, X):
            return super().compute_distances_no_loops(X).T

    class NoClip(K):
        def compute_distances_no_loops(self, X):
            d2 = np.sum(X * X, axis=1)[:, None] - 2 * X @ self.X_train.T + np.sum(self.X_train ** 2, axis=1)[None]
            with np.errstate(invalid="ignore"):
                return np.sqrt(d2)

    class Float16(K):
        def compute_distances_no_loops(self, X):
            X, T = X.astype(np.float16), self.X_train.astype(np.float16)
            return np.sqrt(np.maximum(np.sum(X * X, 1)[:, None] - 2 * X @ T.T + np.sum(T * T, 1)[None], 0))

    class Broadcast3D(K):
        def compute_distances_no_loops(self, X):
            return np.sqrt(((X[:, None, :] - self.X_train[None, :, :]) ** 2).sum(axis=-1))

    class NearestLabelWinsTies(K):
        def predict_labels(self, dists, k=1):
            return np.array([Counter(self.y_train[np.argsort(row)[:k]]).most_common(1)[0][0] for row in dists])

    class LargestLabelWinsTies(K):
        def predict_labels(self, dists, k=1):
            out = []
            for row in dists:
                counts = np.bincount(self.y_train[np.argsort(row)[:k]])
                out.append(len(counts) - 1 - np.argmax(counts[::-1]))
            return np.array(out)

    class OffByOneK(K):
        def predict_labels(self, dists, k=1):
            return super().predict_labels(dists, k=min(k + 1, dists.shape[1]))

    class FarthestNeighbours(K):
        def predict_labels(self, dists, k=1):
            return super().predict_labels(-np.asarray(dists), k=k)

    class IgnoresK(K):
        def predict(self, X, k=1, num_loops=0):
            return self.predict_labels(self.compute_distances_no_loops(X))

    class NoValueError(K):
        def predict(self, X, k=1, num_loops=0):
            if num_loops == 1:
                return self.predict_labels(self.compute_distances_one_loop(X), k=k)
            if num_loops == 2:
                return self.predict_labels(self.compute_distances_two_loops(X), k=k)
            return self.predict_labels(self.compute_distances_no_loops(X), k=k)

    class SwappedLoops(K):
        def predict(self, X, k=1, num_loops=0):
            methods = {0: self.compute_distances_no_loops, 1: self.compute_distances_two_loops,
                       2: self.compute_distances_one_loop}
            if num_loops not in methods:
                raise ValueError(num_loops)
            return self.predict_labels(methods[num_loops](X), k=k)

    class ListIndexing(K):
        def predict(self, X, k=1, num_loops=0):
            methods = [self.compute_distances_no_loops, self.compute_distances_one_loop,
                       self.compute_distances_two_loops]
            return self.predict_labels(methods[num_loops](X), k=k)

    return {
        "no sqrt": (NoSqrt, "knn_two_loops", "max relative error"),
        "L1 distance": (L1OneLoop, "knn_one_loop", "max relative error"),
        "sum without axis=1": (SumWithoutAxis, "knn_one_loop", "max relative error"),
        "transposed": (TransposedNoLoops, "knn_no_loops", "has shape (13, 7) but expected (7, 13)"),
        "negative squared distances not clipped": (NoClip, "knn_no_loops", "nan/inf"),
        "float16 arithmetic": (Float16, "knn_no_loops", "max relative error"),
        "3-D broadcast": (Broadcast3D, "knn_no_loops_memory", "MiB at its peak"),
        "tie goes to the nearest": (NearestLabelWinsTies, "knn_predict_labels_ties", "SMALLER label"),
        "tie goes to the largest label": (LargestLabelWinsTies, "knn_predict_labels_ties", "SMALLER label"),
        "k + 1 neighbours": (OffByOneK, ("knn_predict_labels", "knn_predict_labels_ties"), "entries differ"),
        "farthest neighbours": (FarthestNeighbours, ("knn_predict_labels", "knn_predict_labels_ties"), "entries differ"),
        "k ignored": (IgnoresK, "knn_predict", "k=3"),
        "no ValueError": (NoValueError, "knn_predict", "did not raise ValueError"),
        "swapped loops": (SwappedLoops, "knn_predict", "expected only compute_distances_one_loop"),
        "num_loops used as a list index": (ListIndexing, "knn_predict", "expected ValueError"),
    }


VARIANT_NAMES = list(_variants(object))


@pytest.mark.parametrize("variant", VARIANT_NAMES)
def test_hidden_tests_catch_a_broken_variant_and_only_in_its_cell(KNN, hidden, variant):
    Broken, failing, words = _variants(KNN)[variant]
    failing = (failing,) if isinstance(failing, str) else failing
    failures = {}
    for gid, test in hidden.items():
        try:
            test.func(Broken)
        except CheckFailed as exc:
            failures[gid] = str(exc)
    assert sorted(failures) == sorted(failing), f"{variant}: failed {list(failures)}"
    assert words in failures[failing[0]], failures[failing[0]]


def test_hidden_failure_reaches_the_student_without_inputs(KNN):
    Broken = _variants(KNN)["no sqrt"][0]
    with pytest.raises(HiddenTestFailed) as info:
        run_hidden("knn_two_loops", Broken)
    message = str(info.value)
    assert message.startswith("hidden test knn_two_loops failed:")
    assert "SQUARE of the expected distance" in message and "np.sqrt" not in message
    assert "[" not in message.split("Likely cause")[0]  # no array dumped


def test_the_hint_fits_the_kind_of_mistake(KNN):
    """A transposed result gets the shape hint, never the square-root one; no hint writes out code."""
    transposed = _variants(KNN)["transposed"][0]
    with pytest.raises(HiddenTestFailed) as info:
        run_hidden("knn_no_loops", transposed)
    message = str(info.value)
    assert "has shape (13, 7) but expected (7, 13)" in message and "norm vectors" in message
    assert "SQUARE" not in message and "sqrt" not in message and "@" not in message


def test_crashing_student_code_is_reported_not_raised(KNN):
    class Crashes(KNN):
        def predict_labels(self, dists, k=1):
            return {}["missing"]

    with pytest.raises(HiddenTestFailed, match="your code raised KeyError"):
        run_hidden("knn_predict_labels", Crashes)


# --------------------------------------------------------------------------- solution vs oracle

@settings(max_examples=30, deadline=None)
@given(num_test=st.integers(1, 9), num_train=st.integers(1, 12), dim=st.integers(1, 16),
       dtype=st.sampled_from([np.float32, np.float64]), seed=st.integers(0, 2**16))
def test_all_three_distance_methods_match_the_oracle(KNN, num_test, num_train, dim, dtype, seed):
    rng = np.random.default_rng(seed)
    X_train = rng.standard_normal((num_train, dim)).astype(dtype)
    X_test = rng.standard_normal((num_test, dim)).astype(dtype)
    clf = KNN()
    clf.train(X_train, np.zeros(num_train, dtype=np.int64))
    want = oracle.euclidean_distances(X_test, X_train)
    atol = 1e-3 if dtype == np.float32 else 1e-10
    for method in ("compute_distances_two_loops", "compute_distances_one_loop", "compute_distances_no_loops"):
        got = getattr(clf, method)(X_test)
        assert got.shape == (num_test, num_train)
        np.testing.assert_allclose(got, want, rtol=1e-4 if dtype == np.float32 else 1e-9, atol=atol, err_msg=method)


def test_no_loops_stays_in_the_input_dtype(KNN):
    rng = np.random.default_rng(0)
    for dtype in (np.float32, np.float64):
        clf = KNN()
        clf.train(rng.standard_normal((6, 4)).astype(dtype), np.arange(6))
        assert clf.compute_distances_no_loops(rng.standard_normal((3, 4)).astype(dtype)).dtype == dtype


@settings(max_examples=40, deadline=None)
@given(num_test=st.integers(1, 8), num_train=st.integers(1, 15), num_labels=st.integers(1, 5),
       k_fraction=st.floats(0, 1), seed=st.integers(0, 2**16))
def test_predict_labels_matches_the_oracle_vote_including_ties(KNN, num_test, num_train, num_labels, k_fraction, seed):
    rng = np.random.default_rng(seed)
    y_train = rng.integers(0, num_labels, size=num_train) * 3 + 1  # labels with gaps
    dists = np.stack([rng.permutation(num_train) + 0.5 for _ in range(num_test)])
    k = 1 + int(k_fraction * (num_train - 1))
    clf = KNN()
    clf.train(np.zeros((num_train, 2)), y_train)
    np.testing.assert_array_equal(clf.predict_labels(dists, k=k), oracle.knn_predict(dists, y_train, k))


def test_bad_input_gets_a_clear_error(KNN):
    clf = KNN()
    with pytest.raises(RuntimeError, match="call train"):
        clf.compute_distances_no_loops(np.zeros((2, 3)))
    with pytest.raises(ValueError, match="reshape"):
        clf.train(np.zeros((4, 2, 2)), np.zeros(4, dtype=int))
    with pytest.raises(ValueError, match="y must have shape"):
        clf.train(np.zeros((4, 3)), np.zeros(5, dtype=int))
    clf.train(np.zeros((4, 3)), np.arange(4))
    with pytest.raises(ValueError, match=r"shape \(num_test, 3\)"):
        clf.compute_distances_one_loop(np.zeros((2, 5)))
    with pytest.raises(ValueError, match="k must be between 1"):
        clf.predict_labels(np.zeros((2, 4)), k=5)
    with pytest.raises(ValueError, match="num_loops must be 0, 1 or 2"):
        clf.predict(np.zeros((2, 3)), num_loops=3)


def test_uint8_images_do_not_wrap_around(KNN):
    X_train = np.array([[0, 255], [10, 20]], dtype=np.uint8)
    clf = KNN()
    clf.train(X_train, np.array([0, 1]))
    X_test = np.array([[255, 0]], dtype=np.uint8)
    want = oracle.euclidean_distances(X_test, X_train)
    for method in ("compute_distances_two_loops", "compute_distances_one_loop", "compute_distances_no_loops"):
        np.testing.assert_allclose(getattr(clf, method)(X_test), want, rtol=1e-12, err_msg=method)


# --------------------------------------------------------------------------- whole notebook

@pytest.mark.slow
def test_solution_notebook_runs_in_fast_mode():
    nb, errors, text = execute_fast(NOTEBOOK)
    assert errors == []
    for gid in GRADED_IDS:
        assert f"hidden test {gid}: passed" in text
