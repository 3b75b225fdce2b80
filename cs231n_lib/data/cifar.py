"""CIFAR-10 in its python-pickle format (``cifar-10-batches-py/``).

Each batch is a pickled dict with ``b'data'`` (N x 3072 uint8, channel-major
rows) and ``b'labels'`` (N ints).
"""

from __future__ import annotations

import pickle
from pathlib import Path

import numpy as np

from .registry import DatasetError, get_dataset

FIX = get_dataset("cifar10").fix_command()


def load_CIFAR_batch(filename):
    """One batch: X uint8 ``(N, 32, 32, 3)``, y int64 ``(N,)``."""
    filename = Path(filename)
    try:
        with open(filename, "rb") as f:
            batch = pickle.load(f, encoding="bytes")
        X = np.asarray(batch[b"data"], dtype=np.uint8)
        y = np.asarray(batch[b"labels"], dtype=np.int64)
    except FileNotFoundError:
        raise DatasetError(f"{filename} is missing. Fix: {FIX}") from None
    except (pickle.UnpicklingError, EOFError, KeyError, TypeError, ValueError, AttributeError, IndexError) as exc:
        raise DatasetError(f"{filename} is corrupt or truncated ({type(exc).__name__}: {exc}). "
                           f"Delete the folder, then: {FIX}") from None
    if X.ndim != 2 or X.shape[1] != 3072 or len(X) != len(y):
        raise DatasetError(f"{filename}: data {X.shape} / labels {y.shape} are not CIFAR-10 batches. "
                           f"Delete the folder, then: {FIX}")
    return X.reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1), y


def load_CIFAR10(ROOT):
    """The classic CS231n loader: ``Xtr, Ytr, Xte, Yte`` from ``ROOT`` (a cifar-10-batches-py folder).

    X uint8 ``(N, 32, 32, 3)`` (50000 train, 10000 test), y int64.
    """
    ROOT = Path(ROOT)
    xs, ys = zip(*(load_CIFAR_batch(ROOT / f"data_batch_{b}") for b in range(1, 6)))
    Xte, Yte = load_CIFAR_batch(ROOT / "test_batch")
    return np.concatenate(xs), np.concatenate(ys), Xte, Yte
