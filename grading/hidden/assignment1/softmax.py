"""Hidden tests of ``softmax.ipynb``: ``softmax_loss_naive``, ``softmax_loss_vectorized``
(value, gradient, numeric stability) and the ``Softmax`` classifier.

Inputs from ``case_rng`` (odd shapes, float32 and float64, reg 0 and > 0), the
reference from ``grading.oracles.linear`` (torch ``cross_entropy`` and
autograd), and the comparisons of :mod:`grading.hidden.kit` (shared with
``svm.py``).  The classifier is trained with its own loss, or -- when that loss
is wrong -- with the reference loss set on the instance (never a subclass).
"""

from __future__ import annotations

import numpy as np

from cs231n_lib.checks import CheckFailed, check_equal, find_mismatch, raise_mismatch
from grading.hidden.core import case_rng, hidden_test, student_object
from grading.hidden.kit import (DW_SHAPE_HINT, LOSS_CASES, VECTORIZED_CASES, call_loss, compare, describe_case,
                                expect_gradient, expect_loss, expect_tuple, random_problem, tolerance, with_loss)
from grading.oracles import linear as oracle

# Scores of a few units: large enough to be a real test, small enough that exp does not overflow.
_PROBLEM = {"score_scale": 3.0}

_LOSS_HINT = ("loss = mean over i of -log(exp(s[y[i]]) / sum_j exp(s[j])) plus reg * np.sum(W * W); "
              "use the natural log (np.log).")
_GRAD_HINT = ("re-derive d(loss)/d(scores) from the probabilities (mind the correct class and the sign), "
              "chain it through scores = X @ W, divide by N and add the regularization gradient.")


def _softmax_extra_diagnoses(W, X, y, reg, data_loss, reg_loss):
    scores = X.astype(np.float64) @ W.astype(np.float64)
    shifted = scores - scores.max(axis=1, keepdims=True)
    log_p = shifted - np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))
    return [("use the natural log np.log, not np.log10 or np.log2.",
             float(-np.mean(log_p[np.arange(len(y)), y])) / np.log(10) + reg_loss)]


@hidden_test("assignment1", "softmax_naive_loss", points=2,
             uses=["cs231n.classifiers.softmax:softmax_loss_naive"])
def softmax_naive_loss(softmax_loss_naive):
    """The loss of softmax_loss_naive matches torch's cross_entropy plus reg * sum(W^2)."""
    expect_loss(softmax_loss_naive, "softmax_loss_naive", oracle.softmax_loss, LOSS_CASES, seed=3101,
                hint=_LOSS_HINT, extra_diagnoses=_softmax_extra_diagnoses, problem_kwargs=_PROBLEM)


@hidden_test("assignment1", "softmax_naive_grad", points=3,
             uses=["cs231n.classifiers.softmax:softmax_loss_naive"])
def softmax_naive_grad(softmax_loss_naive):
    """dW of softmax_loss_naive matches the torch autograd gradient, with and without regularization."""
    expect_gradient(softmax_loss_naive, "softmax_loss_naive", oracle.softmax_loss, LOSS_CASES, seed=3202,
                    hint=_GRAD_HINT, problem_kwargs=_PROBLEM)


@hidden_test("assignment1", "softmax_vectorized_loss", points=2,
             uses=["cs231n.classifiers.softmax:softmax_loss_vectorized"])
def softmax_vectorized_loss(softmax_loss_vectorized):
    """The loss of softmax_loss_vectorized matches torch's cross_entropy plus reg * sum(W^2)."""
    expect_loss(softmax_loss_vectorized, "softmax_loss_vectorized", oracle.softmax_loss, VECTORIZED_CASES,
                seed=3303, hint=_LOSS_HINT + " Vectorized: compare the (N,) per-example losses with the naive "
                                             "version on a tiny problem.",
                extra_diagnoses=_softmax_extra_diagnoses, problem_kwargs=_PROBLEM)


@hidden_test("assignment1", "softmax_vectorized_grad", points=3,
             uses=["cs231n.classifiers.softmax:softmax_loss_vectorized"])
def softmax_vectorized_grad(softmax_loss_vectorized):
    """dW of softmax_loss_vectorized matches the torch autograd gradient, with and without regularization."""
    expect_gradient(softmax_loss_vectorized, "softmax_loss_vectorized", oracle.softmax_loss, VECTORIZED_CASES,
                    seed=3404, hint=_GRAD_HINT + " Compare your (N, C) d(loss)/d(scores) with the naive version "
                                                 "on a tiny problem.", problem_kwargs=_PROBLEM)


@hidden_test("assignment1", "softmax_vectorized_stability", points=1,
             uses=["cs231n.classifiers.softmax:softmax_loss_vectorized"])
def softmax_vectorized_stability(softmax_loss_vectorized):
    """softmax_loss_vectorized gives the exact loss and a finite dW when scores are in the thousands (float32 and float64)."""
    rng = case_rng(3505)
    for dtype, N, D, C in [(np.float64, 11, 6, 5), (np.float32, 8, 13, 10)]:
        W, X, y = random_problem(rng, dtype, N, D, C, score_scale=2000.0)
        where = f"{np.dtype(dtype).name} inputs with scores of about +-2000, N={N}, D={D}, C={C}"
        with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
            loss, dW = call_loss(softmax_loss_vectorized, W, X, y, 0.0, "softmax_loss_vectorized")
        want_loss, want_dW = oracle.softmax_loss(W, X, y, 0.0)
        hint = ("exp overflows for large scores: subtract each row's maximum score before np.exp "
                "(softmax is unchanged by the shift), and take logs in the log-sum-exp form the notebook "
                "explains, never the log of a probability that may have underflowed to 0.")
        if np.ndim(loss) != 0:
            raise CheckFailed(f"softmax_loss_vectorized loss ({where}) must be a single number, "
                              f"got shape {np.shape(loss)}.")
        # float32 scores of ~2000 carry absolute rounding errors of ~1e-4 into a loss of ~1000.
        tol = 1e-8 if dtype == np.float64 else 1e-4
        compare(f"softmax_loss_vectorized loss ({where})", loss, want_loss, tol, {"nonfinite": hint, "values": hint})
        # dW only has to stay finite here: its values are graded in softmax_vectorized_grad.
        name = f"softmax_loss_vectorized dW ({where})"
        raise_mismatch(name, find_mismatch(dW, want_dW, tol=np.inf, name=name), {"nonfinite": hint})


@hidden_test("assignment1", "softmax_classifier", points=2,
             uses=["cs231n.classifiers.linear_classifier:Softmax", "cs231n.classifiers.softmax:softmax_loss_vectorized"])
def softmax_classifier(Softmax, softmax_loss_vectorized=None):
    """Softmax.loss returns the softmax loss and gradient of self.W (the reference's, or -- so that a bug in
    softmax_loss_vectorized is graded only in its own cells -- exactly what the student's softmax_loss_vectorized
    returns); trained on a separable toy problem it starts near log(C) and learns every point (train and
    predict come from LinearClassifier)."""
    rng = case_rng(3606)
    matches_reference = True
    for dtype, N, D, C, reg in [(np.float64, 15, 7, 4, 0.3), (np.float32, 40, 12, 10, 0.0)]:
        W, X, y = random_problem(rng, dtype, N, D, C, **_PROBLEM)
        clf = Softmax()
        clf.W = W.copy()
        out = expect_tuple(clf.loss(X, y, reg), 2,
                           "Softmax.loss must return (loss, dW) as softmax_loss_vectorized does")
        want_loss, want_dW = oracle.softmax_loss(W, X, y, reg)
        where = describe_case(dtype, N, D, C, reg)
        hint = ("Softmax.loss should hand its weights and the minibatch to your vectorized softmax loss "
                "and return what that returns.")
        hints = {"shape": DW_SHAPE_HINT, "values": hint}
        tol = tolerance(dtype)
        try:
            compare(f"Softmax.loss loss ({where})", out[0], want_loss, tol, hint)
            compare(f"Softmax.loss dW ({where})", out[1], want_dW, tol, hints)
        except CheckFailed:
            if softmax_loss_vectorized is None:
                raise
            # Not the reference: fine if it is exactly what the student's (broken) vectorized loss returns.
            mine = softmax_loss_vectorized(W.copy(), X.copy(), y.copy(), reg)
            compare(f"Softmax.loss loss ({where}) vs your softmax_loss_vectorized", out[0], mine[0], tol, hint)
            compare(f"Softmax.loss dW ({where}) vs your softmax_loss_vectorized", out[1], mine[1], tol, hints)
            matches_reference = False

    centers = np.array([[4.0, 0.0], [-2.0, 3.5], [-2.0, -3.5]])
    y3 = np.arange(60) % 3
    X3 = np.hstack([centers[y3] + 0.5 * rng.standard_normal((60, 2)), np.ones((60, 1))])
    student_object("numpy.random:seed")(3)
    # With a wrong Softmax.loss, train with the reference loss to grade the rest of the classifier.
    clf = Softmax() if matches_reference else with_loss(Softmax, oracle.softmax_loss)
    history = [float(v) for v in clf.train(X3, y3, learning_rate=0.1, reg=1e-4, num_iters=150, batch_size=16)]
    if abs(history[0] - np.log(3)) > 0.1:
        raise CheckFailed(f"on a 3-class toy problem the first loss is {history[0]:.4g}; with W ~ 0.001 * randn it "
                          f"should be about log(3) = {np.log(3):.4g}.")
    late = float(np.mean(history[-10:]))
    if not late < 0.25 * history[0]:
        raise CheckFailed(f"on a separable toy problem the loss went from {history[0]:.3g} to {late:.3g} "
                          "(mean of the last 10 iterations; expected < 25% of the start).")
    check_equal("Softmax.predict on the separable toy problem", clf.predict(X3), oracle.linear_predict(clf.W, X3),
                hint="predict comes from LinearClassifier: argmax of X.dot(self.W) over axis=1.", verbose=False)
    check_equal("Softmax training accuracy on the separable toy problem", oracle.linear_predict(clf.W, X3), y3,
                hint="the trained W should classify every point of a separable problem.", verbose=False)
