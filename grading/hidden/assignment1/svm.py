"""Hidden tests of ``svm.ipynb``: ``svm_loss_naive``, ``svm_loss_vectorized`` and
``LinearClassifier`` (``train`` and ``predict``).

Inputs come from ``case_rng`` (odd shapes, float32 and float64, reg 0 and > 0);
references from ``grading.oracles.linear`` (torch ``multi_margin_loss`` and
autograd); comparisons from :mod:`grading.hidden.kit`.  The loss and its
gradient are graded in separate cells, and ``train`` runs on an instance whose
``loss`` is replaced (a recording loss, then the reference one; never a
subclass), after seeding the student's numpy RNG through
``student_object("numpy.random:seed")``, so one bug costs one cell.  Failure
messages say what differs and, where a common mistake explains the numbers
exactly (missing regularization, a 1/2, a sign, no division by N), which one --
never the inputs.
"""

from __future__ import annotations

import numpy as np

from cs231n_lib.checks import CheckFailed, check_equal, describe_mismatch
from grading.hidden.core import case_rng, hidden_test, student_object
from grading.hidden.kit import LOSS_CASES, VECTORIZED_CASES, expect_gradient, expect_loss, plain, with_loss
from grading.hidden.kit import random_problem  # noqa: F401  (tests/test_notebook_svm.py imports it from here)
from grading.oracles import linear as oracle


# --------------------------------------------------------------------------- SVM losses

_SVM_PROBLEM = {"min_margin_gap": 1e-3}


def _svm_extra_diagnoses(W, X, y, reg, data_loss, reg_loss):
    return [("the correct class j == y[i] must be skipped in the sum over classes "
             "(its margin is always 1, adding 1 per example).", data_loss + 1.0 + reg_loss)]


_SVM_LOSS_HINT = ("loss = mean over i of sum over j != y[i] of max(0, s[j] - s[y[i]] + 1), "
                  "plus reg * np.sum(W * W).")
_SVM_GRAD_HINT = ("each violated margin (j != y[i]) changes two columns of dW, class j's and the correct "
                  "class's, with opposite signs; then divide by N and add the regularization gradient.")


@hidden_test("assignment1", "svm_naive_loss", points=2,
             uses=["cs231n.classifiers.linear_svm:svm_loss_naive"])
def svm_naive_loss(svm_loss_naive):
    """The loss of svm_loss_naive matches torch's multi_margin_loss (times C) plus reg * sum(W^2)."""
    expect_loss(svm_loss_naive, "svm_loss_naive", oracle.svm_loss, LOSS_CASES, seed=1101,
                hint=_SVM_LOSS_HINT, extra_diagnoses=_svm_extra_diagnoses, problem_kwargs=_SVM_PROBLEM)


@hidden_test("assignment1", "svm_naive_grad", points=3,
             uses=["cs231n.classifiers.linear_svm:svm_loss_naive"])
def svm_naive_grad(svm_loss_naive):
    """dW of svm_loss_naive matches the torch autograd gradient, with and without regularization."""
    expect_gradient(svm_loss_naive, "svm_loss_naive", oracle.svm_loss, LOSS_CASES, seed=1202,
                    hint=_SVM_GRAD_HINT, problem_kwargs=_SVM_PROBLEM)


@hidden_test("assignment1", "svm_vectorized_loss", points=2,
             uses=["cs231n.classifiers.linear_svm:svm_loss_vectorized"])
def svm_vectorized_loss(svm_loss_vectorized):
    """The loss of svm_loss_vectorized matches torch's multi_margin_loss (times C) plus reg * sum(W^2)."""
    expect_loss(svm_loss_vectorized, "svm_loss_vectorized", oracle.svm_loss, VECTORIZED_CASES, seed=1303,
                hint=_SVM_LOSS_HINT + " Vectorized: print the (N, C) margins of a tiny problem next to the "
                                      "naive loops' and compare, the correct-class entries first.",
                extra_diagnoses=_svm_extra_diagnoses, problem_kwargs=_SVM_PROBLEM)


@hidden_test("assignment1", "svm_vectorized_grad", points=3,
             uses=["cs231n.classifiers.linear_svm:svm_loss_vectorized"])
def svm_vectorized_grad(svm_loss_vectorized):
    """dW of svm_loss_vectorized matches the torch autograd gradient, with and without regularization."""
    expect_gradient(svm_loss_vectorized, "svm_loss_vectorized", oracle.svm_loss, VECTORIZED_CASES, seed=1404,
                    hint="compare your (N, C) matrix of how often each x_i is added to each column of dW with what "
                         "the naive loops do on a tiny problem; the correct-class column is the usual slip.",
                    problem_kwargs=_SVM_PROBLEM)


# --------------------------------------------------------------------------- LinearClassifier

def _row_index(X):
    """Map each row of X (as bytes) to its index; rows are distinct by construction."""
    return {row.tobytes(): i for i, row in enumerate(X)}


def _train_with_recorded_loss(LinearClassifier, X, y, gradient, **train_kwargs):
    """Train an instance whose ``loss`` records ``(W before the step, X_batch, y_batch, reg)`` and returns
    ``(1, 2, 3, ...), gradient``.  Returns ``(classifier, history, calls)``."""
    calls = []

    def recording_loss(W, X_batch, y_batch, reg):
        if W is None:
            raise CheckFailed("train called self.loss before initialising self.W: create W first "
                              "(0.001 * np.random.randn(D, C)) when it is None.")
        calls.append((np.array(W, dtype=np.float64), np.array(X_batch), np.array(y_batch), plain(reg)))
        return float(len(calls)), gradient.copy()

    clf = with_loss(LinearClassifier, recording_loss)
    history = clf.train(X, y, **train_kwargs)
    return clf, history, calls


def _check_training_run(clf, history, calls, X, y, gradient, lr, reg, num_iters, batch_size, call):
    num_classes = int(np.max(y)) + 1
    if len(calls) != num_iters:
        raise CheckFailed(f"{call} called self.loss {len(calls)} times; expected once per iteration ({num_iters}).")
    if history is None:
        raise CheckFailed(f"{call} returned None; return the list of losses (missing `return loss_history`?).")
    check_equal(f"{call} loss history", np.asarray(list(history), dtype=np.float64),
                np.arange(1, num_iters + 1, dtype=np.float64),
                hint="append the loss of every iteration, in order, and return the list.", verbose=False)
    rows = _row_index(X)
    for it, (W, X_batch, y_batch, reg_passed) in enumerate(calls):
        where = f"{call}, iteration {it}"
        if W.shape != (X.shape[1], num_classes):
            raise CheckFailed(f"{where}: W has shape {W.shape} but expected (D, C) = {(X.shape[1], num_classes)} "
                              "with C = np.max(y) + 1.")
        if X_batch.shape != (batch_size, X.shape[1]) or y_batch.shape != (batch_size,):
            raise CheckFailed(f"{where}: the minibatch has X_batch {X_batch.shape} and y_batch {y_batch.shape}; "
                              f"expected ({batch_size}, {X.shape[1]}) and ({batch_size},).")
        index = [rows.get(np.ascontiguousarray(row, dtype=X.dtype).tobytes()) for row in X_batch]
        if any(i is None for i in index):
            raise CheckFailed(f"{where}: X_batch contains rows that are not rows of X; take whole rows X[idx].")
        if not np.array_equal(y[index], y_batch):
            raise CheckFailed(f"{where}: y_batch does not hold the labels of the rows in X_batch; "
                              "index X and y with the same indices.")
        if reg_passed != reg:
            raise CheckFailed(f"{where}: self.loss got reg={reg_passed!r}; pass train's reg={reg!r} on.")
    W0 = calls[0][0]
    if not (np.max(np.abs(W0)) < 0.01 and 2e-4 < np.std(W0) < 5e-3):
        raise CheckFailed(f"{call}: the initial W has std {np.std(W0):.3g} and max |W| {np.max(np.abs(W0)):.3g}; "
                          "initialise it as 0.001 * np.random.randn(D, C).")
    steps = [calls[t + 1][0] for t in range(num_iters - 1)] + [np.asarray(clf.W, dtype=np.float64)]
    for t, W_next in enumerate(steps):
        want = calls[t][0] - lr * gradient
        if describe_mismatch(W_next, want, tol=1e-9) is not None:
            raise CheckFailed(f"{call}: after iteration {t} W is not W - learning_rate * grad "
                              f"(max difference {np.max(np.abs(W_next - want)):.3g}). Update self.W in place "
                              "with the gradient that self.loss returned.")


@hidden_test("assignment1", "svm_train", points=2,
             uses=["cs231n.classifiers.linear_classifier:LinearClassifier"])
def svm_train(LinearClassifier):
    """LinearClassifier.train: lazy 0.001 * randn initialisation, minibatches of whole (x, y) rows
    sampled with replacement, W -= learning_rate * grad, the loss history, the API defaults, and
    a falling loss on a separable toy problem (with a reference SVM loss plugged in)."""
    rng = case_rng(2101)
    seed = student_object("numpy.random:seed")
    N, D, C = 23, 6, 4
    X = rng.standard_normal((N, D))
    y = rng.permutation(np.arange(N) % C)
    gradient = rng.standard_normal((D, C))

    seed(0)
    call = "train(X, y, learning_rate=0.05, reg=0.3, num_iters=12, batch_size=40) with N=23"
    try:
        clf, history, calls = _train_with_recorded_loss(LinearClassifier, X, y, gradient, learning_rate=0.05,
                                                        reg=0.3, num_iters=12, batch_size=40)
    except ValueError as exc:
        raise CheckFailed(f"{call} raised ValueError ({exc}): sample the minibatch WITH replacement, "
                          "np.random.choice(num_train, batch_size, replace=True), so batch_size may exceed N.") from None
    _check_training_run(clf, history, calls, X, y, gradient, 0.05, 0.3, 12, 40, call)
    if all(np.array_equal(calls[0][1], c[1]) for c in calls[1:]):
        raise CheckFailed(f"{call}: every iteration used the same minibatch; draw a new one each iteration.")
    seen = np.unique(np.concatenate([[_row_index(X)[r.tobytes()] for r in c[1]] for c in calls]))
    if len(seen) < N - 3:
        raise CheckFailed(f"{call}: 480 draws used only {len(seen)} of the {N} training rows; "
                          "sample indices uniformly from all of them.")

    # Lazy initialisation: a second call continues from the trained W.
    W_trained = np.array(clf.W, dtype=np.float64)
    calls.clear()
    clf.train(X, y, learning_rate=0.05, reg=0.3, num_iters=2, batch_size=5)
    if len(calls) != 2 or describe_mismatch(calls[0][0], W_trained, tol=1e-12) is not None:
        raise CheckFailed("a second call of train started from a new W; initialise W only when self.W is None.")

    # API defaults: learning_rate=1e-3, reg=1e-5, num_iters=100, batch_size=200.
    X2 = rng.standard_normal((250, 3))
    y2 = rng.integers(0, 3, size=250)
    seed(1)
    clf, history, calls = _train_with_recorded_loss(LinearClassifier, X2, y2, gradient[:3, :3])
    _check_training_run(clf, history, calls, X2, y2, gradient[:3, :3], 1e-3, 1e-5, 100, 200,
                        "train(X, y) with the default arguments")

    # A separable toy problem with the reference SVM loss: the loss falls and every point is learned.
    centers = np.array([[4.0, 0.0], [-2.0, 3.5], [-2.0, -3.5]])
    y3 = np.arange(60) % 3
    X3 = np.hstack([centers[y3] + 0.5 * rng.standard_normal((60, 2)), np.ones((60, 1))]).astype(np.float32)
    seed(2)
    clf = with_loss(LinearClassifier, oracle.svm_loss)
    history = [float(v) for v in clf.train(X3, y3, learning_rate=0.05, reg=1e-4, num_iters=150, batch_size=16)]
    late = float(np.mean(history[-10:]))
    accuracy = float(np.mean(oracle.linear_predict(clf.W, X3) == y3))
    if not (late < 0.25 * history[0] and accuracy == 1.0):
        raise CheckFailed(f"on a separable toy problem (3 classes, reference SVM loss) the loss went from "
                          f"{history[0]:.3g} to {late:.3g} (mean of the last 10; expected < 25% of the start) and "
                          f"the training accuracy is {accuracy:.2f} (expected 1.0). Check the update "
                          "W -= learning_rate * grad and the minibatch sampling.")


@hidden_test("assignment1", "svm_predict", points=1,
             uses=["cs231n.classifiers.linear_classifier:LinearClassifier"])
def svm_predict(LinearClassifier):
    """LinearClassifier.predict returns argmax_j (X @ W) for every row: shape (N,), integer labels."""
    rng = case_rng(2202)
    for dtype, N, D, C in [(np.float64, 17, 9, 5), (np.float32, 1, 4, 3), (np.float32, 40, 785, 10)]:
        clf = LinearClassifier()
        clf.W = rng.standard_normal((D, C)).astype(dtype)
        X = rng.standard_normal((N, D)).astype(dtype)
        got = clf.predict(X)
        name = f"predict ({np.dtype(dtype).name} inputs, N={N}, D={D}, C={C})"
        if got is None:
            raise CheckFailed(f"{name} returned None (missing `return`?).")
        got = np.asarray(got)
        if got.shape != (N,):
            raise CheckFailed(f"{name} has shape {got.shape} but expected ({N},): one label per row of X "
                              "(argmax over axis=1, the class axis).")
        if got.dtype.kind not in "iu":
            raise CheckFailed(f"{name} has dtype {got.dtype}; labels must be integers (np.argmax returns them).")
        check_equal(name, got, oracle.linear_predict(clf.W, X),
                    hint="the label of a row is the class with the highest score: check over which axis you look.",
                    verbose=False)
