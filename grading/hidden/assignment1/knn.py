"""Hidden tests of ``knn.ipynb`` (class ``KNearestNeighbor``).

Each test builds a classifier from the student's class on synthetic data from
``case_rng`` (odd shapes, float32 and float64), compares against
``grading.oracles.knn`` (torch.cdist, torch.topk, scipy.stats.mode) with the
entry-by-entry relative error of ``cs231n_lib.checks`` and raises
``CheckFailed`` saying what differs, never the inputs.  ``predict`` is graded
with its distance methods and ``predict_labels`` replaced on the instance; the
memory of the no-loop distances is measured next to the student's code by
``grading.kernel.probes.peak_bytes``.
"""

from __future__ import annotations

import numpy as np

from cs231n_lib.checks import CheckFailed, check_equal, describe_mismatch, find_mismatch, raise_mismatch
from grading.hidden.core import case_rng, hidden_test, student_object
from grading.hidden.kit import plain
from grading.oracles import knn as oracle

# (dtype, num_test, num_train, D, relative tolerance on distances)
_DISTANCE_CASES = [
    (np.float64, 7, 13, 5, 1e-9),
    (np.float32, 4, 9, 31, 1e-5),
    (np.float64, 1, 1, 3, 1e-9),
]


def _fitted(KNearestNeighbor, X_train, y_train):
    clf = KNearestNeighbor()
    clf.train(X_train, y_train)
    return clf


def _random_problem(rng, dtype, num_test, num_train, dim, offset=0.0):
    X_train = (rng.standard_normal((num_train, dim)) + offset).astype(dtype)
    X_test = (rng.standard_normal((num_test, dim)) + offset).astype(dtype)
    y_train = rng.integers(0, 4, size=num_train)
    return X_train, y_train, X_test


#: Hints shared by the three distance methods, by kind of mismatch (cs231n_lib.checks).
_DISTANCE_HINTS = {
    "shape": "dists[i, j] belongs to test point i and training point j: one row per test point, one column "
             "per training point.",
    "nonfinite": "a distance between finite points is finite: look at what goes into the square root.",
}


def _expect_distances(method_name, KNearestNeighbor, cases, seed, hints):
    rng = case_rng(seed)
    for dtype, num_test, num_train, dim, tol in cases:
        X_train, y_train, X_test = _random_problem(rng, dtype, num_test, num_train, dim)
        got = getattr(_fitted(KNearestNeighbor, X_train, y_train), method_name)(X_test)
        want = oracle.euclidean_distances(X_test, X_train)
        where = f"{np.dtype(dtype).name} inputs, num_test={num_test}, num_train={num_train}, D={dim}"
        name = f"{method_name} ({where})"
        mismatch = find_mismatch(got, want, tol=tol, name=name)
        if mismatch is not None and mismatch.kind == "values" and _is_square(got, want, tol):
            hints = {**hints, "values": "every entry is the SQUARE of the expected distance: a step of the "
                                        "Euclidean distance is missing."}
        raise_mismatch(name, mismatch, {**_DISTANCE_HINTS, **hints})


def _is_square(got, want, tol):
    """Whether ``got`` is ``want ** 2`` (a forgotten square root)."""
    got = np.asarray(got, dtype=np.float64)
    squared = want.astype(np.float64) ** 2
    return got.shape == want.shape and describe_mismatch(got, squared, tol=max(tol, 1e-6)) is None


@hidden_test("assignment1", "knn_two_loops", points=2,
             uses=["cs231n.classifiers.k_nearest_neighbor:KNearestNeighbor"])
def knn_two_loops(KNearestNeighbor):
    """compute_distances_two_loops matches torch.cdist on random float32/float64 data."""
    _expect_distances("compute_distances_two_loops", KNearestNeighbor, _DISTANCE_CASES, seed=101,
                      hints={"values": "compare one entry with the Euclidean distance of the same two points "
                                       "worked out by hand."})


@hidden_test("assignment1", "knn_one_loop", points=2,
             uses=["cs231n.classifiers.k_nearest_neighbor:KNearestNeighbor"])
def knn_one_loop(KNearestNeighbor):
    """compute_distances_one_loop matches torch.cdist on random float32/float64 data."""
    _expect_distances("compute_distances_one_loop", KNearestNeighbor, _DISTANCE_CASES, seed=202,
                      hints={"values": "each entry must reduce over the features of ONE pair of points: check which "
                                       "axis the sum of each row runs over."})


@hidden_test("assignment1", "knn_no_loops", points=3,
             uses=["cs231n.classifiers.k_nearest_neighbor:KNearestNeighbor"])
def knn_no_loops(KNearestNeighbor):
    """compute_distances_no_loops matches torch.cdist, including exact duplicates
    (where rounding can make ||x||^2 - 2 x.y + ||y||^2 slightly negative)."""
    cases = _DISTANCE_CASES + [(np.float32, 37, 53, 20, 1e-4), (np.float64, 37, 53, 20, 1e-9)]
    _expect_distances("compute_distances_no_loops", KNearestNeighbor, cases, seed=303,
                      hints={"shape": "the test norms must run down the rows and the training norms along the "
                                      "columns: check the shapes of the two norm vectors before broadcasting.",
                             "values": "write out ||x - y||^2 for one pair of points and compare it term by term "
                                       "with what your code computes (signs and factors)."})

    rng = case_rng(304)
    for dtype in (np.float32, np.float64):
        # Points far from the origin, with some test rows copied from the training set.
        X_train, y_train, X_test = _random_problem(rng, dtype, 40, 60, 24, offset=8.0)
        copies = rng.choice(60, size=25, replace=False)
        X_test[:25] = X_train[copies]
        got = _fitted(KNearestNeighbor, X_train, y_train).compute_distances_no_loops(X_test)
        name = f"compute_distances_no_loops ({np.dtype(dtype).name} inputs with duplicate points)"
        got_arr = np.asarray(got, dtype=np.float64)
        if got_arr.shape != (40, 60):
            raise CheckFailed(f"{name} has shape {got_arr.shape} but expected (40, 60).")
        if not np.isfinite(got_arr).all():
            raise CheckFailed(f"{name}: {int((~np.isfinite(got_arr)).sum())} entries are nan/inf. "
                              "Rounding makes some squared distances slightly negative (about -1e-5) for "
                              "identical points: look at the smallest value before the square root.")
        want = oracle.euclidean_distances(X_test, X_train)
        is_copy = want == 0.0
        # Cancellation in ||x||^2 - 2 x.y + ||y||^2 leaves about sqrt(eps * ||x||^2) for identical points.
        scale = float(np.max(np.sum(X_train.astype(np.float64) ** 2, axis=1)))
        zero_tol = float(np.sqrt(64 * np.finfo(dtype).eps * scale))
        worst_zero = float(np.max(np.abs(got_arr[is_copy])))
        if worst_zero > zero_tol:
            raise CheckFailed(f"{name}: the distance between identical points should be ~0, got up to "
                              f"{worst_zero:.3g} (threshold {zero_tol:.2g}).")
        problem = describe_mismatch(np.where(is_copy, 1.0, got_arr), np.where(is_copy, 1.0, want),
                                    tol=1e-4 if dtype == np.float32 else 1e-9, name=name)
        if problem is not None:
            raise CheckFailed(problem)


@hidden_test("assignment1", "knn_no_loops_memory", points=1,
             uses=["cs231n.classifiers.k_nearest_neighbor:KNearestNeighbor"])
def knn_no_loops_memory(KNearestNeighbor):
    """compute_distances_no_loops does not build a (num_test, num_train, D) array."""
    rng = case_rng(404)
    num_test, num_train, dim = 50, 80, 300
    X_train, y_train, X_test = _random_problem(rng, np.float64, num_test, num_train, dim)
    clf = _fitted(KNearestNeighbor, X_train, y_train)
    peak = student_object("grading.kernel.probes:peak_bytes")(clf.compute_distances_no_loops, X_test)
    budget = 4 * (X_train.nbytes + X_test.nbytes) + 10 * num_test * num_train * 8 + 256 * 1024
    if peak > budget:
        broadcast = num_test * num_train * dim * 8
        raise CheckFailed(
            f"compute_distances_no_loops allocated {peak / 2**20:.1f} MiB at its peak (budget "
            f"{budget / 2**20:.1f} MiB; a (num_test, num_train, D) array would take {broadcast / 2**20:.1f} MiB). "
            "Likely cause: a (num_test, num_train, D) difference array is built, which does not fit in memory "
            "at real sizes; the expansion of ||x - y||^2 in the notebook needs only (num_test, num_train) arrays.")


def _distinct_dists(rng, num_test, num_train, dtype):
    """A distance matrix with distinct entries in every row (no ambiguity about the k nearest)."""
    return np.stack([rng.permutation(num_train) + rng.uniform(0.1, 0.9) for _ in range(num_test)]).astype(dtype)


def _expect_labels(clf, dists, y_train, k, what, hint, rows=None):
    """Compare predict_labels with the oracle, on all rows or only on the boolean mask ``rows``."""
    got = clf.predict_labels(dists, k=k)
    want = oracle.knn_predict(dists, y_train, k)
    name = f"predict_labels with k={k} ({what})"
    if np.shape(got) != want.shape:
        check_equal(name, got, want, hint="return one label per test point: shape (num_test,).", verbose=False)
    if rows is not None:
        got, want = np.asarray(got)[rows], want[rows]
    check_equal(name, got, want, hint=hint, verbose=False)


@hidden_test("assignment1", "knn_predict_labels", points=2,
             uses=["cs231n.classifiers.k_nearest_neighbor:KNearestNeighbor"])
def knn_predict_labels(KNearestNeighbor):
    """predict_labels agrees with a torch.topk + scipy.stats.mode vote for several k
    (on the test points whose vote has a clear winner)."""
    rng = case_rng(505)
    for dtype, num_test, num_train, labels in [
        (np.float64, 11, 17, np.array([0, 2, 3, 7, 9])),
        (np.float32, 6, 23, np.array([1, 4, 5])),
    ]:
        y_train = rng.choice(labels, size=num_train)
        clf = _fitted(KNearestNeighbor, rng.standard_normal((num_train, 3)), y_train)
        dists = _distinct_dists(rng, num_test, num_train, dtype)
        for k in (1, 3, 5, num_train):
            # Rows whose vote is tied are graded by knn_predict_labels_ties only.
            untied = ~oracle.vote_is_tied(dists, y_train, k)
            _expect_labels(clf, dists, y_train, k, f"{np.dtype(dtype).name} dists, rows without a tie",
                           hint="each prediction is the most common label among the k SMALLEST distances of "
                                "its row: check one wrong row by hand.", rows=untied)


@hidden_test("assignment1", "knn_predict_labels_ties", points=1,
             uses=["cs231n.classifiers.k_nearest_neighbor:KNearestNeighbor"])
def knn_predict_labels_ties(KNearestNeighbor):
    """When several labels get the same number of votes, the smaller label wins,
    whichever of them is nearer."""
    rng = case_rng(606)
    num_test, num_train = 60, 12
    y_train = np.array([0, 1, 2, 3] * 3)
    clf = _fitted(KNearestNeighbor, rng.standard_normal((num_train, 2)), y_train)
    dists = _distinct_dists(rng, num_test, num_train, np.float64)
    for k in (2, 4, 6):
        _expect_labels(clf, dists, y_train, k, "ties between labels",
                       hint="on a tie between labels return the SMALLER label, not the one of the "
                            "nearest neighbour: count the votes per label before choosing.")


@hidden_test("assignment1", "knn_predict", points=1,
             uses=["cs231n.classifiers.k_nearest_neighbor:KNearestNeighbor"])
def knn_predict(KNearestNeighbor):
    """predict(X, k, num_loops) uses the distance method that num_loops names, passes k to
    predict_labels, returns its result, and raises ValueError for other num_loops."""
    rng = case_rng(707)
    X_train, y_train, X_test = _random_problem(rng, np.float64, 5, 9, 4)
    methods = {0: "compute_distances_no_loops", 1: "compute_distances_one_loop", 2: "compute_distances_two_loops"}
    calls = []

    def fake_distances(name, marker):
        def compute(X):
            if not np.array_equal(X, X_test):
                raise CheckFailed(f"predict passed something other than X to {name}.")
            calls.append(name)
            return np.full((len(X_test), len(X_train)), marker)
        return compute

    def fake_predict_labels(dists, k=1):
        calls.append(("predict_labels", float(np.asarray(dists).flat[0]), plain(k)))
        return np.arange(len(X_test)) + 100 * k

    for kwargs, num_loops, k in [({}, 0, 1), ({"k": 3, "num_loops": 0}, 0, 3),
                                 ({"k": 2, "num_loops": 1}, 1, 2), ({"k": 4, "num_loops": 2}, 2, 4)]:
        clf = _fitted(KNearestNeighbor, X_train, y_train)
        for loops, name in methods.items():
            setattr(clf, name, fake_distances(name, float(loops) + 0.5))
        clf.predict_labels = fake_predict_labels
        calls.clear()
        result = clf.predict(X_test, **kwargs)
        call = f"predict(X, {', '.join(f'{a}={v}' for a, v in kwargs.items())})"
        used = [c for c in calls if isinstance(c, str)]
        if used != [methods[num_loops]]:
            raise CheckFailed(f"{call} called {used or 'no distance method'}; expected only {methods[num_loops]}.")
        votes = [c for c in calls if isinstance(c, tuple)]
        if votes != [("predict_labels", num_loops + 0.5, k)]:
            raise CheckFailed(f"{call} should call predict_labels once with the distances of "
                              f"{methods[num_loops]} and k={k}; got {len(votes)} call(s)"
                              + (f" with k={votes[0][2]}" if votes else "") + ".")
        check_equal(f"{call} result", result, np.arange(len(X_test)) + 100 * k,
                    hint="return what predict_labels returns.", verbose=False)

    for bad in (3, -1):
        clf = _fitted(KNearestNeighbor, X_train, y_train)
        try:
            clf.predict(X_test, num_loops=bad)
        except ValueError:
            continue
        except Exception as exc:
            raise CheckFailed(f"predict(X, num_loops={bad}) raised {type(exc).__name__}; expected ValueError.") from None
        raise CheckFailed(f"predict(X, num_loops={bad}) did not raise ValueError: only 0, 1 and 2 are valid.")
