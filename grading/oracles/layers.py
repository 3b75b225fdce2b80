"""Reference layers and nets for the hidden tests of assignment 2 (FullyConnectedNets,
BatchNormalization, Dropout).

Independent of the numpy solutions: every forward pass is built from PyTorch
built-ins (``matmul``, ``F.relu``, ``F.multi_margin_loss``, ``F.cross_entropy``,
``F.batch_norm``, ``F.layer_norm``), evaluated in float64 on
``torch_device.device()`` (CUDA when present, CPU otherwise), and every gradient
comes from autograd (a vector-Jacobian product with the given upstream ``dout``).
In float64 the device's rounding stays far below every tolerance, so tests compare
with ``kit.tolerance(dtype, "cpu", ...)``.

Conventions (API.md, assignment 2) and where torch differs:

- ``affine``: ``x (N, d1, ..., dk)`` is flattened to ``(N, D)``; ``w (D, M)`` (torch's
  ``F.linear`` stores ``(M, D)``, hence the plain matmul here).
- ``svm_loss``: margin 1, summed over the wrong classes, averaged over N.
  ``F.multi_margin_loss`` also divides by the number of classes C, hence the factor C.
- ``batchnorm_train``: normalises with the BIASED batch variance (as ``F.batch_norm`` does
  in training).  The running averages follow CS231n, ``running = momentum * running + (1 -
  momentum) * batch`` with the biased variance; torch's ``momentum`` is ``1 -`` CS231n's and
  torch updates ``running_var`` with the UNBIASED variance, so they are computed here
  explicitly rather than taken from ``F.batch_norm``.
- ``dropout``: ``p`` is the probability of KEEPING a unit (torch's ``F.dropout`` takes the
  probability of dropping one and draws its own mask); the mask is given explicitly, as the
  student's numpy draws it: ``np.random.RandomState(seed).rand(*shape) < p`` after
  ``np.random.seed(seed)`` (:func:`dropout_mask`), scaled by ``1 / p`` (inverted dropout).
- ``fc_net``: ``{affine - [batch/layer norm] - relu - [dropout]} x (L - 1) - affine - softmax``
  with ``0.5 * reg * sum(W ** 2)`` over the weights only.

Every function takes and returns numpy arrays; nothing here keeps state.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import torch
import torch.nn.functional as F

from grading.oracles.torch_device import to_numpy, to_tensor

__all__ = ["affine", "relu", "affine_relu", "svm_loss", "softmax_loss", "batchnorm_train", "batchnorm_test",
           "batchnorm_explicit", "layernorm", "dropout_mask", "dropout", "NetOutput", "fc_net"]


# --------------------------------------------------------------------------- plumbing

def _f64(array, requires_grad=False):
    return to_tensor(array, requires_grad=requires_grad, dtype=np.float64)


def _labels(y, num_classes):
    y = np.asarray(y)
    if y.ndim != 1 or (len(y) and not (0 <= y.min() and y.max() < num_classes)):
        raise ValueError(f"grading/oracles/layers.py: labels must be a vector in [0, {num_classes}), "
                         f"got shape {y.shape}")
    return to_tensor(y, dtype=np.int64)


def _forward_backward(fn, arrays, dout):
    """``fn(*tensors)`` on float64 copies of ``arrays``: its output, or with ``dout`` given
    ``(out, [d out . dout / d array for each array])`` (zeros for an array ``fn`` does not use)."""
    tensors = [_f64(a, requires_grad=dout is not None) for a in arrays]
    out = fn(*tensors)
    if dout is None:
        return to_numpy(out)
    grads = torch.autograd.grad(out, tensors, _f64(dout), allow_unused=True)
    return to_numpy(out), [np.zeros(np.shape(a)) if g is None else to_numpy(g) for a, g in zip(arrays, grads)]


def _loss_and_dx(loss_fn, x, y):
    x_t = _f64(x, requires_grad=True)
    loss = loss_fn(x_t, _labels(y, x_t.shape[1]))
    (dx,) = torch.autograd.grad(loss, [x_t])
    return float(to_numpy(loss)), to_numpy(dx)


# --------------------------------------------------------------------------- affine, ReLU, losses

def _affine(x, w, b):
    return x.reshape(x.shape[0], -1) @ w + b


def affine(x, w, b, dout=None):
    """``out = x.reshape(N, D) @ w + b``; with ``dout``: ``(out, (dx, dw, db))``, dx of the shape of x."""
    if dout is None:
        return _forward_backward(_affine, [x, w, b], None)
    out, grads = _forward_backward(_affine, [x, w, b], dout)
    return out, tuple(grads)


def relu(x, dout=None):
    """``max(0, x)``; with ``dout``: ``(out, dx)`` (the gradient is 0 where x <= 0)."""
    if dout is None:
        return _forward_backward(F.relu, [x], None)
    out, (dx,) = _forward_backward(F.relu, [x], dout)
    return out, dx


def affine_relu(x, w, b, dout=None):
    """``relu(affine(x, w, b))``; with ``dout``: ``(out, (dx, dw, db))``."""
    fn = lambda x, w, b: F.relu(_affine(x, w, b))  # noqa: E731
    if dout is None:
        return _forward_backward(fn, [x, w, b], None)
    out, grads = _forward_backward(fn, [x, w, b], dout)
    return out, tuple(grads)


def _hinge(scores, y):
    # multi_margin_loss averages over the C classes as well as over N; CS231n averages over N only.
    return F.multi_margin_loss(scores, y, p=1, margin=1.0, reduction="mean") * scores.shape[1]


def svm_loss(x, y):
    """Multiclass SVM loss on scores ``x (N, C)``: ``mean_i sum_{j != y_i} max(0, x_ij - x_iy_i + 1)``.
    Returns ``(loss: float, dx: float64 (N, C))``."""
    return _loss_and_dx(_hinge, x, y)


def softmax_loss(x, y):
    """Softmax cross-entropy on scores ``x (N, C)``, averaged over N.  Returns ``(loss, dx)``."""
    return _loss_and_dx(lambda s, t: F.cross_entropy(s, t, reduction="mean"), x, y)


# --------------------------------------------------------------------------- normalization

def batchnorm_train(x, gamma, beta, eps=1e-5, momentum=0.9, running_mean=None, running_var=None, dout=None):
    """Batch normalization in training mode (``F.batch_norm(training=True)``: the batch mean and the
    biased batch variance of each feature).

    Returns a dict: ``out``, ``running_mean``, ``running_var`` (the CS231n update of the given running
    averages, zeros when None, with the biased variance), and with ``dout`` also ``dx``, ``dgamma``,
    ``dbeta`` from autograd."""
    x64 = np.asarray(x, dtype=np.float64)
    D = x64.shape[1]
    fn = lambda x, g, b: F.batch_norm(x, None, None, weight=g, bias=b, training=True, eps=eps)  # noqa: E731
    result = {}
    if dout is None:
        result["out"] = _forward_backward(fn, [x, gamma, beta], None)
    else:
        result["out"], (result["dx"], result["dgamma"], result["dbeta"]) = _forward_backward(
            fn, [x, gamma, beta], dout)
    x_t = _f64(x64)
    mean, var = torch.mean(x_t, dim=0), torch.var(x_t, dim=0, correction=0)
    rm = _f64(np.zeros(D) if running_mean is None else running_mean)
    rv = _f64(np.zeros(D) if running_var is None else running_var)
    result["running_mean"] = to_numpy(momentum * rm + (1 - momentum) * mean)
    result["running_var"] = to_numpy(momentum * rv + (1 - momentum) * var)
    return result


def batchnorm_test(x, gamma, beta, running_mean, running_var, eps=1e-5):
    """Batch normalization in test mode: ``F.batch_norm(training=False)`` with the given running averages."""
    return to_numpy(F.batch_norm(_f64(x), _f64(running_mean), _f64(running_var), weight=_f64(gamma),
                                 bias=_f64(beta), training=False, eps=eps))


def batchnorm_explicit(x, gamma, beta, eps=1e-5, dout=None, ddof=0, mean_path=True, var_path=True):
    """Batch normalization in training mode from explicit torch ops, with the switches that common
    mistakes flip (for diagnoses): ``ddof=1`` the unbiased variance; ``mean_path=False`` treats the
    batch mean as a constant in the backward pass, ``var_path=False`` the variance.  With the defaults
    it equals :func:`batchnorm_train`.  Returns ``out`` or ``(out, (dx, dgamma, dbeta))``."""
    def fn(x, g, b):
        mu = x.mean(dim=0)
        mu = mu if mean_path else mu.detach()
        xc = x - mu
        var = (xc ** 2).sum(dim=0) / (x.shape[0] - ddof)
        var = var if var_path else var.detach()
        return g * xc / torch.sqrt(var + eps) + b

    if dout is None:
        return _forward_backward(fn, [x, gamma, beta], None)
    out, grads = _forward_backward(fn, [x, gamma, beta], dout)
    return out, tuple(grads)


def layernorm(x, gamma, beta, eps=1e-5, dout=None):
    """Layer normalization of each row of ``x (N, D)`` over its D features (``F.layer_norm``, biased
    variance), scaled by ``gamma (D,)`` and shifted by ``beta (D,)``.  Returns ``out`` or
    ``(out, (dx, dgamma, dbeta))``."""
    fn = lambda x, g, b: F.layer_norm(x, (x.shape[1],), weight=g, bias=b, eps=eps)  # noqa: E731
    if dout is None:
        return _forward_backward(fn, [x, gamma, beta], None)
    out, grads = _forward_backward(fn, [x, gamma, beta], dout)
    return out, tuple(grads)


# --------------------------------------------------------------------------- dropout

def dropout_mask(seed, shape, p) -> np.ndarray:
    """The keep-mask (bool) that ``np.random.seed(seed); np.random.rand(*shape) < p`` draws: the
    API's convention for a seeded dropout layer (every call reseeds, so each layer of a net draws
    the same prefix of the stream)."""
    return np.random.RandomState(seed).rand(*shape) < p


def dropout(x, mask, p, dout=None):
    """Inverted dropout with an explicit keep-``mask``: ``out = x * mask / p``; with ``dout``: ``(out, dx)``."""
    scale = np.asarray(mask, dtype=np.float64) / p
    fn = lambda x, s: x * s  # noqa: E731
    if dout is None:
        return _forward_backward(fn, [x, scale], None)
    out, (dx, _) = _forward_backward(fn, [x, scale], dout)
    return out, dx


# --------------------------------------------------------------------------- the fully-connected net

@dataclass
class NetOutput:
    """What :func:`fc_net` computed: ``scores`` always; ``loss`` and ``grads`` (one per param) in
    training; ``running``: the batchnorm running averages ``[(mean, var), ...]`` after the pass."""
    scores: np.ndarray
    loss: float | None = None
    grads: dict = field(default_factory=dict)
    running: list = field(default_factory=list)


def fc_net(params, X, y=None, *, normalization=None, reg=0.0, train=None, running=None, dropout_scales=None,
           eps=1e-5, momentum=0.9) -> NetOutput:
    """The CS231n ``FullyConnectedNet`` forward pass (and, with labels ``y``, loss and autograd gradients).

    - ``params``: ``W1..WL``, ``b1..bL`` and, with ``normalization`` ("batchnorm" or "layernorm"),
      ``gamma1..gamma(L-1)``, ``beta1..beta(L-1)``;
    - ``train``: training mode (batch statistics, dropout); default ``y is not None``, as the net's
      ``loss`` decides;
    - ``running``: batchnorm running ``[(mean, var)]`` per hidden layer (default zeros), used in test
      mode and updated in training (``NetOutput.running``);
    - ``dropout_scales``: one array per hidden layer, the multiplier applied after its ReLU in training
      (``mask / p`` for inverted dropout); None means no dropout;
    - loss: softmax cross-entropy averaged over N plus ``0.5 * reg * sum(W ** 2)`` over the weights.
    """
    train = (y is not None) if train is None else train
    L = sum(1 for k in params if k.startswith("W") and k[1:].isdigit())
    tensors = {k: _f64(v, requires_grad=y is not None) for k, v in params.items()}
    h = _f64(X)
    h = h.reshape(h.shape[0], -1)
    new_running = []
    for layer in range(1, L):
        h = h @ tensors[f"W{layer}"] + tensors[f"b{layer}"]
        gamma, beta = tensors.get(f"gamma{layer}"), tensors.get(f"beta{layer}")
        if normalization == "batchnorm":
            D = h.shape[1]
            rm, rv = (running[layer - 1] if running else (np.zeros(D), np.zeros(D)))
            rm_t, rv_t = _f64(rm), _f64(rv)
            if train:
                mean, var = h.detach().mean(dim=0), h.detach().var(dim=0, correction=0)
                new_running.append((to_numpy(momentum * rm_t + (1 - momentum) * mean),
                                    to_numpy(momentum * rv_t + (1 - momentum) * var)))
                h = F.batch_norm(h, None, None, weight=gamma, bias=beta, training=True, eps=eps)
            else:
                new_running.append((np.asarray(rm, dtype=np.float64), np.asarray(rv, dtype=np.float64)))
                h = F.batch_norm(h, rm_t, rv_t, weight=gamma, bias=beta, training=False, eps=eps)
        elif normalization == "layernorm":
            h = F.layer_norm(h, (h.shape[1],), weight=gamma, bias=beta, eps=eps)
        elif normalization is not None:
            raise ValueError(f"grading/oracles/layers.py: unknown normalization {normalization!r}")
        h = F.relu(h)
        if train and dropout_scales is not None:
            h = h * _f64(dropout_scales[layer - 1])
    scores = h @ tensors[f"W{L}"] + tensors[f"b{L}"]
    result = NetOutput(to_numpy(scores), running=new_running)
    if y is None:
        return result
    loss = F.cross_entropy(scores, _labels(y, scores.shape[1]), reduction="mean")
    loss = loss + 0.5 * reg * sum(torch.sum(tensors[f"W{layer}"] ** 2) for layer in range(1, L + 1))
    keys = list(tensors)
    grads = torch.autograd.grad(loss, [tensors[k] for k in keys], allow_unused=True)
    result.loss = float(to_numpy(loss))
    result.grads = {k: np.zeros(np.shape(params[k])) if g is None else to_numpy(g) for k, g in zip(keys, grads)}
    return result
