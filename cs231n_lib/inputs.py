"""Input checks the student package calls before its own code runs, so a wrong
call fails with a sentence saying how to fix it instead of a broadcasting error
deep inside the student's loop.  They hold no solution."""

from __future__ import annotations

import numpy as np

__all__ = ["check_loss_inputs"]


def check_loss_inputs(W, X, y, name="loss"):
    """Raise ValueError, saying how to fix it, unless W (D, C), X (N, D) and y (N,) integer labels fit together."""
    if np.ndim(W) != 2 or np.ndim(X) != 2 or np.ndim(y) != 1:
        raise ValueError(f"{name}: expected W of shape (D, C), X of shape (N, D) and y of shape (N,); got W {np.shape(W)}, "
                         f"X {np.shape(X)}, y {np.shape(y)}. Flatten images first: X.reshape(len(X), -1).")
    if X.shape[1] != W.shape[0]:
        raise ValueError(f"{name}: X has D={X.shape[1]} columns but W has {W.shape[0]} rows; "
                         "append the bias column to X (preprocess) and make W of shape (D + 1, C) -- or neither.")
    if len(y) != len(X):
        raise ValueError(f"{name}: X has {len(X)} rows but y has {len(y)} labels; they must match.")
    if np.asarray(y).dtype.kind not in "iu":
        raise ValueError(f"{name}: y must hold integer labels, got dtype {np.asarray(y).dtype}; use y.astype(int).")
    if len(y) and (np.min(y) < 0 or np.max(y) >= W.shape[1]):
        raise ValueError(f"{name}: labels must lie in [0, C={W.shape[1]}), got min {np.min(y)}, max {np.max(y)}.")
