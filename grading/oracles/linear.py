"""Reference linear-classifier losses for the hidden tests of ``svm.ipynb`` and ``softmax.ipynb``.

Independent of the numpy solutions: losses are PyTorch built-ins
(``torch.nn.functional.multi_margin_loss`` and ``cross_entropy``) evaluated in
float64, and gradients come from autograd.  Tensors live on
``torch_device.device()`` (CUDA when present, CPU otherwise); in float64 the
device's rounding stays far below every tolerance.

Conventions (API.md, assignment 1): ``W (D, C)``, ``X (N, D)``, ``y (N,)``;
margin 1; data loss averaged over N; regularization ``reg * sum(W * W)``
(no 1/2).
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

from grading.oracles.torch_device import to_numpy, to_tensor

__all__ = ["svm_loss", "softmax_loss", "linear_predict"]


def _inputs(W, X, y):
    """float64 tensors of ``W (D, C)`` (requiring grad), ``X (N, D)`` and int64 labels ``y (N,)``."""
    W, X, y = np.asarray(W), np.asarray(X), np.asarray(y)
    if W.ndim != 2 or X.ndim != 2 or y.ndim != 1:
        raise ValueError(f"grading/oracles/linear.py: expected W (D, C), X (N, D), y (N,); "
                         f"got W {W.shape}, X {X.shape}, y {y.shape}")
    if X.shape[1] != W.shape[0] or len(y) != len(X):
        raise ValueError(f"grading/oracles/linear.py: shapes do not agree: W {W.shape}, X {X.shape}, y {y.shape}")
    if len(y) and not (0 <= y.min() and y.max() < W.shape[1]):
        raise ValueError(f"grading/oracles/linear.py: labels must lie in [0, {W.shape[1]}), "
                         f"got [{y.min()}, {y.max()}]")
    W_t = to_tensor(W, requires_grad=True, dtype=np.float64)
    return W_t, to_tensor(X, dtype=np.float64), to_tensor(y, dtype=np.int64)


def _loss_and_grad(data_loss_fn, W, X, y, reg):
    W_t, X_t, y_t = _inputs(W, X, y)
    loss = data_loss_fn(X_t @ W_t, y_t) + reg * torch.sum(W_t * W_t)
    loss.backward()
    return float(to_numpy(loss)), to_numpy(W_t.grad)


def _multiclass_hinge(scores, y):
    # multi_margin_loss averages sum_{j != y_i} max(0, 1 - s_{y_i} + s_j) over the C classes
    # as well as over N; the CS231n SVM loss averages over N only, hence the factor C.
    return F.multi_margin_loss(scores, y, p=1, margin=1.0, reduction="mean") * scores.shape[1]


def svm_loss(W, X, y, reg):
    """Multiclass (Weston-Watkins) SVM loss and its gradient.

    ``loss = mean_i sum_{j != y_i} max(0, s_ij - s_iy_i + 1) + reg * sum(W * W)`` with ``s = X @ W``.
    Returns ``(loss: float, dW: float64 array (D, C))``.
    """
    return _loss_and_grad(_multiclass_hinge, W, X, y, reg)


def softmax_loss(W, X, y, reg):
    """Softmax cross-entropy loss and its gradient.

    ``loss = mean_i -log softmax(s_i)[y_i] + reg * sum(W * W)`` with ``s = X @ W``.
    Returns ``(loss: float, dW: float64 array (D, C))``.
    """
    return _loss_and_grad(lambda s, t: F.cross_entropy(s, t, reduction="mean"), W, X, y, reg)


def linear_predict(W, X) -> np.ndarray:
    """Labels ``argmax_j (X @ W)_ij``, shape ``(N,)``, int64."""
    return to_numpy(torch.argmax(to_tensor(X, dtype=np.float64) @ to_tensor(W, dtype=np.float64), dim=1))
