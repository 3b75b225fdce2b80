"""Hidden tests of ``ThreeLayerConvNet`` (``classifiers/cnn.py``, ConvolutionalNetworks.ipynb):
``conv_net_loss`` (initial params, scores, loss with reg) and ``conv_net_grads`` (every gradient, with reg).

The net is driven as ``fc_net.py`` drives FullyConnectedNet: built with the API's keyword arguments and
numpy's dtype type from the student's side; ``params`` replaced on the instance by the test's own arrays
(random biases, so an L2 term on them shows); results read as data only and compared with
``grading.oracles.conv.three_layer_convnet`` (torch in float64, autograd).  Inputs are small (the net runs
on the provided fast layers, whatever the student's naive ones do) with even H and W (the 2x2 pool halves
them after the 'same' convolution), H != W, filter sizes 3 and 5.
"""

from __future__ import annotations

import numpy as np

from cs231n_lib.checks import CheckFailed
from grading.hidden.core import case_rng, hidden_test, student_object
from grading.hidden.kit import expect_close, expect_net_gradients, expect_tuple, plain
from grading.oracles import conv as oracle

_NET = "cs231n.classifiers.cnn:ThreeLayerConvNet"
_KEYS = ("W1", "b1", "W2", "b2", "W3", "b3")


#: (N, input_dim (C, H, W), num_filters, filter_size, hidden_dim, num_classes, reg, dtype)
_CASES = [
    (3, (2, 8, 10), 3, 3, 7, 5, 0.0, np.float64),
    (4, (3, 6, 4), 4, 5, 6, 3, 0.6, np.float64),
    (2, (1, 10, 6), 2, 3, 9, 4, 0.25, np.float64),
    (5, (3, 4, 8), 5, 3, 8, 6, 0.3, np.float32),
]


def _dtype(dtype):
    return student_object(f"numpy:{np.dtype(dtype).name}")


def _shapes(input_dim, num_filters, filter_size, hidden_dim, num_classes):
    C, H, W = input_dim
    return {"W1": (num_filters, C, filter_size, filter_size), "b1": (num_filters,),
            "W2": (num_filters * (H // 2) * (W // 2), hidden_dim), "b2": (hidden_dim,),
            "W3": (hidden_dim, num_classes), "b3": (num_classes,)}


def _describe(input_dim, num_filters, filter_size, hidden_dim, num_classes, dtype, **extra):
    parts = [f"input_dim={tuple(input_dim)}", f"num_filters={num_filters}", f"filter_size={filter_size}",
             f"hidden_dim={hidden_dim}", f"num_classes={num_classes}", f"dtype={np.dtype(dtype).name}"]
    return "ThreeLayerConvNet(" + ", ".join(parts + [f"{k}={v!r}" for k, v in extra.items()]) + ")"


def _read_params(model, label):
    params = model.params
    if params is None or not hasattr(params, "keys"):
        raise CheckFailed(f"{label}: self.params is {type(params).__name__}; it must be a dict of arrays.")
    params = dict(params)
    missing, extra = sorted(set(_KEYS) - set(params)), sorted(set(params) - set(_KEYS))
    if missing or extra:
        raise CheckFailed(f"{label}: self.params has " + "; ".join(
            ([f"no {', '.join(missing)}"] if missing else []) + ([f"unexpected {', '.join(extra)}"] if extra else []))
            + ". The net's parameters are W1, b1 (conv), W2, b2 (hidden affine), W3, b3 (output affine).")
    return params


def _problem(rng, N, input_dim, num_filters, filter_size, hidden_dim, num_classes, dtype):
    shapes = _shapes(input_dim, num_filters, filter_size, hidden_dim, num_classes)
    params = {}
    for key, shape in shapes.items():
        fan_in = int(np.prod(shape[1:])) if key == "W1" else shape[0]
        scale = 1.5 / np.sqrt(fan_in) if key[0] == "W" else 0.3
        params[key] = (scale * rng.standard_normal(shape)).astype(dtype)
    X = rng.standard_normal((N, *input_dim)).astype(dtype)
    y = rng.integers(0, num_classes, size=N)
    return X, y, params


def _net_with(ThreeLayerConvNet, params, case, **kwargs):
    _, input_dim, num_filters, filter_size, hidden_dim, num_classes, reg, dtype = case
    model = ThreeLayerConvNet(input_dim=tuple(input_dim), num_filters=num_filters, filter_size=filter_size,
                              hidden_dim=hidden_dim, num_classes=num_classes, reg=reg, dtype=_dtype(dtype), **kwargs)
    model.params = {k: v.copy() for k, v in params.items()}
    return model


def _call_loss(model, X, y, label):
    if y is None:
        return model.loss(X.copy())
    return expect_tuple(model.loss(X.copy(), y.copy()), 2, f"{label}: loss(X, y) must return a tuple (loss, grads)")


def _l2(params, keys):
    return 0.5 * sum(float(np.sum(np.asarray(params[k], dtype=np.float64) ** 2)) for k in keys)


def _expect_init(ThreeLayerConvNet, case, weight_scale, dtype_given):
    """The initial params: keys, shapes, dtype (float32 by default), zero biases, weights of std weight_scale."""
    _, input_dim, num_filters, filter_size, hidden_dim, num_classes, _, dtype = case
    kwargs = dict(input_dim=tuple(input_dim), num_filters=num_filters, filter_size=filter_size, hidden_dim=hidden_dim,
                  num_classes=num_classes, weight_scale=weight_scale)
    if dtype_given:
        kwargs["dtype"] = _dtype(dtype)
    else:
        dtype = np.float32
    label = _describe(input_dim, num_filters, filter_size, hidden_dim, num_classes, dtype, weight_scale=weight_scale)
    if not dtype_given:
        label = label.replace("dtype=float32", "dtype not given")
    params = _read_params(ThreeLayerConvNet(**kwargs), label)
    shapes = _shapes(input_dim, num_filters, filter_size, hidden_dim, num_classes)
    for key in _KEYS:
        value = np.asarray(params[key])
        if value.shape != shapes[key]:
            why = {"W1": "(num_filters, C, filter_size, filter_size)",
                   "W2": "(num_filters * H/2 * W/2, hidden_dim): the 'same' conv keeps H and W, the 2x2 pool halves "
                         "them", "W3": "(hidden_dim, num_classes)"}.get(key, "one entry per output of its layer")
            raise CheckFailed(f"{label}: params[{key!r}] has shape {value.shape} but expected {shapes[key]} = {why}.")
        if value.dtype != np.dtype(dtype):
            raise CheckFailed(f"{label}: params[{key!r}] has dtype {value.dtype} but expected {np.dtype(dtype).name}: "
                              "every parameter has the dtype the net was built with (float32 by default).")
        if key[0] == "b" and np.any(value != 0):
            raise CheckFailed(f"{label}: params[{key!r}] is not all zeros; the biases start at zero.")
    weights = np.concatenate([np.asarray(params[k], dtype=np.float64).ravel() for k in ("W1", "W2", "W3")])
    std = float(weights.std())
    if not 0.8 * weight_scale < std < 1.2 * weight_scale:
        raise CheckFailed(f"{label}: the weights have std {std:.3g} but weight_scale is {weight_scale:g}; the weights "
                          "are weight_scale * np.random.randn(...) (mean 0, standard deviation weight_scale).")


_SCORES_HINT = ("the scores are conv (stride 1, pad (filter_size - 1) // 2) - relu - 2x2 max pool (stride 2) - affine - "
                "relu - affine, with no ReLU after the last affine layer (conv_relu_pool_forward, affine_relu_forward, "
                "affine_forward).")
_LOSS_HINT = ("loss = softmax loss of the scores (averaged over N) + 0.5 * reg * (sum of W1 ** 2, W2 ** 2 and W3 ** 2); "
              "the biases are not regularized.")
_GRADS_HINT = ("backpropagate from the softmax loss through affine_backward, affine_relu_backward and "
               "conv_relu_pool_backward, in that order; every W also gets the gradient of the L2 term, reg * W.")


@hidden_test("assignment2", "conv_net_loss", points=3, uses=[_NET])
def conv_net_loss(ThreeLayerConvNet):
    """ThreeLayerConvNet: initial params W1..b3 of the right shapes, of the dtype argument (float32 by default),
    zero biases, weights of std weight_scale; with the test's params, loss(X) returns the torch net's scores and
    loss(X, y) its loss (softmax + 0.5 * reg * sum of W ** 2 over W1, W2, W3), with and without reg, both dtypes."""
    rng = case_rng(7909)
    seed_student = student_object("numpy.random:seed")
    for i, case in enumerate(_CASES):
        seed_student(int(rng.integers(0, 2 ** 31 - 1)))
        _expect_init(ThreeLayerConvNet, case, weight_scale=[1e-3, 5e-2, 0.2, 1e-2][i], dtype_given=i != 3)
    for case in _CASES:
        N, input_dim, num_filters, filter_size, hidden_dim, num_classes, reg, dtype = case
        X, y, params = _problem(rng, N, input_dim, num_filters, filter_size, hidden_dim, num_classes, dtype)
        label = _describe(input_dim, num_filters, filter_size, hidden_dim, num_classes, dtype, reg=reg)
        model = _net_with(ThreeLayerConvNet, params, case)
        want = oracle.three_layer_convnet(params, X, y, reg=reg)
        scores = _call_loss(model, X, None, label)
        expect_close(f"{label}: scores = loss(X)", scores, want.scores, dtype,
                     {"shape": "loss(X) with y=None returns the scores, (N, num_classes).", "values": _SCORES_HINT},
                     [("the scores go through a ReLU: the last affine layer's output is the scores as they are.",
                       np.maximum(want.scores, 0))], keep_dtype=True)
        loss, _ = _call_loss(model, X, y, label)
        if np.ndim(loss) != 0:
            raise CheckFailed(f"{label}: the loss must be a single number, got an array of shape {np.shape(loss)}.")
        weights, biases = ("W1", "W2", "W3"), ("b1", "b2", "b3")
        data_loss = want.loss - reg * _l2(params, weights)
        diagnoses = []
        if reg > 0:
            diagnoses += [("the L2 term 0.5 * reg * sum(W ** 2) is missing from the loss.", data_loss),
                          ("the L2 term has a factor 0.5 in this net: 0.5 * reg * sum(W ** 2).",
                           data_loss + 2 * reg * _l2(params, weights)),
                          ("the L2 term covers the biases too; only W1, W2 and W3 are regularized.",
                           want.loss + reg * _l2(params, biases)),
                          ("the L2 term misses W1, the conv filters: W1, W2 and W3 are all regularized.",
                           data_loss + reg * _l2(params, weights[1:]))]
        expect_close(f"{label}: loss", float(plain(loss)), want.loss, dtype, _LOSS_HINT, diagnoses)


@hidden_test("assignment2", "conv_net_grads", points=3, uses=[_NET])
def conv_net_grads(ThreeLayerConvNet):
    """ThreeLayerConvNet.loss(X, y): grads has one entry per param, each matching torch autograd (L2 gradient
    reg * W on W1, W2, W3 only), with and without reg, float64 and float32."""
    rng = case_rng(8010)
    for case in _CASES:
        N, input_dim, num_filters, filter_size, hidden_dim, num_classes, reg, dtype = case
        X, y, params = _problem(rng, N, input_dim, num_filters, filter_size, hidden_dim, num_classes, dtype)
        label = _describe(input_dim, num_filters, filter_size, hidden_dim, num_classes, dtype, reg=reg)
        _, grads = _call_loss(_net_with(ThreeLayerConvNet, params, case), X, y, label)
        if grads is None or not hasattr(grads, "keys"):
            raise CheckFailed(f"{label}: grads is {type(grads).__name__}; loss(X, y) returns (loss, grads) with grads a "
                              "dict of arrays.")
        grads = dict(grads)
        missing, extra = sorted(set(_KEYS) - set(grads)), sorted(set(grads) - set(_KEYS))
        if missing or extra:
            raise CheckFailed(f"{label}: grads has " + "; ".join(
                ([f"no {', '.join(missing)}"] if missing else []) + ([f"unexpected {', '.join(extra)}"] if extra
                                                                     else [])) + "; one entry per key of self.params.")
        want = oracle.three_layer_convnet(params, X, y, reg=reg)
        data = oracle.three_layer_convnet(params, X, y, reg=0.0) if reg > 0 else want
        expect_net_gradients(label, grads, params, _KEYS, want.grads, data.grads, reg, dtype, _GRADS_HINT,
                             keep_dtype=True)
