"""Hidden tests of the layers of ``FullyConnectedNets.ipynb``: affine, ReLU, the affine-ReLU
sandwich, ``svm_loss`` and ``softmax_loss``.

Inputs come from ``case_rng``: odd and non-square shapes, float32 and float64, ``x`` of shape
``(N, d1, ..., dk)`` for the affine layer.  References come from ``grading.oracles.layers``
(torch built-ins in float64, gradients from autograd), so tolerances are the CPU entries of
``kit.tolerance`` for the student's input dtype (``"gradient"`` for gradients).  Every call
runs on copies of its inputs (an in-place change fails the test), and a float32 input must give
float32 outputs and gradients (layers.py: "keep the dtype of the inputs").

The backward tests build the cache the release's forward builds (``(x, w, b)`` for affine, ``x``
for ReLU), so a bug in a forward pass costs only its own cell.  ``fc_affine_relu`` feeds the
student's forward cache to the student's backward, on 2-D ``x`` (flattening has its own cells).
"""

from __future__ import annotations

import numpy as np

from cs231n_lib.checks import CheckFailed
from grading.hidden.core import case_rng, hidden_test
from grading.hidden.kit import away_from_zero, call_layer, describe_arrays, expect_arrays
from grading.oracles import layers as oracle

#: (dtype, shape of x, M): odd, non-square, more than two axes, a single example, a single output.
_AFFINE_CASES = [
    (np.float64, (4, 5), 3),
    (np.float32, (3, 2, 7), 5),
    (np.float64, (5, 3, 1, 4), 6),
    (np.float32, (1, 9), 1),
    (np.float64, (6, 4, 3), 8),
]


def _affine_inputs(rng, dtype, x_shape, M):
    D = int(np.prod(x_shape[1:]))
    x = rng.standard_normal(x_shape).astype(dtype)
    w = (rng.standard_normal((D, M)) / np.sqrt(D)).astype(dtype)
    b = rng.standard_normal(M).astype(dtype)
    return x, w, b


_FLATTEN = ("flatten each example into one row of D = d_1 * ... * d_k numbers (keep numpy's default order) "
            "before multiplying by w")


@hidden_test("assignment2", "fc_affine_forward", points=2, uses=["cs231n.layers:affine_forward"])
def fc_affine_forward(affine_forward):
    """affine_forward matches x.reshape(N, D) @ w + b (torch, float64) for x with two or more axes."""
    rng = case_rng(2101)
    for dtype, x_shape, M in _AFFINE_CASES:
        x, w, b = _affine_inputs(rng, dtype, x_shape, M)
        out, _ = call_layer(affine_forward, "affine_forward", x, w, b, names=("x", "w", "b"),
                            returns=("out", "cache"))
        want = oracle.affine(x, w, b)
        no_bias = oracle.affine(x, w, np.zeros_like(b))
        expect_arrays(f"affine_forward ({describe_arrays(dtype, x=x, w=w, b=b)})", {"out": out}, {"out": want}, dtype,
                      hints={"out": {"shape": f"out has one row per example and one column per output: {_FLATTEN}.",
                                     "values": f"{_FLATTEN}; then the matrix product with w, plus b for every row."}},
                      diagnoses={"out": [("the bias b is not added (every row of out gets + b).", no_bias)]})


@hidden_test("assignment2", "fc_affine_backward", points=3, uses=["cs231n.layers:affine_backward"])
def fc_affine_backward(affine_backward):
    """dx, dw, db of affine_backward (cache (x, w, b)) match torch autograd; dx has the shape of x."""
    rng = case_rng(2202)
    for dtype, x_shape, M in _AFFINE_CASES:
        x, w, b = _affine_inputs(rng, dtype, x_shape, M)
        dout = rng.standard_normal((x_shape[0], M)).astype(dtype)
        got = call_layer(affine_backward, "affine_backward", dout, (x, w, b), names=("dout", "cache"),
                         returns=("dx", "dw", "db"))
        _, (dx, dw, db) = oracle.affine(x, w, b, dout)
        N = x_shape[0]
        label = f"affine_backward ({describe_arrays(dtype, x=x, w=w, dout=dout)})"
        expect_arrays(label, dict(zip(("dx", "dw", "db"), got)), {"dx": dx, "dw": dw, "db": db}, dtype,
                      kind="gradient",
                      hints={"dx": {"shape": "dx has the shape of x, (N, d_1, ..., d_k), even when x has more than two "
                                             "axes: the gradient of the flattened input has to be brought back to "
                                             "the shape x came in.",
                                    "values": "dx comes from dout and w (which one is transposed?)."},
                             "dw": {"shape": "dw has the shape of w, (D, M): it pairs the flattened x with dout.",
                                    "values": f"dw pairs the flattened x with dout ({_FLATTEN})."},
                             "db": {"shape": "db has the shape of b, (M,): one entry per output, summed over the "
                                             "examples.",
                                    "values": "every example adds its dout row to db."}},
                      diagnoses={"dw": [("dw is averaged over the examples; the layer's gradient is a sum over "
                                         "them (the loss does the averaging).", dw / N)] if N > 1 else [],
                                 "db": [("db is averaged over the examples; it is a sum over them (the loss does "
                                         "the averaging).", db / N)] if N > 1 else []})


_RELU_CASES = [(np.float64, (5, 7)), (np.float32, (3, 4, 2)), (np.float64, (1, 1)), (np.float32, (8, 3))]


#: No input within this of ReLU's kink at 0 (the gradient there is a convention).
_KINK_GAP = 1e-3


@hidden_test("assignment2", "fc_relu_forward", points=1, uses=["cs231n.layers:relu_forward"])
def fc_relu_forward(relu_forward):
    """relu_forward is max(0, x) elementwise, any shape, in the input's dtype."""
    rng = case_rng(2303)
    for dtype, shape in _RELU_CASES:
        x = away_from_zero(rng, shape, dtype, _KINK_GAP)
        out, _ = call_layer(relu_forward, "relu_forward", x, names=("x",), returns=("out", "cache"))
        want = oracle.relu(x)
        expect_arrays(f"relu_forward ({describe_arrays(dtype, x=x)})", {"out": out}, {"out": want}, dtype,
                      hints={"out": {"shape": "out has the shape of x: ReLU works entry by entry.",
                                     "values": "negative entries become 0, the others stay as they are."}},
                      diagnoses={"out": [("out is x unchanged: the negative entries must become 0.", x),
                                         ("out is 0 where x is POSITIVE: the comparison is the wrong way round.",
                                          np.minimum(0, x))]})


@hidden_test("assignment2", "fc_relu_backward", points=1, uses=["cs231n.layers:relu_backward"])
def fc_relu_backward(relu_backward):
    """dx of relu_backward (cache x) matches torch autograd: dout where x > 0, else 0."""
    rng = case_rng(2404)
    for dtype, shape in _RELU_CASES:
        x = away_from_zero(rng, shape, dtype, _KINK_GAP)
        dout = rng.standard_normal(shape).astype(dtype)
        dx = call_layer(relu_backward, "relu_backward", dout, x, names=("dout", "cache"))
        _, want = oracle.relu(x, dout)
        expect_arrays(f"relu_backward ({describe_arrays(dtype, x=x, dout=dout)})", {"dx": dx}, {"dx": want}, dtype,
                      kind="gradient",
                      hints={"dx": {"shape": "dx has the shape of x.",
                                    "values": "the upstream gradient passes where the ReLU let x through and is "
                                              "blocked elsewhere."}},
                      diagnoses={"dx": [("dx is dout unchanged: it must be 0 where x <= 0.", dout),
                                        ("dx is 0/1, the ReLU's local gradient alone: multiply it by dout.",
                                         (x > 0).astype(np.float64)),
                                        ("dx passes dout where x is NEGATIVE: the comparison is the wrong way round.",
                                         dout * (x < 0))]})


@hidden_test("assignment2", "fc_affine_relu", points=2,
             uses=["cs231n.layer_utils:affine_relu_forward", "cs231n.layer_utils:affine_relu_backward"])
def fc_affine_relu(affine_relu_forward, affine_relu_backward):
    """affine_relu_forward / affine_relu_backward (on the forward's own cache) match relu(x @ w + b) and
    its autograd gradients."""
    rng = case_rng(2505)
    for dtype, N, D, M in [(np.float64, 6, 5, 7), (np.float32, 9, 4, 3), (np.float64, 1, 3, 2)]:
        x, w, b = _affine_inputs(rng, dtype, (N, D), M)
        dout = rng.standard_normal((N, M)).astype(dtype)
        out, cache = call_layer(affine_relu_forward, "affine_relu_forward", x, w, b, names=("x", "w", "b"),
                                returns=("out", "cache"))
        label = describe_arrays(dtype, x=x, w=w, dout=dout)
        want_out, (dx, dw, db) = oracle.affine_relu(x, w, b, dout)
        expect_arrays(f"affine_relu_forward ({label})", {"out": out}, {"out": want_out}, dtype,
                      hints={"out": "the affine layer first, then the ReLU on its output."},
                      diagnoses={"out": [("out is the affine output: the ReLU is missing.", oracle.affine(x, w, b))]})
        got = call_layer(affine_relu_backward, "affine_relu_backward", dout, cache, names=("dout", "cache"),
                         returns=("dx", "dw", "db"))
        hint = ("backward runs the layers in reverse order: the ReLU's backward first (with its cache), then the "
                "affine layer's on the result.")
        expect_arrays(f"affine_relu_backward ({label})", dict(zip(("dx", "dw", "db"), got)),
                      {"dx": dx, "dw": dw, "db": db}, dtype, kind="gradient",
                      hints={"dx": hint, "dw": hint, "db": hint})


# --------------------------------------------------------------------------- losses on scores

#: (dtype, N, C)
_LOSS_CASES = [(np.float64, 7, 5), (np.float32, 13, 3), (np.float64, 1, 2), (np.float32, 50, 10)]


def _scores(rng, dtype, N, C, scale=1.0, min_margin_gap=None):
    """Scores ``(N, C)`` and labels; with ``min_margin_gap`` no SVM margin lies that close to its kink."""
    for _ in range(100):
        x = (scale * rng.standard_normal((N, C))).astype(dtype)
        y = rng.integers(0, C, size=N)
        if min_margin_gap is None:
            return x, y
        margins = x.astype(np.float64) - x.astype(np.float64)[np.arange(N), y][:, None] + 1.0
        margins[np.arange(N), y] = np.inf
        if np.min(np.abs(margins)) > min_margin_gap:
            return x, y
    raise RuntimeError("grading/hidden/assignment2/layers.py: could not draw scores away from the kinks")


def _expect_loss_and_dx(fn, name, x, y, dtype, loss_hint, dx_hint, loss_diagnoses, dx_diagnoses, kind_hints=None):
    got = call_layer(fn, name, x, y, names=("x", "y"), returns=("loss", "dx"))
    want_loss, want_dx = oracle.svm_loss(x, y) if name == "svm_loss" else oracle.softmax_loss(x, y)
    N, C = x.shape
    label = f"{name} ({describe_arrays(dtype, x=x)})"
    loss, dx = got
    if np.ndim(loss) != 0:
        raise CheckFailed(f"{label}: loss must be a single number, got an array of shape {np.shape(loss)}; "
                          "add up the per-example losses and average over N.")
    averaged = [("the loss must be averaged over the N examples (divide the sum by N).", want_loss * N)] if N > 1 \
        else []
    expect_arrays(label, {"loss": float(loss)}, {"loss": want_loss}, dtype, keep_dtype=False,
                  hints={"loss": {"values": loss_hint, **(kind_hints or {})}}, diagnoses={"loss": averaged + loss_diagnoses(want_loss)})
    dx_averaged = [("dx must be divided by N, like the loss.", want_dx * N)] if N > 1 else []
    expect_arrays(label, {"dx": dx}, {"dx": want_dx}, dtype, kind="gradient",
                  hints={"dx": {"shape": "dx has the shape of x, (N, C).", "values": dx_hint, **(kind_hints or {})}},
                  diagnoses={"dx": [("dx has the wrong sign: the loss grows along dx; check every + and - "
                                     "(the correct-class entries above all).", -want_dx)] + dx_averaged
                             + dx_diagnoses(want_dx)})


@hidden_test("assignment2", "fc_svm_loss", points=2, uses=["cs231n.layers:svm_loss"])
def fc_svm_loss(svm_loss):
    """svm_loss matches torch's multi_margin_loss (times C) and its autograd gradient, averaged over N."""
    rng = case_rng(2606)
    for dtype, N, C in _LOSS_CASES:
        x, y = _scores(rng, dtype, N, C, min_margin_gap=1e-3)
        _expect_loss_and_dx(
            svm_loss, "svm_loss", x, y, dtype,
            loss_hint="loss = mean over i of the sum over j != y[i] of max(0, x[i, j] - x[i, y[i]] + 1).",
            dx_hint="each violated margin (j != y[i]) adds to dx[i, j] and takes from dx[i, y[i]].",
            loss_diagnoses=lambda want: [("the correct class j == y[i] must be left out of the sum (its margin "
                                          "is always 1, adding 1 per example).", want + 1.0)],
            dx_diagnoses=lambda want: [])


@hidden_test("assignment2", "fc_softmax_loss", points=2, uses=["cs231n.layers:softmax_loss"])
def fc_softmax_loss(softmax_loss):
    """softmax_loss matches torch's cross_entropy and its autograd gradient, averaged over N, also for
    large scores (where exp overflows unless the scores are shifted)."""
    rng = case_rng(2707)
    cases = [(dtype, N, C, 1.0) for dtype, N, C in _LOSS_CASES] + [(np.float64, 6, 4, 400.0),
                                                                   (np.float32, 5, 7, 60.0)]
    for dtype, N, C, scale in cases:
        x, y = _scores(rng, dtype, N, C, scale=scale)
        stable = {"nonfinite": "exp of a large score overflows: softmax does not change when a constant is "
                               "subtracted from a row of scores, so shift each row before exponentiating."}
        _expect_loss_and_dx(
            softmax_loss, "softmax_loss", x, y, dtype,
            loss_hint="loss = mean over i of -log(softmax(x[i])[y[i]]); large scores need the shift by each row's "
                      "max to stay finite.",
            dx_hint="dx[i] = softmax(x[i]) with 1 taken from the correct class, divided by N.",
            loss_diagnoses=lambda want: [], dx_diagnoses=lambda want: [], kind_hints=stable)
