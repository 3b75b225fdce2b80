"""Hidden tests of ``FullyConnectedNet`` (``classifiers/fc_net.py``) in the three notebooks that grow it:
``fc_net_init``, ``fc_net_loss``, ``fc_net_grads`` (FullyConnectedNets.ipynb, ``normalization=None``, no
dropout), ``bn_fc_net`` (BatchNormalization.ipynb) and ``dropout_fc_net`` (Dropout.ipynb).

How the student's net is driven (the rules of :mod:`grading.hidden.core`):

- it is built with the API's keyword arguments; ``dtype`` is numpy's own type taken from the student's side
  (``student_object("numpy:float64")``), so it is the real ``np.float64`` wherever the code runs;
- ``fc_net_init`` seeds the student's numpy RNG (``student_object("numpy.random:seed")``) and rebuilds the
  API's draws, ``weight_scale * np.random.randn(fan_in, fan_out)`` layer by layer, with
  ``np.random.RandomState(seed)``;
- the loss tests replace the whole ``params`` dict on the instance with the test's own arrays (random
  biases, so an L2 term on them shows), read ``model.params`` / return values as data only, and compare
  with ``grading.oracles.layers.fc_net`` (torch in float64, gradients from autograd);
- ``bn_fc_net`` and ``dropout_fc_net`` use ``reg = 0``, so a regularization bug costs only
  ``fc_net_loss`` / ``fc_net_grads``; ``dropout_fc_net`` uses no normalization.  The dropout masks follow
  the API's convention (every dropout layer reseeds with ``dropout_param["seed"]`` and keeps a unit where
  ``np.random.rand`` is below p), rebuilt with ``oracle.dropout_mask``.
- X has more than two axes where the net's first layer flattens it; the net's gradients do not include dx,
  so only the forward flattening matters there.
"""

from __future__ import annotations

import numpy as np

from cs231n_lib.checks import CheckFailed
from grading.hidden.core import case_rng, hidden_test, student_object
from grading.hidden.kit import expect_close, expect_net_gradients, expect_tuple, plain, tolerance
from grading.oracles import layers as oracle

_NET = "cs231n.classifiers.fc_net:FullyConnectedNet"


def _dtype(dtype):
    """numpy's ``dtype`` type from the student's side (a handle over the wire, numpy's type in-process)."""
    return student_object(f"numpy:{np.dtype(dtype).name}")


def _describe(hidden_dims, x_shape, num_classes, dtype, **extra):
    parts = [f"hidden_dims={list(hidden_dims)}", f"X {tuple(x_shape)}", f"num_classes={num_classes}",
             f"dtype={np.dtype(dtype).name}"] + [f"{k}={v!r}" for k, v in extra.items()]
    return "FullyConnectedNet(" + ", ".join(parts) + ")"


def _dims(hidden_dims, input_dim, num_classes):
    return [input_dim, *hidden_dims, num_classes]


def _read_params(model, label):
    params = model.params
    if params is None or not hasattr(params, "keys"):
        raise CheckFailed(f"{label}: self.params is {type(params).__name__}; it must be a dict of arrays.")
    return dict(params)


def _expected_keys(num_layers, normalization):
    keys = {f"{k}{layer}" for layer in range(1, num_layers + 1) for k in ("W", "b")}
    if normalization is not None:
        keys |= {f"{k}{layer}" for layer in range(1, num_layers) for k in ("gamma", "beta")}
    return keys


def _expect_keys(params, expected, label, what):
    missing, extra = sorted(expected - set(params)), sorted(set(params) - expected)
    if missing or extra:
        raise CheckFailed(f"{label}: self.params has " + "; ".join(
            ([f"no {', '.join(missing)}"] if missing else []) + ([f"unexpected {', '.join(extra)}"] if extra else []))
            + f". {what}")


def _random_params(rng, dims, dtype, normalization=None):
    params = {}
    for layer in range(1, len(dims)):
        fan_in, fan_out = dims[layer - 1], dims[layer]
        params[f"W{layer}"] = (1.5 * rng.standard_normal((fan_in, fan_out)) / np.sqrt(fan_in)).astype(dtype)
        params[f"b{layer}"] = (0.3 * rng.standard_normal(fan_out)).astype(dtype)
        if normalization is not None and layer < len(dims) - 1:
            params[f"gamma{layer}"] = rng.uniform(0.5, 1.5, size=fan_out).astype(dtype)
            params[f"beta{layer}"] = (0.3 * rng.standard_normal(fan_out)).astype(dtype)
    return params


def _net_with(FullyConnectedNet, params, hidden_dims, input_dim, num_classes, dtype, **kwargs):
    model = FullyConnectedNet(list(hidden_dims), input_dim=input_dim, num_classes=num_classes, dtype=_dtype(dtype),
                              **kwargs)
    model.params = {k: v.copy() for k, v in params.items()}
    return model


def _call_loss(model, X, y, label):
    if y is None:
        return model.loss(X.copy())
    out = model.loss(X.copy(), y.copy())
    return expect_tuple(out, 2, f"{label}: loss(X, y) must return a tuple (loss, grads)")


# --------------------------------------------------------------------------- fc_net_init

_INIT_CASES = [  # hidden_dims, input_dim, num_classes, weight_scale, dtype
    ([], 13, 4, 1e-2, np.float64),
    ([9], 7, 5, 0.3, np.float32),
    ([6, 11, 5], 8, 3, 2e-3, np.float64),
    ([60, 40], 50, 10, 5e-2, np.float32),
]

_DRAW_HINT = ("the weights are weight_scale * np.random.randn(fan_in, fan_out), drawn layer by layer from the first "
              "to the last, and nothing else is drawn from np.random in between (the biases are zeros).")


@hidden_test("assignment2", "fc_net_init", points=2, uses=[_NET])
def fc_net_init(FullyConnectedNet):
    """FullyConnectedNet(hidden_dims, ...): params W1..WL (fan_in, fan_out) and b1..bL (fan_out,) only, biases
    zero, every param of the dtype argument, weights weight_scale * np.random.randn(fan_in, fan_out) drawn layer
    by layer (std about weight_scale); depths 1, 2, 3 and 4."""
    rng = case_rng(6101)
    seed_student = student_object("numpy.random:seed")
    for hidden_dims, input_dim, num_classes, weight_scale, dtype in _INIT_CASES:
        seed = int(rng.integers(0, 2 ** 31 - 1))
        seed_student(seed)
        model = FullyConnectedNet(list(hidden_dims), input_dim=input_dim, num_classes=num_classes,
                                  weight_scale=weight_scale, dtype=_dtype(dtype))
        label = _describe(hidden_dims, (input_dim,), num_classes, dtype, weight_scale=weight_scale)
        label = label.replace(f"X {(input_dim,)}", f"input_dim={input_dim}")
        params = _read_params(model, label)
        L = len(hidden_dims) + 1
        _expect_keys(params, _expected_keys(L, None), label,
                     f"A net with {len(hidden_dims)} hidden layer(s) has L = {L} affine layers: W1..W{L} and b1..b{L}.")
        dims = _dims(hidden_dims, input_dim, num_classes)
        weights = []
        for layer in range(1, L + 1):
            shapes = {f"W{layer}": (dims[layer - 1], dims[layer]), f"b{layer}": (dims[layer],)}
            for key, shape in shapes.items():
                value = np.asarray(params[key])
                if value.shape != shape:
                    what = "(fan_in, fan_out)" if key[0] == "W" else "(fan_out,)"
                    raise CheckFailed(f"{label}: params[{key!r}] has shape {value.shape} but expected {shape} "
                                      f"= {what} of layer {layer} (the sizes are input_dim, *hidden_dims, "
                                      "num_classes in order).")
                if value.dtype != np.dtype(dtype):
                    raise CheckFailed(f"{label}: params[{key!r}] has dtype {value.dtype} but expected "
                                      f"{np.dtype(dtype).name}: every parameter has the dtype the net was built with.")
            if np.any(np.asarray(params[f"b{layer}"]) != 0):
                raise CheckFailed(f"{label}: params['b{layer}'] is not all zeros; the biases start at zero.")
            weights.append(np.asarray(params[f"W{layer}"], dtype=np.float64))
        values = np.concatenate([w.ravel() for w in weights])
        if values.size >= 200:
            std = float(values.std())
            if not 0.8 * weight_scale < std < 1.2 * weight_scale:
                raise CheckFailed(f"{label}: the weights have std {std:.3g} but weight_scale is {weight_scale:g}; "
                                  "the weights are normal with standard deviation weight_scale (mean 0).")
        draws = np.random.RandomState(seed)
        transposed = np.random.RandomState(seed)
        for layer, got in enumerate(weights, start=1):
            want = weight_scale * draws.randn(dims[layer - 1], dims[layer])
            flipped = (weight_scale * transposed.randn(dims[layer], dims[layer - 1])).T
            expect_close(f"{label}: params['W{layer}'] after np.random.seed(...)", got, want, dtype, _DRAW_HINT,
                         [("the draws are transposed: draw randn(fan_in, fan_out) directly, in that order of "
                           "axes.", flipped)])


# --------------------------------------------------------------------------- fc_net_loss / fc_net_grads

_LOSS_CASES = [  # hidden_dims, x shape, num_classes, reg, dtype
    ([], (6, 3, 2, 2), 5, 0.0, np.float64),
    ([], (5, 7), 3, 0.4, np.float64),
    ([7], (8, 10), 4, 0.7, np.float64),
    ([6, 5, 4], (9, 2, 3), 3, 0.25, np.float64),
    ([9], (7, 6), 5, 0.3, np.float32),
]

_SCORES_HINT = ("the scores are the last affine layer's output: {affine - relu} for each hidden layer, then an affine "
                "layer with no ReLU; X of shape (N, d_1, ..., d_k) is flattened by the first affine layer.")
_LOSS_HINT = ("loss = softmax loss of the scores (averaged over N) + 0.5 * reg * the sum of W ** 2 over every weight "
              "matrix W1..WL (the biases are not regularized).")
_GRADS_HINT = ("backpropagate from the softmax loss through the last affine layer, then each hidden layer's ReLU and "
               "affine layer in reverse order; every W also gets the gradient of the L2 term.")


def _layer_order(key):
    """``W1, b1, gamma1, beta1, W2, ...``: parameters in the order of their layers."""
    name = key.rstrip("0123456789")
    return int(key[len(name):]), ["W", "b", "gamma", "beta"].index(name)


def _l2(params, keys):
    return 0.5 * sum(float(np.sum(np.asarray(params[k], dtype=np.float64) ** 2)) for k in keys)


def _problem(rng, hidden_dims, x_shape, num_classes, dtype, normalization=None):
    dims = _dims(hidden_dims, int(np.prod(x_shape[1:])), num_classes)
    X = rng.standard_normal(x_shape).astype(dtype)
    y = rng.integers(0, num_classes, size=x_shape[0])
    return dims, X, y, _random_params(rng, dims, dtype, normalization)


@hidden_test("assignment2", "fc_net_loss", points=3, uses=[_NET])
def fc_net_loss(FullyConnectedNet):
    """FullyConnectedNet.loss: scores (y=None) and the loss (softmax + 0.5 * reg * sum of W ** 2 over the
    weights) match the torch net for 1, 2 and 4 layers, with and without reg, X with several axes."""
    rng = case_rng(6202)
    for hidden_dims, x_shape, num_classes, reg, dtype in _LOSS_CASES:
        dims, X, y, params = _problem(rng, hidden_dims, x_shape, num_classes, dtype)
        label = _describe(hidden_dims, x_shape, num_classes, dtype, reg=reg)
        model = _net_with(FullyConnectedNet, params, hidden_dims, dims[0], num_classes, dtype, reg=reg)
        want = oracle.fc_net(params, X, y, reg=reg)
        scores = _call_loss(model, X, None, label)
        expect_close(f"{label}: scores = loss(X)", scores, want.scores, dtype,
                     {"shape": "loss(X) with y=None returns the scores, one row per example and one column per class.",
                      "values": _SCORES_HINT},
                     [("the scores go through a ReLU: the last affine layer's output is the scores as they are.",
                       np.maximum(want.scores, 0))], keep_dtype=True)
        loss, _ = _call_loss(model, X, y, label)
        if np.ndim(loss) != 0:
            raise CheckFailed(f"{label}: the loss must be a single number, got an array of shape {np.shape(loss)}.")
        L = len(dims) - 1
        weights = [f"W{layer}" for layer in range(1, L + 1)]
        biases = [f"b{layer}" for layer in range(1, L + 1)]
        data_loss = want.loss - reg * _l2(params, weights)
        diagnoses = []
        if reg > 0:
            diagnoses += [("the L2 term 0.5 * reg * sum(W ** 2) is missing from the loss.", data_loss),
                          ("the L2 term has a factor 0.5 in this net: 0.5 * reg * sum(W ** 2).",
                           data_loss + 2 * reg * _l2(params, weights)),
                          ("the L2 term covers the biases too; only the weights W1..WL are regularized.",
                           want.loss + reg * _l2(params, biases)),
                          ("the L2 term covers only the last layer's W; every weight matrix W1..WL is regularized.",
                           data_loss + reg * _l2(params, weights[-1:]))]
        diagnoses.append(("the softmax loss must be averaged over the N examples.",
                          data_loss * len(X) + (want.loss - data_loss)))
        expect_close(f"{label}: loss", float(loss), want.loss, dtype, _LOSS_HINT, diagnoses)


@hidden_test("assignment2", "fc_net_grads", points=3, uses=[_NET])
def fc_net_grads(FullyConnectedNet):
    """FullyConnectedNet.loss: grads has one entry per param, each matching torch autograd (L2 gradient reg * W
    on the weights only) for 1, 2 and 4 layers, float64."""
    rng = case_rng(6303)
    for hidden_dims, x_shape, num_classes, reg, dtype in [c for c in _LOSS_CASES if c[-1] == np.float64]:
        dims, X, y, params = _problem(rng, hidden_dims, x_shape, num_classes, dtype)
        label = _describe(hidden_dims, x_shape, num_classes, dtype, reg=reg)
        model = _net_with(FullyConnectedNet, params, hidden_dims, dims[0], num_classes, dtype, reg=reg)
        _, grads = _call_loss(model, X, y, label)
        if grads is None or not hasattr(grads, "keys"):
            raise CheckFailed(f"{label}: grads is {type(grads).__name__}; loss(X, y) returns (loss, grads) with grads a "
                              "dict of arrays.")
        _expect_keys(dict(grads), set(params), label, "grads has one entry per key of self.params.")
        want = oracle.fc_net(params, X, y, reg=reg)
        data = oracle.fc_net(params, X, y, reg=0.0) if reg > 0 else want
        expect_net_gradients(label, grads, params, sorted(params, key=_layer_order), want.grads, data.grads, reg,
                             dtype, _GRADS_HINT)


# --------------------------------------------------------------------------- bn_fc_net

@hidden_test("assignment2", "bn_fc_net", points=3, uses=[_NET])
def bn_fc_net(FullyConnectedNet):
    """FullyConnectedNet with normalization="batchnorm" and "layernorm": gamma1.. (ones) and beta1.. (zeros) per
    hidden layer; the training loss and every gradient match the torch net; test mode (y=None) uses batchnorm's
    running averages from training.  reg = 0, no dropout."""
    rng = case_rng(6404)
    for normalization, hidden_dims, x_shape, num_classes in [("batchnorm", [6, 5], (10, 7), 4),
                                                             ("layernorm", [5, 8, 4], (7, 3, 2), 3)]:
        dtype = np.float64
        dims, X, y, params = _problem(rng, hidden_dims, x_shape, num_classes, dtype, normalization)
        label = _describe(hidden_dims, x_shape, num_classes, dtype, normalization=normalization)
        model = FullyConnectedNet(list(hidden_dims), input_dim=dims[0], num_classes=num_classes,
                                  normalization=normalization, dtype=_dtype(dtype))
        initial = _read_params(model, label)
        _expect_keys(initial, _expected_keys(len(dims) - 1, normalization), label,
                     "With normalization, every HIDDEN layer l has gamma{l} and beta{l} (the last affine layer has "
                     "none).")
        for layer, dim in enumerate(hidden_dims, start=1):
            for key, fill in ((f"gamma{layer}", 1.0), (f"beta{layer}", 0.0)):
                value = np.asarray(initial[key])
                if value.shape != (dim,):
                    raise CheckFailed(f"{label}: params[{key!r}] has shape {value.shape} but expected ({dim},), one "
                                      "entry per unit of the hidden layer it normalises.")
                if value.dtype != np.dtype(dtype) or np.any(value != fill):
                    raise CheckFailed(f"{label}: params[{key!r}] must start as {'ones' if fill else 'zeros'} of "
                                      f"dtype {np.dtype(dtype).name}.")
        model.params = {k: v.copy() for k, v in params.items()}

        loss, grads = _call_loss(model, X, y, label)
        want = oracle.fc_net(params, X, y, normalization=normalization)
        expect_close(f"{label}: training loss", plain(loss), want.loss, dtype,
                     f"in training each hidden layer is affine - {normalization} (with gamma{{l}}, beta{{l}} and the "
                     "layer's entry of self.bn_params) - relu; check that "
                     + ("batchnorm_forward passes bn_forward_train" if normalization == "batchnorm" else
                        "layernorm_forward passes bn_layernorm_forward") + " first.")
        _expect_keys(dict(grads), set(params), label, "grads has one entry per key of self.params.")
        for key in sorted(params, key=_layer_order):
            reference = want.grads[key]
            layer = _layer_order(key)[0]
            if normalization == "batchnorm" and key == f"b{layer}" and layer < len(dims) - 1:
                # batchnorm subtracts the batch mean, so the bias before it has a zero gradient: rounding noise
                # is measured against the layer's weight gradient instead.
                got = np.asarray(grads[key], dtype=np.float64)
                scale = float(np.max(np.abs(want.grads[f"W{layer}"])))
                if got.shape != reference.shape or not np.all(np.isfinite(got)) or \
                        np.max(np.abs(got)) > tolerance(dtype, kind="gradient") * scale:
                    raise CheckFailed(f"{label}: grads[{key!r}] should be 0 up to rounding (shape {reference.shape}): "
                                      "batchnorm subtracts the minibatch mean, which removes the bias before it; "
                                      "the gradient reaching it is the dx of batchnorm's backward pass.")
                continue
            expect_close(f"{label}: grads[{key!r}]", grads[key], reference, dtype,
                         {"shape": f"grads[{key!r}] has the shape of params[{key!r}].",
                          "values": f"each hidden layer backpropagates relu, then {normalization}'s backward pass (whose "
                                    f"dgamma, dbeta are grads['gamma{{l}}'], grads['beta{{l}}']), then the affine "
                                    f"layer; check that {normalization}_backward passes its own test first."},
                         kind="gradient")

        X_test = (rng.standard_normal(x_shape) + 0.5).astype(dtype)
        scores = _call_loss(model, X_test, None, label)
        test = oracle.fc_net(params, X_test, None, normalization=normalization, running=want.running)
        diagnoses = []
        if normalization == "batchnorm":
            diagnoses = [("test mode normalises with the minibatch's statistics: with y=None each batchnorm layer "
                          "must run in test mode, with the running averages of self.bn_params.",
                          oracle.fc_net(params, X_test, None, normalization=normalization, train=True).scores),
                         ("the running averages were not updated in training: batchnorm_forward writes them into the "
                          "layer's bn_param, which must be the net's own entry of self.bn_params.",
                          oracle.fc_net(params, X_test, None, normalization=normalization).scores)]
        expect_close(f"{label}: test-mode scores = loss(X) after one training pass", scores, test.scores, dtype,
                     "with y=None the net runs in test mode" + (": batchnorm uses the running averages written in "
                                                                "training." if normalization == "batchnorm" else "."),
                     diagnoses)


# --------------------------------------------------------------------------- dropout_fc_net

@hidden_test("assignment2", "dropout_fc_net", points=3, uses=[_NET])
def dropout_fc_net(FullyConnectedNet):
    """FullyConnectedNet with dropout_keep_ratio < 1 and a seed: the training loss and gradients match the torch
    net with the API's masks (one reseeded np.random.rand draw per layer, kept below p, scaled by 1 / p); test
    mode (y=None) drops nothing.  reg = 0, no normalization."""
    rng = case_rng(6505)
    for hidden_dims, x_shape, num_classes, p in [([8, 6], (12, 9), 4, 0.6), ([5, 7, 4], (9, 2, 3), 3, 0.3)]:
        dtype = np.float64
        dims, X, y, params = _problem(rng, hidden_dims, x_shape, num_classes, dtype)
        seed = int(rng.integers(0, 2 ** 31 - 1))
        label = _describe(hidden_dims, x_shape, num_classes, dtype, dropout_keep_ratio=p, seed="<given>")
        model = _net_with(FullyConnectedNet, params, hidden_dims, dims[0], num_classes, dtype,
                          dropout_keep_ratio=p, seed=seed)
        masks = [oracle.dropout_mask(seed, (x_shape[0], h), p) for h in hidden_dims]
        loss, grads = _call_loss(model, X, y, label)
        want = oracle.fc_net(params, X, y, dropout_scales=[m / p for m in masks])
        unscaled = oracle.fc_net(params, X, y, dropout_scales=[m.astype(float) for m in masks])
        no_dropout = oracle.fc_net(params, X, y)
        expect_close(f"{label}: training loss", plain(loss), want.loss, dtype,
                     "in training each hidden layer is affine - relu - dropout (dropout_forward with "
                     "self.dropout_param, whose seed reseeds every dropout layer).",
                     [("the kept units are not rescaled by 1 / p in training (inverted dropout).", unscaled.loss),
                      ("no dropout is applied in training: each hidden layer needs dropout after its ReLU.",
                       no_dropout.loss)])
        _expect_keys(dict(grads), set(params), label, "grads has one entry per key of self.params.")
        for key in sorted(params, key=_layer_order):
            expect_close(f"{label}: grads[{key!r}]", grads[key], want.grads[key], dtype,
                         {"shape": f"grads[{key!r}] has the shape of params[{key!r}].",
                          "values": "each hidden layer backpropagates dropout (dropout_backward with the layer's "
                                    "cache), then relu, then the affine layer."},
                         [("the kept units are not rescaled by 1 / p in training (inverted dropout).",
                           unscaled.grads[key])], kind="gradient")
        scores = _call_loss(model, X, None, label)
        expect_close(f"{label}: test-mode scores = loss(X)", scores, no_dropout.scores, dtype,
                     "with y=None the net runs in test mode: dropout is the identity.",
                     [("test mode drops units: with y=None self.dropout_param['mode'] must be 'test'.",
                       oracle.fc_net(params, X, None, dropout_scales=[m / p for m in masks], train=True).scores)])
