"""Reference conv layers and the three-layer convnet for the hidden tests of ConvolutionalNetworks.ipynb.

Independent of the numpy solutions and of ``cs231n_lib.fast_layers``: every forward pass is a PyTorch
built-in (``F.conv2d``, ``F.max_pool2d``, ``F.batch_norm``, ``F.group_norm``), evaluated in float64 on
``torch_device.device()``, and every gradient comes from autograd (a vector-Jacobian product with the
given upstream ``dout``).  Tests compare with ``kit.tolerance(dtype, "cpu", ...)`` (float64 references).

Conventions (API.md, assignment 2) and where torch differs:

- ``conv``: ``x (N, C, H, W)``, ``w (F, C, HH, WW)``, ``b (F,)``; ``pad`` zeros on every side, one
  ``stride`` both ways -- ``F.conv2d``'s layout and its cross-correlation (no filter flip), as CS231n.
- ``max_pool``: no padding; torch routes each window's gradient to one maximum (ties cannot be told apart
  on continuous random inputs, which the tests use).
- ``spatial_batchnorm_train``: the statistics of each channel over N, H and W, the biased variance; the
  running averages the CS231n way (``momentum * running + (1 - momentum) * batch``, biased variance), so,
  as in :mod:`grading.oracles.layers`, they are computed explicitly rather than taken from torch.
- ``spatial_groupnorm``: G groups of C // G CONSECUTIVE channels (``F.group_norm``), gamma and beta of
  shape ``(1, C, 1, 1)`` as API.md says (torch takes ``(C,)``), gradients returned in that shape.
- ``three_layer_convnet``: conv ('same' padding ``(filter_size - 1) // 2``, stride 1) - relu - 2x2 max pool
  stride 2 - affine - relu - affine - softmax, with ``0.5 * reg * sum(W ** 2)`` over W1, W2, W3.

Every function takes and returns numpy arrays; nothing here keeps state.
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

from grading.oracles.layers import NetOutput, _forward_backward, _f64, _labels
from grading.oracles.torch_device import to_numpy

__all__ = ["conv", "max_pool", "avg_pool", "spatial_batchnorm_train", "spatial_batchnorm_test", "spatial_groupnorm",
           "three_layer_convnet"]


def _maybe_grads(fn, arrays, dout):
    if dout is None:
        return _forward_backward(fn, arrays, None)
    out, grads = _forward_backward(fn, arrays, dout)
    return out, tuple(grads)


def conv(x, w, b, stride, pad, dout=None):
    """``F.conv2d(x, w, b, stride, pad)``; with ``dout``: ``(out, (dx, dw, db))``."""
    return _maybe_grads(lambda x, w, b: F.conv2d(x, w, b, stride=stride, padding=pad), [x, w, b], dout)


def max_pool(x, pool_height, pool_width, stride, dout=None):
    """``F.max_pool2d(x, (pool_height, pool_width), stride)``; with ``dout``: ``(out, dx)``."""
    fn = lambda x: F.max_pool2d(x, (pool_height, pool_width), stride=stride)  # noqa: E731
    if dout is None:
        return _forward_backward(fn, [x], None)
    out, (dx,) = _forward_backward(fn, [x], dout)
    return out, dx


def avg_pool(x, pool_height, pool_width, stride, dout=None):
    """``F.avg_pool2d(x, (pool_height, pool_width), stride)`` (for diagnoses: its gradient spreads each window's
    dout evenly over the window); with ``dout``: ``(out, dx)``."""
    fn = lambda x: F.avg_pool2d(x, (pool_height, pool_width), stride=stride)  # noqa: E731
    if dout is None:
        return _forward_backward(fn, [x], None)
    out, (dx,) = _forward_backward(fn, [x], dout)
    return out, dx


def spatial_batchnorm_train(x, gamma, beta, eps=1e-5, momentum=0.9, running_mean=None, running_var=None, dout=None):
    """Spatial batch normalization in training mode (``F.batch_norm(training=True)`` on ``(N, C, H, W)``:
    each channel over N, H, W).  Returns a dict: ``out``, ``running_mean``, ``running_var`` (shape (C,), the
    CS231n update, zeros when None), and with ``dout`` also ``dx``, ``dgamma`` (C,), ``dbeta`` (C,)."""
    C = np.shape(x)[1]
    fn = lambda x, g, b: F.batch_norm(x, None, None, weight=g, bias=b, training=True, eps=eps)  # noqa: E731
    result = {}
    if dout is None:
        result["out"] = _forward_backward(fn, [x, gamma, beta], None)
    else:
        result["out"], (result["dx"], result["dgamma"], result["dbeta"]) = _forward_backward(
            fn, [x, gamma, beta], dout)
    x_t = _f64(x)
    mean, var = x_t.mean(dim=(0, 2, 3)), x_t.var(dim=(0, 2, 3), correction=0)
    rm = _f64(np.zeros(C) if running_mean is None else running_mean)
    rv = _f64(np.zeros(C) if running_var is None else running_var)
    result["running_mean"] = to_numpy(momentum * rm + (1 - momentum) * mean)
    result["running_var"] = to_numpy(momentum * rv + (1 - momentum) * var)
    return result


def spatial_batchnorm_test(x, gamma, beta, running_mean, running_var, eps=1e-5):
    """Spatial batch normalization in test mode: ``F.batch_norm(training=False)`` with the running averages."""
    return to_numpy(F.batch_norm(_f64(x), _f64(running_mean), _f64(running_var), weight=_f64(gamma),
                                 bias=_f64(beta), training=False, eps=eps))


def spatial_groupnorm(x, gamma, beta, G, eps=1e-5, dout=None):
    """``F.group_norm(x, G)`` scaled by ``gamma (1, C, 1, 1)`` and shifted by ``beta (1, C, 1, 1)``; with
    ``dout``: ``(out, (dx, dgamma, dbeta))``, dgamma and dbeta of shape (1, C, 1, 1)."""
    fn = lambda x, g, b: F.group_norm(x, G, weight=g.reshape(-1), bias=b.reshape(-1), eps=eps)  # noqa: E731
    return _maybe_grads(fn, [x, gamma, beta], dout)


def three_layer_convnet(params, X, y=None, reg=0.0) -> NetOutput:
    """The ThreeLayerConvNet forward pass (and, with labels ``y``, loss and autograd gradients of every param).

    ``params``: ``W1 (F, C, k, k)``, ``b1 (F,)``, ``W2 (F * H/2 * W/2, hidden)``, ``b2``, ``W3 (hidden,
    classes)``, ``b3``.  Loss: softmax cross-entropy averaged over N plus ``0.5 * reg * sum(W ** 2)`` over
    W1, W2, W3."""
    t = {k: _f64(v, requires_grad=y is not None) for k, v in params.items()}
    k = t["W1"].shape[2]
    h = F.conv2d(_f64(X), t["W1"], t["b1"], stride=1, padding=(k - 1) // 2)
    h = F.max_pool2d(F.relu(h), 2, stride=2)
    h = F.relu(h.reshape(h.shape[0], -1) @ t["W2"] + t["b2"])
    scores = h @ t["W3"] + t["b3"]
    result = NetOutput(to_numpy(scores))
    if y is None:
        return result
    loss = F.cross_entropy(scores, _labels(y, scores.shape[1]), reduction="mean")
    loss = loss + 0.5 * reg * sum(torch.sum(t[w] ** 2) for w in ("W1", "W2", "W3"))
    keys = list(t)
    grads = torch.autograd.grad(loss, [t[key] for key in keys])
    result.loss = float(to_numpy(loss))
    result.grads = {key: to_numpy(g) for key, g in zip(keys, grads)}
    return result
