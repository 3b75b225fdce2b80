"""Pure math behind the kNN widget: toy data, distances, tie-aware voting.

Everything here works on small 2-D point sets and returns plain numpy arrays,
so the widget (``knn_demo.py``) only wires controls to these functions.

Distances come from :func:`scipy.spatial.distance.cdist`; the vote is tie-aware:
when two or more classes share the largest count among the k nearest
neighbours, the prediction is :data:`TIE` (-1) and the widget draws it white.
(The graded ``KNearestNeighbor.predict_labels`` breaks ties toward the smaller
label instead; this module is deliberately a different function.)
"""

from __future__ import annotations

import numpy as np
from scipy.spatial.distance import cdist

__all__ = [
    "TIE", "METRICS", "make_points", "distances", "nearest_neighbors", "vote",
    "predict", "make_grid", "accuracy", "accuracy_vs_k", "move_point",
]

#: Label returned for a tied vote ("no class").
TIE = -1

#: Widget metric name -> scipy ``cdist`` metric.
METRICS = {"L1": "cityblock", "L2": "euclidean"}

#: Points live in this square (both axes).
BOUNDS = (-1.0, 1.0)


def make_points(num_points, num_classes, seed=0, num_val=0, spread=0.25):
    """Random 2-D training points in clusters, plus held-out points from the same clusters.

    Each class has two cluster centres. Returns ``X (num_points, 2)``,
    ``y (num_points,)``, ``X_val (num_val, 2)``, ``y_val (num_val,)``; points lie
    inside :data:`BOUNDS`, labels in ``[0, num_classes)``, and every class has at
    least one training point. The same ``seed`` gives the same clusters.
    """
    num_points, num_classes, num_val = int(num_points), int(num_classes), int(num_val)
    if num_classes < 1:
        raise ValueError(f"make_points: num_classes must be >= 1, got {num_classes}")
    if num_points < num_classes:
        raise ValueError(f"make_points: num_points ({num_points}) must be at least num_classes ({num_classes}) "
                         "so every class has a point")
    if num_val < 0:
        raise ValueError(f"make_points: num_val must be >= 0, got {num_val}")
    rng = np.random.default_rng(seed)
    centres = rng.uniform(-0.7, 0.7, size=(num_classes, 2, 2))

    def sample(n):
        y = np.arange(n) % num_classes
        rng.shuffle(y)
        which = rng.integers(0, 2, size=n)
        X = centres[y, which] + spread * rng.standard_normal((n, 2))
        lo, hi = BOUNDS
        return np.clip(X, lo + 0.02, hi - 0.02), y.astype(np.int64)

    X, y = sample(num_points)
    X_val, y_val = sample(num_val)
    return X, y, X_val, y_val


def _check_metric(metric):
    if metric not in METRICS:
        raise ValueError(f"metric must be one of {sorted(METRICS)}, got {metric!r}")
    return METRICS[metric]


def distances(X_query, X_train, metric="L2"):
    """Distance matrix ``(num_query, num_train)`` with metric ``'L1'`` or ``'L2'``."""
    return cdist(np.asarray(X_query, dtype=np.float64), np.asarray(X_train, dtype=np.float64),
                 metric=_check_metric(metric))


def nearest_neighbors(X_query, X_train, k, metric="L2"):
    """Indices ``(num_query, k)`` of the k nearest training points, nearest first, and their distances.

    Equal distances keep training order (stable sort), so results are deterministic.
    """
    X_train = np.asarray(X_train)
    k = int(k)
    if not 1 <= k <= len(X_train):
        raise ValueError(f"k must be between 1 and the number of training points ({len(X_train)}), got {k}")
    d = distances(X_query, X_train, metric)
    idx = np.argsort(d, axis=1, kind="stable")[:, :k]
    return idx, np.take_along_axis(d, idx, axis=1)


def vote(neighbor_labels, num_classes):
    """Tie-aware majority vote.

    ``neighbor_labels (M, k)`` integer labels -> ``(M,)`` winning label, or
    :data:`TIE` where several classes share the largest count.
    """
    labels = np.asarray(neighbor_labels)
    if labels.ndim != 2:
        raise ValueError(f"vote: neighbor_labels must have shape (M, k), got {labels.shape}")
    counts = (labels[:, :, None] == np.arange(num_classes)[None, None, :]).sum(axis=1)  # (M, C)
    best = counts.max(axis=1)
    winners = counts == best[:, None]
    out = np.argmax(counts, axis=1)
    out[winners.sum(axis=1) > 1] = TIE
    return out


def predict(X_query, X_train, y_train, k, metric="L2", num_classes=None):
    """kNN labels ``(num_query,)`` for ``X_query``; ties are :data:`TIE`."""
    y_train = np.asarray(y_train)
    if num_classes is None:
        num_classes = int(y_train.max()) + 1
    idx, _ = nearest_neighbors(X_query, X_train, k, metric)
    return vote(y_train[idx], num_classes)


def make_grid(resolution, bounds=BOUNDS):
    """The query grid: ``(xs (R,), ys (R,), points (R*R, 2))``, rows of ``points`` follow ``ys``."""
    lo, hi = bounds
    xs = np.linspace(lo, hi, int(resolution))
    ys = np.linspace(lo, hi, int(resolution))
    gx, gy = np.meshgrid(xs, ys)
    return xs, ys, np.column_stack([gx.ravel(), gy.ravel()])


def accuracy(predicted, y_true):
    """Fraction of exact matches; a tie (:data:`TIE`) counts as wrong."""
    predicted, y_true = np.asarray(predicted), np.asarray(y_true)
    if predicted.shape != y_true.shape:
        raise ValueError(f"accuracy: predicted shape {predicted.shape} differs from labels shape {y_true.shape}")
    return float(np.mean(predicted == y_true)) if y_true.size else float("nan")


def accuracy_vs_k(X_train, y_train, X_val, y_val, ks, metric="L2", num_classes=None):
    """Held-out accuracy for each k in ``ks`` (ties count as wrong) -> array ``(len(ks),)``."""
    return np.array([accuracy(predict(X_val, X_train, y_train, k, metric, num_classes), y_val) for k in ks])


def move_point(X, i, x, y, bounds=BOUNDS):
    """A copy of ``X (N, 2)`` with point ``i`` at ``(x, y)``, clipped into the square ``bounds``."""
    X = np.array(X, dtype=np.float64)
    i = int(i)
    if not 0 <= i < len(X):
        raise IndexError(f"move_point: index {i} out of range for {len(X)} points")
    X[i] = np.clip([float(x), float(y)], *bounds)
    return X
