"""Hidden tests of spatial batch and group normalization (``ConvolutionalNetworks.ipynb``):
``spatial_batchnorm_forward`` (train and test mode), ``spatial_batchnorm_backward``,
``spatial_groupnorm_forward`` and ``spatial_groupnorm_backward``.

References come from ``grading.oracles.conv`` (``F.batch_norm`` / ``F.group_norm`` on ``(N, C, H, W)`` in
float64, gradients from autograd; the running averages the CS231n way).  Inputs come from ``case_rng``:
non-square images (H != W), channels with offsets and scales far from 0 and 1 (so statistics over the
wrong axes show), float32 and float64 (outputs keep the input dtype), group counts from 1 to C.

``bn_param`` is a ``collections.UserDict`` made on the student's side, as in ``normalization.py``, so the
test reads the running averages the student's function (through batchnorm_forward) wrote back.  The
backward tests run the student's forward pass for its cache and, when that forward is already wrong, say
so and point to the forward's own cell.
"""

from __future__ import annotations

import numpy as np

from cs231n_lib.checks import CheckFailed
from grading.hidden.core import case_rng, hidden_test, student_object
from grading.hidden.kit import call_layer, describe_arrays, expect_arrays, expect_close
from grading.oracles import conv as oracle
from grading.oracles import layers as flat_oracle

#: (dtype, x shape (N, C, H, W)): non-square images, a single example, one channel, float32.
_BN_CASES = [
    (np.float64, (3, 4, 5, 6)),
    (np.float32, (2, 3, 7, 4)),
    (np.float64, (1, 5, 3, 8)),
    (np.float32, (4, 2, 6, 5)),
    (np.float64, (2, 1, 4, 3)),
]

#: (dtype, x shape, G): one group, one group per channel, groups of 2 and 3 channels.
_GN_CASES = [
    (np.float64, (2, 6, 4, 5), 2),
    (np.float32, (3, 6, 3, 7), 3),
    (np.float64, (2, 4, 5, 3), 1),
    (np.float32, (1, 8, 4, 4), 4),
    (np.float64, (3, 3, 2, 5), 3),
]


def _inputs(rng, dtype, shape, param_shape):
    """x with a different offset and scale per (example, channel); gamma, beta of ``param_shape``."""
    N, C = shape[:2]
    offsets = 3.0 * rng.standard_normal((N, C, 1, 1))
    scales = rng.uniform(0.5, 3.0, size=(N, C, 1, 1))
    x = (offsets + scales * rng.standard_normal(shape)).astype(dtype)
    gamma = rng.uniform(0.5, 1.5, size=param_shape).astype(dtype)
    beta = rng.standard_normal(param_shape).astype(dtype)
    return x, gamma, beta


def _param_dict(values):
    """A dict-like ``bn_param`` / ``gn_param`` on the student's side (see normalization.py)."""
    return student_object("collections:UserDict")(values)


def _forward_first(label, fwd_name, out, want_out, dtype, forward_cell, name):
    """CheckFailed (pointing to ``forward_cell``) when the student's forward ``out`` is already wrong."""
    try:
        expect_close(f"{fwd_name}'s out", out, want_out, dtype)
    except CheckFailed as exc:
        raise CheckFailed(f"{label}: the output of your {fwd_name} is already wrong ({str(exc).splitlines()[0]})"
                          f"\nLikely cause: {name} is graded on the cache of your {fwd_name}: fix {fwd_name} "
                          f"first (test {forward_cell}).") from None


# --------------------------------------------------------------------------- spatial batch normalization

def _per_channel(values):
    return np.asarray(values, dtype=np.float64).reshape(1, -1, 1, 1)


def _bn_wrong_axes(x, gamma, beta, eps):
    """What common mistakes of spatial batchnorm compute (for diagnoses)."""
    N, C, H, W = x.shape
    g4, b4 = _per_channel(gamma), _per_channel(beta)
    mixed = flat_oracle.batchnorm_train(np.asarray(x).reshape(-1, C), gamma, beta, eps)["out"].reshape(x.shape)
    return [("the statistics are taken per (example, channel), over H and W only: spatial batch normalization "
             "takes each channel's mean and variance over the whole minibatch AND every position (axes 0, 2, 3).",
             oracle.spatial_groupnorm(x, g4, b4, C, eps)),
            ("the statistics are taken per example over all its channels and positions: spatial batch "
             "normalization takes them per CHANNEL, over axes 0, 2 and 3.",
             oracle.spatial_groupnorm(x, g4, b4, 1, eps)),
            ("x (N, C, H, W) is reshaped straight to (N * H * W, C), which mixes channels: move the channel axis "
             "last first (transpose to (N, H, W, C)), then reshape; and undo both afterwards.", mixed)]


_BN_HINT = ("each CHANNEL is normalised with the mean and (biased) variance of its N * H * W numbers (axes 0, 2 and "
            "3), then scaled by gamma[c] and shifted by beta[c]; batchnorm_forward does this on an (N * H * W, C) "
            "array whose columns are the channels.  (This reuses your batchnorm_forward: it must pass "
            "bn_forward_train and bn_forward_test.)")


def _bn_forward(spatial_batchnorm_forward, x, gamma, beta, bn_param):
    return call_layer(spatial_batchnorm_forward, "spatial_batchnorm_forward", x, gamma, beta, bn_param,
                      names=("x", "gamma", "beta", "bn_param"), returns=("out", "cache"))


def _shown(values):
    return {k: v for k, v in values.items() if not isinstance(v, np.ndarray) and k != "mode"}


@hidden_test("assignment2", "conv_spatial_bn_forward", points=3, uses=["cs231n.layers:spatial_batchnorm_forward"])
def conv_spatial_bn_forward(spatial_batchnorm_forward):
    """spatial_batchnorm_forward matches F.batch_norm on (N, C, H, W): in train mode each channel over N, H, W
    (biased variance) with the running averages (C,) written back into bn_param (two calls in a row); in test
    mode with the given running averages, left unchanged.  float32 and float64, default and given eps/momentum."""
    rng = case_rng(7505)
    for i, (dtype, shape) in enumerate(_BN_CASES):
        C = shape[1]
        x, gamma, beta = _inputs(rng, dtype, shape, (C,))
        if i % 2 == 0:
            eps, momentum, rm, rv = 1e-5, 0.9, None, None
            values = {"mode": "train"}
        else:
            eps, momentum = 1e-3, 0.75
            rm = rng.standard_normal(C).astype(dtype)
            rv = rng.uniform(0.5, 2.0, size=C).astype(dtype)
            values = {"mode": "train", "eps": eps, "momentum": momentum, "running_mean": rm.copy(),
                      "running_var": rv.copy()}
        bn_param = _param_dict(values)
        label = f"spatial_batchnorm_forward, train mode ({describe_arrays(dtype, x=x, **_shown(values))})"
        for call in (1, 2):
            out, _ = _bn_forward(spatial_batchnorm_forward, x, gamma, beta, bn_param)
            want = oracle.spatial_batchnorm_train(x, gamma, beta, eps, momentum, rm, rv)
            where = label if call == 1 else f"{label}, second call"
            expect_arrays(where, {"out": out}, {"out": want["out"]}, dtype,
                          hints={"out": {"shape": "out has the shape of x, (N, C, H, W).", "values": _BN_HINT}},
                          diagnoses={"out": _bn_wrong_axes(x, gamma, beta, eps)})
            written = dict(bn_param.data)
            for key in ("running_mean", "running_var"):
                if key not in written:
                    raise CheckFailed(f"{where}: bn_param has no {key!r} after the call; pass bn_param itself to "
                                      "batchnorm_forward, which writes the running averages back.")
                expect_arrays(where, {f"bn_param[{key!r}]": written[key]}, {f"bn_param[{key!r}]": want[key]}, dtype,
                              keep_dtype=False,
                              hints={f"bn_param[{key!r}]": {
                                  "shape": "the running averages have one entry per channel, (C,).",
                                  "values": "running = momentum * running + (1 - momentum) * each channel's mean "
                                            "(or biased variance) over axes 0, 2 and 3."}})
            rm, rv = want["running_mean"], want["running_var"]

        # test mode: the running averages just computed (or fresh ones), and they stay as they are
        rm_test = (rng.standard_normal(C) + 1.0).astype(dtype)
        rv_test = rng.uniform(0.5, 4.0, size=C).astype(dtype)
        values = {"mode": "test", "running_mean": rm_test.copy(), "running_var": rv_test.copy()}
        if i % 2:
            values["eps"] = eps
        bn_param = _param_dict(values)
        out, _ = _bn_forward(spatial_batchnorm_forward, x, gamma, beta, bn_param)
        want = oracle.spatial_batchnorm_test(x, gamma, beta, rm_test, rv_test, eps)
        test_label = f"spatial_batchnorm_forward, test mode ({describe_arrays(dtype, x=x, **_shown(values))})"
        expect_arrays(test_label, {"out": out}, {"out": want}, dtype,
                      hints={"out": "test mode normalises each channel with bn_param's running_mean[c] and "
                                    "running_var[c] (eps inside the square root), then gamma[c] and beta[c]."},
                      diagnoses={"out": [("test mode uses the minibatch's statistics: it must use bn_param's running "
                                          "averages.", oracle.spatial_batchnorm_train(x, gamma, beta, eps)["out"])]})
        written = dict(bn_param.data)
        for key, before in (("running_mean", rm_test), ("running_var", rv_test)):
            if key not in written or np.shape(written[key]) != before.shape:
                raise CheckFailed(f"{test_label}: bn_param[{key!r}] is missing or has another shape after the call; "
                                  "test mode leaves the running averages as they are.")
            expect_close(f"{test_label}: bn_param[{key!r}] after the call", written[key], before, dtype,
                         "test mode must not change the running averages (only training updates them).")


_NORM_GRAD_HINTS = {
    "dx": {"shape": "dx has the shape of x, (N, C, H, W).",
           "values": "x reaches out directly and through its group's (or channel's) mean and variance; every path "
                     "adds to dx."},
}


@hidden_test("assignment2", "conv_spatial_bn_backward", points=3,
             uses=["cs231n.layers:spatial_batchnorm_forward", "cs231n.layers:spatial_batchnorm_backward"])
def conv_spatial_bn_backward(spatial_batchnorm_forward, spatial_batchnorm_backward):
    """dx, dgamma, dbeta of spatial_batchnorm_backward (on the cache of a train-mode spatial_batchnorm_forward)
    match torch autograd through F.batch_norm on (N, C, H, W)."""
    rng = case_rng(7606)
    for dtype, shape in _BN_CASES:
        C = shape[1]
        x, gamma, beta = _inputs(rng, dtype, shape, (C,))
        dout = rng.standard_normal(shape).astype(dtype)
        want = oracle.spatial_batchnorm_train(x, gamma, beta, dout=dout)
        label = f"spatial_batchnorm_backward ({describe_arrays(dtype, x=x, dout=dout)})"
        out, cache = _bn_forward(spatial_batchnorm_forward, x, gamma, beta, _param_dict({"mode": "train"}))
        _forward_first(label, "spatial_batchnorm_forward", out, want["out"], dtype, "conv_spatial_bn_forward",
                       "spatial_batchnorm_backward")
        got = call_layer(spatial_batchnorm_backward, "spatial_batchnorm_backward", dout, cache,
                         names=("dout", "cache"), returns=("dx", "dgamma", "dbeta"))
        expect_arrays(label, dict(zip(("dx", "dgamma", "dbeta"), got)),
                      {k: want[k] for k in ("dx", "dgamma", "dbeta")}, dtype, kind="gradient",
                      hints={"dx": {**_NORM_GRAD_HINTS["dx"],
                                    "values": _NORM_GRAD_HINTS["dx"]["values"] + " (This reuses your batchnorm_backward "
                                              "on the (N * H * W, C) arrays: it must pass bn_backward.)"},
                             "dgamma": {"shape": "dgamma has the shape of gamma, (C,): sum over axes 0, 2 and 3.",
                                        "values": "gamma[c] multiplies channel c's normalised x at every position."},
                             "dbeta": {"shape": "dbeta has the shape of beta, (C,): sum over axes 0, 2 and 3.",
                                       "values": "beta[c] is added at every position of channel c."}},
                      diagnoses={"dx": [("dx has the wrong sign.", -want["dx"])]})


# --------------------------------------------------------------------------- spatial group normalization

def _interleaved(x, gamma, beta, G, eps):
    """Group norm whose group g holds the channels c with c % G == g (a diagnosis)."""
    C = np.shape(x)[1]
    order = np.argsort(np.arange(C) % G, kind="stable")      # channels of group 0 first, then group 1, ...
    inverse = np.argsort(order)
    out = oracle.spatial_groupnorm(np.asarray(x)[:, order], np.asarray(gamma)[:, order], np.asarray(beta)[:, order],
                                   G, eps)
    return out[:, inverse]


def _gn_diagnoses(x, gamma, beta, G, eps):
    C = np.shape(x)[1]
    diagnoses = []
    if 1 < G < C:
        diagnoses.append(("the channels are grouped by c % G (interleaved): group g holds the C // G CONSECUTIVE "
                          "channels g * C // G .. (g + 1) * C // G - 1.",
                          _interleaved(x, gamma, beta, G, eps)))
    if G < C:
        diagnoses.append(("each channel is normalised on its own (G = C): normalise each group of C // G channels "
                          "together.", oracle.spatial_groupnorm(x, gamma, beta, C, eps)))
    if G > 1:
        diagnoses.append(("each example is normalised over all its channels at once (G = 1): split the channels into "
                          "G groups.", oracle.spatial_groupnorm(x, gamma, beta, 1, eps)))
    if np.shape(x)[0] > 1:
        diagnoses.append(("the statistics are taken over the minibatch (batch normalization): group normalization "
                          "normalises each EXAMPLE's group on its own.",
                          oracle.spatial_batchnorm_train(x, np.ravel(gamma), np.ravel(beta), eps)["out"]))
    return diagnoses


def _gn_forward(spatial_groupnorm_forward, x, gamma, beta, G, gn_param):
    return call_layer(spatial_groupnorm_forward, "spatial_groupnorm_forward", x, gamma, beta, G, gn_param,
                      names=("x", "gamma", "beta", "G", "gn_param"), returns=("out", "cache"))


_GN_HINT = ("split the C channels of each example into G groups of C // G consecutive channels; normalise each group "
            "with the mean and (biased) variance of its C // G * H * W numbers (eps inside the square root); then "
            "scale channel c by gamma[0, c, 0, 0] and shift it by beta[0, c, 0, 0].")


@hidden_test("assignment2", "conv_spatial_gn_forward", points=3, uses=["cs231n.layers:spatial_groupnorm_forward"])
def conv_spatial_gn_forward(spatial_groupnorm_forward):
    """spatial_groupnorm_forward matches F.group_norm: G groups of C // G consecutive channels per example
    (biased variance, eps from gn_param, default 1e-5), gamma and beta of shape (1, C, 1, 1); G from 1 to C,
    float32 and float64."""
    rng = case_rng(7707)
    for i, (dtype, shape, G) in enumerate(_GN_CASES):
        C = shape[1]
        x, gamma, beta = _inputs(rng, dtype, shape, (1, C, 1, 1))
        values = {} if i % 2 == 0 else {"eps": 1e-3}
        eps = values.get("eps", 1e-5)
        out, _ = _gn_forward(spatial_groupnorm_forward, x, gamma, beta, G, _param_dict(values))
        want = oracle.spatial_groupnorm(x, gamma, beta, G, eps)
        expect_arrays(f"spatial_groupnorm_forward ({describe_arrays(dtype, x=x, G=G, **values)})", {"out": out},
                      {"out": want}, dtype,
                      hints={"out": {"shape": "out has the shape of x, (N, C, H, W).", "values": _GN_HINT}},
                      diagnoses={"out": _gn_diagnoses(x, gamma, beta, G, eps)})


@hidden_test("assignment2", "conv_spatial_gn_backward", points=3,
             uses=["cs231n.layers:spatial_groupnorm_forward", "cs231n.layers:spatial_groupnorm_backward"])
def conv_spatial_gn_backward(spatial_groupnorm_forward, spatial_groupnorm_backward):
    """dx, dgamma, dbeta (shape (1, C, 1, 1)) of spatial_groupnorm_backward (on spatial_groupnorm_forward's cache)
    match torch autograd through F.group_norm; G from 1 to C, float32 and float64."""
    rng = case_rng(7808)
    for dtype, shape, G in _GN_CASES:
        C = shape[1]
        x, gamma, beta = _inputs(rng, dtype, shape, (1, C, 1, 1))
        dout = rng.standard_normal(shape).astype(dtype)
        want_out, (dx, dgamma, dbeta) = oracle.spatial_groupnorm(x, gamma, beta, G, dout=dout)
        label = f"spatial_groupnorm_backward ({describe_arrays(dtype, x=x, G=G, dout=dout)})"
        out, cache = _gn_forward(spatial_groupnorm_forward, x, gamma, beta, G, _param_dict({}))
        _forward_first(label, "spatial_groupnorm_forward", out, want_out, dtype, "conv_spatial_gn_forward",
                       "spatial_groupnorm_backward")
        got = call_layer(spatial_groupnorm_backward, "spatial_groupnorm_backward", dout, cache,
                         names=("dout", "cache"), returns=("dx", "dgamma", "dbeta"))
        expect_arrays(label, dict(zip(("dx", "dgamma", "dbeta"), got)), {"dx": dx, "dgamma": dgamma, "dbeta": dbeta},
                      dtype, kind="gradient",
                      hints={**_NORM_GRAD_HINTS,
                             "dgamma": {"shape": "dgamma has the shape of gamma, (1, C, 1, 1): sum over axes 0, 2 and "
                                                 "3, keeping the dims.",
                                        "values": "gamma[0, c, 0, 0] multiplies channel c's normalised x."},
                             "dbeta": {"shape": "dbeta has the shape of beta, (1, C, 1, 1): sum over axes 0, 2 and 3, "
                                                "keeping the dims.",
                                       "values": "beta[0, c, 0, 0] is added at every position of channel c."}},
                      diagnoses={"dx": [("dx has the wrong sign.", -dx)]})
