"""Pure math behind the linear-classifier widget (after the Stanford CS231n web demo).

A linear classifier on 2-D points: ``scores = X @ W.T + b`` with ``W (C, 2)``
(one row per class, as in the Stanford demo) and ``b (C,)``. Four losses, each
per point ``i`` with correct class ``y = y_i`` and scores ``s``:

- ``"svm_ww"`` -- multiclass SVM of Weston & Watkins (1999), the CS231n SVM:
  ``sum_{j != y} max(0, s_j - s_y + 1)``
- ``"svm_ova"`` -- one-vs-all: ``max(0, 1 - s_y) + sum_{j != y} max(0, 1 + s_j)``
- ``"svm_structured"`` -- structured SVM: ``max(0, max_{j != y} s_j - s_y + 1)``
- ``"softmax"`` -- cross-entropy: ``-log(exp(s_y) / sum_j exp(s_j))``

The objective is ``mean_i L_i + reg * sum(W * W)`` (``b`` is not regularised;
no 1/2, as in assignment 1).

Gradients come from torch autograd -- this module deliberately contains no
hand-derived SVM or softmax gradient (those are graded in assignment 1).
"""

from __future__ import annotations

import numpy as np
import torch

__all__ = [
    "LOSSES", "STANFORD_X", "STANFORD_Y", "STANFORD_W", "STANFORD_B", "scores", "per_point_loss",
    "objective", "sgd_step", "violators", "predict", "boundary_segment", "random_parameters",
]

#: Loss key -> label shown in the widget.
LOSSES = {
    "svm_ww": "Multiclass SVM (Weston-Watkins)",
    "svm_ova": "One-vs-all SVM",
    "svm_structured": "Structured SVM",
    "softmax": "Softmax (cross-entropy)",
}

#: The Stanford demo's nine points, three per class, and its starting parameters.
STANFORD_X = np.array([[0.5, 0.4], [0.8, 0.3], [0.3, 0.8],
                       [-0.4, 0.3], [-0.3, 0.7], [-0.7, 0.2],
                       [0.7, -0.4], [0.5, -0.6], [-0.4, -0.5]])
STANFORD_Y = np.array([0, 0, 0, 1, 1, 1, 2, 2, 2])
STANFORD_W = np.array([[1.0, 2.0], [2.0, -4.0], [3.0, -1.0]])
STANFORD_B = np.array([0.0, 0.5, -0.5])


def _tensor(a):
    return a if isinstance(a, torch.Tensor) else torch.as_tensor(np.asarray(a, dtype=np.float64))


def _check_kind(kind):
    if kind not in LOSSES:
        raise ValueError(f"unknown loss {kind!r}; choose one of {sorted(LOSSES)}")


def scores(W, b, X):
    """Class scores ``(N, C)`` for points ``X (N, 2)``, ``W (C, 2)``, ``b (C,)`` (numpy or torch)."""
    W, b, X = _tensor(W), _tensor(b), _tensor(X)
    if W.ndim != 2 or X.ndim != 2 or W.shape[1] != X.shape[1] or b.shape != (W.shape[0],):
        raise ValueError(f"scores: need W (C, D), b (C,), X (N, D); got W {tuple(W.shape)}, "
                         f"b {tuple(b.shape)}, X {tuple(X.shape)}")
    return X @ W.T + b


def per_point_loss(S, y, kind):
    """Loss of each point ``(N,)`` (torch) for scores ``S (N, C)`` and labels ``y (N,)``; see module doc."""
    _check_kind(kind)
    S = _tensor(S)
    y = torch.as_tensor(np.asarray(y), dtype=torch.long)
    n, c = S.shape
    if y.shape != (n,) or (n and (int(y.min()) < 0 or int(y.max()) >= c)):
        raise ValueError(f"per_point_loss: y must have shape ({n},) with labels in [0, {c}), got {tuple(y.shape)}")
    correct = S.gather(1, y[:, None])                      # (N, 1)
    others = torch.ones_like(S, dtype=torch.bool)
    others[torch.arange(n), y] = False                     # mask of j != y_i
    if kind == "softmax":
        return torch.logsumexp(S, dim=1) - correct[:, 0]
    if kind == "svm_ww":
        return torch.where(others, torch.clamp(S - correct + 1.0, min=0.0), 0.0).sum(dim=1)
    if kind == "svm_ova":
        sign = torch.where(others, -1.0, 1.0).to(S.dtype)  # +1 for the correct class, -1 otherwise
        return torch.clamp(1.0 - sign * S, min=0.0).sum(dim=1)
    # structured: only the highest-scoring wrong class counts
    worst = torch.where(others, S, torch.tensor(-torch.inf, dtype=S.dtype)).max(dim=1).values
    return torch.clamp(worst - correct[:, 0] + 1.0, min=0.0)


def objective(W, b, X, y, kind, reg):
    """Loss and its gradients by autograd, in float64.

    Returns a dict of numpy values: ``loss`` (total), ``data_loss``, ``reg_loss``,
    ``per_point (N,)``, ``scores (N, C)``, ``dW (C, D)``, ``db (C,)``.
    """
    if reg < 0:
        raise ValueError(f"objective: reg must be >= 0, got {reg}")
    Wt = torch.tensor(np.asarray(W, dtype=np.float64), requires_grad=True)
    bt = torch.tensor(np.asarray(b, dtype=np.float64), requires_grad=True)
    S = scores(Wt, bt, X)
    losses = per_point_loss(S, y, kind)
    data_loss = losses.mean()
    reg_loss = reg * (Wt * Wt).sum()
    total = data_loss + reg_loss
    dW, db = torch.autograd.grad(total, (Wt, bt))
    return {
        "loss": float(total.detach()), "data_loss": float(data_loss.detach()),
        "reg_loss": float(reg_loss.detach()),
        "per_point": losses.detach().numpy(), "scores": S.detach().numpy(),
        "dW": dW.numpy(), "db": db.numpy(),
    }


def sgd_step(W, b, dW, db, step_size):
    """One gradient-descent step: ``(W - step_size * dW, b - step_size * db)`` (new arrays)."""
    return np.asarray(W) - step_size * np.asarray(dW), np.asarray(b) - step_size * np.asarray(db)


def violators(S, y, kind, per_point=None):
    """Boolean mask ``(N,)`` of points the loss is unhappy with.

    For the SVM losses: points with a positive loss (some margin is violated).
    Softmax loss is never zero, so there it marks misclassified points.
    """
    _check_kind(kind)
    S, y = np.asarray(S), np.asarray(y)
    if kind == "softmax":
        return np.argmax(S, axis=1) != y
    if per_point is None:
        per_point = per_point_loss(S, y, kind).numpy()
    return np.asarray(per_point) > 0


def predict(W, b, X):
    """Predicted class ``(N,)``: the highest score."""
    return np.argmax(scores(W, b, X).numpy(), axis=1)


def boundary_segment(w, b, bounds=(-1.0, 1.0)):
    """Where the line ``w . x + b = 0`` crosses the square ``bounds x bounds``.

    Returns a ``(2, 2)`` array of the two end points, or ``None`` when the line
    misses the square (or ``w`` is zero).
    """
    lo, hi = bounds
    w1, w2 = float(w[0]), float(w[1])
    pts = []
    if abs(w2) > 1e-12:
        for x in (lo, hi):
            yv = -(w1 * x + b) / w2
            if lo - 1e-12 <= yv <= hi + 1e-12:
                pts.append((x, yv))
    if abs(w1) > 1e-12:
        for yv in (lo, hi):
            x = -(w2 * yv + b) / w1
            if lo - 1e-12 <= x <= hi + 1e-12:
                pts.append((x, yv))
    uniq = []
    for p in pts:
        if all(abs(p[0] - q[0]) > 1e-9 or abs(p[1] - q[1]) > 1e-9 for q in uniq):
            uniq.append(p)
    if len(uniq) < 2:
        return None
    # the two points farthest apart (a line through a corner can yield three)
    a, c = max(((p, q) for i, p in enumerate(uniq) for q in uniq[i + 1:]),
               key=lambda pq: (pq[0][0] - pq[1][0]) ** 2 + (pq[0][1] - pq[1][1]) ** 2)
    return np.array([a, c])


def random_parameters(num_classes=3, dim=2, seed=None, scale=2.0):
    """Random ``W (num_classes, dim)`` and ``b (num_classes,)`` like the demo's "randomize" button."""
    rng = np.random.default_rng(seed)
    return scale * rng.standard_normal((num_classes, dim)), 0.5 * rng.standard_normal(num_classes)
