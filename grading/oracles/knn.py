"""Reference k-nearest-neighbour pieces for the hidden tests of ``knn.ipynb``.

Independent of the numpy solution: distances come from ``torch.cdist`` in
float64 with the direct (difference-based, no matrix-product expansion)
algorithm, the k nearest from ``torch.topk`` and the vote from
``scipy.stats.mode``.  Tensors live on ``torch_device.device()`` (CUDA when
present, CPU otherwise).
"""

from __future__ import annotations

import numpy as np
import torch
from scipy import stats

from grading.oracles.torch_device import to_numpy, to_tensor

__all__ = ["euclidean_distances", "k_nearest_indices", "majority_vote", "knn_predict", "vote_is_tied"]


def _as_float64_tensor(a, name):
    arr = np.asarray(a)
    if arr.ndim != 2:
        raise ValueError(f"grading/oracles/knn.py: {name} must be 2-D (rows are points), got shape {arr.shape}")
    return to_tensor(arr, dtype=np.float64)


def euclidean_distances(X_test, X_train) -> np.ndarray:
    """Euclidean distances ``dists[i, j] = ||X_test[i] - X_train[j]||_2``.

    X_test: (num_test, D), X_train: (num_train, D), any real dtype.
    Returns a float64 array (num_test, num_train).
    """
    a = _as_float64_tensor(X_test, "X_test")
    b = _as_float64_tensor(X_train, "X_train")
    if a.shape[1] != b.shape[1]:
        raise ValueError(f"grading/oracles/knn.py: X_test has D={a.shape[1]} but X_train has D={b.shape[1]}")
    d = torch.cdist(a, b, p=2.0, compute_mode="donot_use_mm_for_euclid_dist")
    return to_numpy(d)


def k_nearest_indices(dists, k) -> np.ndarray:
    """Indices (num_test, k) of the k smallest entries of each row of ``dists``, nearest first."""
    d = to_tensor(dists, dtype=np.float64)
    if not 1 <= k <= d.shape[1]:
        raise ValueError(f"grading/oracles/knn.py: k={k} must be between 1 and num_train={d.shape[1]}")
    return to_numpy(torch.topk(d, k, dim=1, largest=False, sorted=True).indices)


def majority_vote(neighbor_labels) -> np.ndarray:
    """Most frequent label of each row of ``neighbor_labels`` (num_test, k); ties go to the
    smallest label (``scipy.stats.mode`` returns the smallest of the modes)."""
    labels = np.asarray(neighbor_labels)
    return stats.mode(labels, axis=1, keepdims=False).mode


def knn_predict(dists, y_train, k) -> np.ndarray:
    """k-NN labels (num_test,) from a distance matrix (num_test, num_train) and labels (num_train,)."""
    y_train = np.asarray(y_train)
    return majority_vote(y_train[k_nearest_indices(dists, k)])


def vote_is_tied(dists, y_train, k) -> np.ndarray:
    """Boolean (num_test,): True where two or more labels share the top vote count among the k nearest."""
    labels = np.asarray(y_train)[k_nearest_indices(dists, k)]
    counts = np.stack([(labels == c).sum(axis=1) for c in np.unique(labels)], axis=1)
    return (counts == counts.max(axis=1, keepdims=True)).sum(axis=1) > 1
