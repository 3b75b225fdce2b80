"""Hidden tests of the naive convolution and max-pooling layers of ``ConvolutionalNetworks.ipynb``:
``conv_forward_naive``, ``conv_backward_naive``, ``max_pool_forward_naive`` and ``max_pool_backward_naive``.

References come from ``grading.oracles.conv`` (``F.conv2d`` / ``F.max_pool2d`` in float64, gradients from
autograd).  Inputs come from ``case_rng``: strides 1, 2 and 3, pads 0, 1 and 2, non-square inputs (H != W)
and filters (HH != WW), overlapping and non-square pools, float32 and float64 (outputs keep the input
dtype), every call on copies of its inputs (an in-place change fails the test).  Every setting is valid
(the windows tile the padded input); the sizes are small, since the layers are loops.

The backward tests run the student's forward pass for its cache; when that forward's output is already
wrong they say so and point to the forward's own cell instead of grading the gradients.  The max-pool
inputs are continuous random numbers, so no window has a tie for its maximum.
"""

from __future__ import annotations

import numpy as np

from cs231n_lib.checks import CheckFailed
from cs231n_lib.fast_layers import conv_output_size
from grading.hidden.core import case_rng, hidden_test
from grading.hidden.kit import call_layer, describe_arrays, expect_arrays, expect_close
from grading.oracles import conv as oracle

#: (dtype, x shape (N, C, H, W), w shape (F, C, HH, WW), stride, pad)
_CONV_CASES = [
    (np.float64, (2, 3, 7, 9), (4, 3, 3, 3), 1, 1),
    (np.float32, (3, 2, 8, 6), (3, 2, 2, 4), 2, 0),
    (np.float64, (2, 3, 8, 7), (2, 3, 3, 5), 3, 2),
    (np.float32, (1, 4, 5, 5), (5, 4, 3, 3), 2, 1),
    (np.float64, (2, 1, 6, 11), (3, 1, 1, 4), 1, 2),
    (np.float32, (2, 3, 7, 4), (2, 3, 5, 2), 1, 2),
]

#: (dtype, x shape, pool_height, pool_width, stride): tiling, overlapping (stride < pool) and non-square pools.
_POOL_CASES = [
    (np.float64, (2, 3, 8, 6), 2, 2, 2),
    (np.float32, (3, 2, 7, 9), 3, 3, 2),
    (np.float64, (2, 2, 6, 7), 2, 3, 1),
    (np.float32, (1, 4, 9, 8), 3, 2, 3),
    (np.float64, (2, 1, 5, 10), 1, 4, 2),
]


def _conv_inputs(rng, dtype, x_shape, w_shape, stride, pad):
    for size, field in zip(x_shape[2:], w_shape[2:]):
        conv_output_size(size, field, stride, pad)  # every case is a valid setting (raises otherwise)
    x = rng.standard_normal(x_shape).astype(dtype)
    w = (rng.standard_normal(w_shape) / np.sqrt(np.prod(w_shape[1:]))).astype(dtype)
    b = rng.standard_normal(w_shape[0]).astype(dtype)
    return x, w, b


def _conv_label(name, dtype, x, w, stride, pad):
    return f"{name} ({describe_arrays(dtype, x=x, w=w, stride=stride, pad=pad)})"


def _forward_first(label, fwd_name, out, want_out, dtype, forward_cell, name):
    """CheckFailed (pointing to ``forward_cell``) when the student's forward ``out`` is already wrong."""
    try:
        expect_close(f"{fwd_name}'s out", out, want_out, dtype)
    except CheckFailed as exc:
        raise CheckFailed(f"{label}: the output of your {fwd_name} is already wrong ({str(exc).splitlines()[0]})"
                          f"\nLikely cause: {name} is graded on the cache of your {fwd_name}: fix {fwd_name} "
                          f"first (test {forward_cell}).") from None


_CONV_OUT_HINTS = {
    "shape": "out is (N, F, H', W') with H' = 1 + (H + 2 * pad - HH) // stride and W' = 1 + (W + 2 * pad - WW) "
             "// stride: pad every side with pad zeros and step the window by stride both ways.",
    "values": "each out[n, f, i, j] is the sum over the channels and the filter's HH x WW taps of the padded input's "
              "window starting at (i * stride, j * stride) times w[f], plus b[f].",
}


def _conv_out_diagnoses(x, w, b, stride, pad, out_shape):
    H_out, W_out = out_shape[2:]
    return [(f"the input is padded with pad + 1 zeros instead of pad (on each side): every window is shifted by "
             f"one row and one column.", oracle.conv(x, w, b, stride, pad + 1)[:, :, :H_out, :W_out]),
            ("the filters are flipped (a true convolution): like CS231n and torch, the layer slides w as it is "
             "(cross-correlation), w[f, c, 0, 0] meeting the window's top-left entry.",
             oracle.conv(x, w[:, :, ::-1, ::-1], b, stride, pad)),
            ("the bias is not added: each out[:, f] gets + b[f].", oracle.conv(x, w, np.zeros_like(b), stride, pad))]


@hidden_test("assignment2", "conv_forward_naive", points=3, uses=["cs231n.layers:conv_forward_naive"])
def conv_forward_naive(conv_forward_naive):
    """conv_forward_naive matches F.conv2d (float64) for strides 1-3, pads 0-2, non-square inputs and filters,
    float32 and float64 inputs (out keeps the input dtype), inputs left unchanged."""
    rng = case_rng(7101)
    for dtype, x_shape, w_shape, stride, pad in _CONV_CASES:
        x, w, b = _conv_inputs(rng, dtype, x_shape, w_shape, stride, pad)
        conv_param = {"stride": stride, "pad": pad}
        out, _ = call_layer(conv_forward_naive, "conv_forward_naive", x, w, b, conv_param,
                            names=("x", "w", "b", "conv_param"), returns=("out", "cache"))
        want = oracle.conv(x, w, b, stride, pad)
        expect_arrays(_conv_label("conv_forward_naive", dtype, x, w, stride, pad), {"out": out}, {"out": want}, dtype,
                      hints={"out": _CONV_OUT_HINTS},
                      diagnoses={"out": _conv_out_diagnoses(x, w, b, stride, pad, want.shape)})


@hidden_test("assignment2", "conv_backward_naive", points=4,
             uses=["cs231n.layers:conv_forward_naive", "cs231n.layers:conv_backward_naive"])
def conv_backward_naive(conv_forward_naive, conv_backward_naive):
    """dx, dw, db of conv_backward_naive (on conv_forward_naive's cache) match torch autograd through F.conv2d,
    for strides 1-3, pads 0-2, non-square inputs and filters, float32 and float64."""
    rng = case_rng(7202)
    for dtype, x_shape, w_shape, stride, pad in _CONV_CASES:
        x, w, b = _conv_inputs(rng, dtype, x_shape, w_shape, stride, pad)
        want_out = oracle.conv(x, w, b, stride, pad)
        dout = rng.standard_normal(want_out.shape).astype(dtype)
        _, (dx, dw, db) = oracle.conv(x, w, b, stride, pad, dout=dout)
        label = _conv_label("conv_backward_naive", dtype, x, w, stride, pad)
        out, cache = call_layer(conv_forward_naive, "conv_forward_naive", x, w, b, {"stride": stride, "pad": pad},
                                names=("x", "w", "b", "conv_param"), returns=("out", "cache"))
        _forward_first(label, "conv_forward_naive", out, want_out, dtype, "conv_forward_naive", "conv_backward_naive")
        got = call_layer(conv_backward_naive, "conv_backward_naive", dout, cache, names=("dout", "cache"),
                         returns=("dx", "dw", "db"))
        H_out, W_out = want_out.shape[2:]
        dout64 = dout.astype(np.float64)
        expect_arrays(label, dict(zip(("dx", "dw", "db"), got)), {"dx": dx, "dw": dw, "db": db}, dtype,
                      kind="gradient",
                      hints={"dx": {"shape": "dx has the shape of x, (N, C, H, W): cut the padding off the gradient "
                                             "of the padded input.",
                                    "values": "every window adds w[f] * dout[n, f, i, j] into the gradient of the "
                                              "padded input at the window's place (windows overlap and add up); "
                                              "then drop the padding."},
                             "dw": {"shape": "dw has the shape of w, (F, C, HH, WW).",
                                    "values": "dw[f] is the sum over examples and output positions of the padded "
                                              "input's window times dout[n, f, i, j]."},
                             "db": {"shape": "db has the shape of b, (F,): sum dout over the examples AND over every "
                                             "output position (axes 0, 2 and 3).",
                                    "values": "b[f] is added at every output position of every example."}},
                      diagnoses={"dx": [("dx has the wrong sign.", -dx)],
                                 "dw": [("dw has the wrong sign.", -dw)],
                                 "db": [("db is averaged over the output positions: the bias is added at every "
                                         "position, so its gradient is the SUM of dout over them (and the examples).",
                                         dout64.sum(axis=(0, 2, 3)) / (H_out * W_out)),
                                        ("db sums only the first output position of each example: sum dout over "
                                         "every output position too.", dout64[:, :, 0, 0].sum(axis=0))]})


# --------------------------------------------------------------------------- max pooling

def _pool_inputs(rng, dtype, x_shape):
    return rng.standard_normal(x_shape).astype(dtype)


def _pool_label(name, dtype, x, ph, pw, stride):
    return f"{name} ({describe_arrays(dtype, x=x, pool_height=ph, pool_width=pw, stride=stride)})"


def _call_pool_forward(max_pool_forward_naive, x, ph, pw, stride):
    return call_layer(max_pool_forward_naive, "max_pool_forward_naive", x,
                      {"pool_height": ph, "pool_width": pw, "stride": stride}, names=("x", "pool_param"),
                      returns=("out", "cache"))


@hidden_test("assignment2", "conv_max_pool_forward", points=2, uses=["cs231n.layers:max_pool_forward_naive"])
def conv_max_pool_forward(max_pool_forward_naive):
    """max_pool_forward_naive matches F.max_pool2d (float64) for square and non-square, tiling and overlapping
    pools, strides 1-3, float32 and float64 inputs (out keeps the input dtype), inputs left unchanged."""
    rng = case_rng(7303)
    for dtype, x_shape, ph, pw, stride in _POOL_CASES:
        x = _pool_inputs(rng, dtype, x_shape)
        out, _ = _call_pool_forward(max_pool_forward_naive, x, ph, pw, stride)
        want = oracle.max_pool(x, ph, pw, stride)
        expect_arrays(_pool_label("max_pool_forward_naive", dtype, x, ph, pw, stride), {"out": out}, {"out": want},
                      dtype,
                      hints={"out": {"shape": "out is (N, C, H', W') with H' = 1 + (H - pool_height) // stride and "
                                              "W' = 1 + (W - pool_width) // stride (no padding).",
                                     "values": "out[n, c, i, j] is the maximum of channel c's pool_height x pool_width "
                                               "window starting at (i * stride, j * stride); pool_height counts rows, "
                                               "pool_width columns."}},
                      diagnoses={"out": [("out is the window's mean: max pooling keeps its maximum.",
                                          oracle.avg_pool(x, ph, pw, stride)),
                                         *[("pool_height and pool_width are swapped: pool_height counts the rows of "
                                            "the window.", oracle.max_pool(x, pw, ph, stride))] * (ph != pw)]})


@hidden_test("assignment2", "conv_max_pool_backward", points=3,
             uses=["cs231n.layers:max_pool_forward_naive", "cs231n.layers:max_pool_backward_naive"])
def conv_max_pool_backward(max_pool_forward_naive, max_pool_backward_naive):
    """dx of max_pool_backward_naive (on max_pool_forward_naive's cache) matches torch autograd through
    F.max_pool2d: each window's gradient goes to its maximum only, overlapping windows add up."""
    rng = case_rng(7404)
    for dtype, x_shape, ph, pw, stride in _POOL_CASES:
        x = _pool_inputs(rng, dtype, x_shape)
        want_out = oracle.max_pool(x, ph, pw, stride)
        dout = rng.standard_normal(want_out.shape).astype(dtype)
        _, dx = oracle.max_pool(x, ph, pw, stride, dout=dout)
        label = _pool_label("max_pool_backward_naive", dtype, x, ph, pw, stride)
        out, cache = _call_pool_forward(max_pool_forward_naive, x, ph, pw, stride)
        _forward_first(label, "max_pool_forward_naive", out, want_out, dtype, "conv_max_pool_forward",
                       "max_pool_backward_naive")
        got = call_layer(max_pool_backward_naive, "max_pool_backward_naive", dout, cache, names=("dout", "cache"))
        _, spread = oracle.avg_pool(x, ph, pw, stride, dout=dout * (ph * pw))
        _, mean_spread = oracle.avg_pool(x, ph, pw, stride, dout=dout)
        expect_arrays(label, {"dx": got}, {"dx": dx}, dtype, kind="gradient",
                      hints={"dx": {"shape": "dx has the shape of x, (N, C, H, W).",
                                    "values": "each window's upstream gradient goes to the one entry of x that was "
                                              "the window's maximum; the other entries of the window get nothing from "
                                              "it, and where windows overlap the contributions add up."}},
                      diagnoses={"dx": [("the gradient of each window goes to EVERY entry of the window: only the "
                                         "entry that was the maximum affects the output, so only it gets dout.",
                                         spread),
                                        ("the gradient of each window is spread evenly over the window (that is "
                                         "average pooling's gradient): only the maximum gets dout.", mean_spread)]
                                        + ([("where windows overlap the gradients must ADD up: an entry that is the "
                                             "maximum of several windows gets the sum of their dout (use +=).",
                                             _overwritten(x, dout, ph, pw, stride))] if stride < max(ph, pw) else [])})


def _overwritten(x, dout, ph, pw, stride):
    """The max-pool gradient written with ``=`` instead of ``+=`` (the last window wins), for a diagnosis."""
    x64, dx = np.asarray(x, dtype=np.float64), np.zeros(np.shape(x))
    N, C, H_out, W_out = np.shape(dout)
    for n in range(N):
        for c in range(C):
            for i in range(H_out):
                for j in range(W_out):
                    window = x64[n, c, i * stride:i * stride + ph, j * stride:j * stride + pw]
                    r, s = np.unravel_index(np.argmax(window), window.shape)
                    dx[n, c, i * stride + r, j * stride + s] = dout[n, c, i, j]
    return dx
