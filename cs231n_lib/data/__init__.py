"""Datasets for the course, offline first.

>>> data = get_data(layout="flat")          # Fashion-MNIST unless CIFAR-10 was fetched
>>> data["X_train"].shape, data["X_val"].shape, data["X_test"].shape
((59000, 784), (1000, 784), (10000, 784))

``get_data`` returns the familiar CS231n dict:

=============  ==========================================================
``X_train``    float images, shape ``(num_training, *layout)``
``y_train``    int64 labels ``(num_training,)``
``X_val``      ``(num_validation, *layout)`` -- the images right after the
               training ones in the original training set (the classic split)
``y_val``      ``(num_validation,)``
``X_test``     ``(num_test, *layout)`` from the official test set
``y_test``     ``(num_test,)``
``class_names`` tuple of class names
``mean_image`` mean training image, same layout (zeros without mean subtraction)
``name``       ``"fashion_mnist"`` or ``"cifar10"``
``image_shape`` ``(H, W, C)``: ``(28, 28, 1)`` or ``(32, 32, 3)``
=============  ==========================================================

where ``layout`` ``"NCHW"`` gives ``(C, H, W)`` per image (assignment 2),
``"NHWC"`` gives ``(H, W, C)`` and ``"flat"`` gives rows of ``H*W*C`` values
(assignment 1).  See :mod:`cs231n_lib.data.registry` for where data is looked up.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np

from .cifar import load_CIFAR10
from .idx import load_fashion_mnist
from .registry import REGISTRY, DatasetError, get_dataset, locate, resolve

__all__ = ["get_data", "load_dataset", "default_dataset", "available", "DatasetError",
           "load_CIFAR10", "get_CIFAR10_data", "REGISTRY"]

LAYOUTS = ("NCHW", "NHWC", "flat")


def default_dataset() -> str:
    """``"cifar10"`` when CIFAR-10 is present locally, else ``"fashion_mnist"``. Never downloads."""
    return "cifar10" if locate("cifar10") is not None else "fashion_mnist"


def available() -> dict:
    """Each registered dataset -> the folder it resolves to locally, or None."""
    return {name: locate(name) for name in REGISTRY}


def _signature(folder: Path, name: str) -> tuple:
    """(file, size, mtime) of every file the loader reads: a changed file invalidates the cache."""
    out = []
    for f in get_dataset(name).files:
        st = (folder / f).stat()
        out.append((f, st.st_size, st.st_mtime_ns))
    return tuple(out)


@lru_cache(maxsize=4)
def _load_raw(name: str, folder: str, signature: tuple = ()):
    """The raw arrays, cached per (dataset, folder, file signature) within one process."""
    dataset = get_dataset(name)
    fix = dataset.fix_command()
    if name == "fashion_mnist":
        arrays = load_fashion_mnist(folder, fix)
    else:
        arrays = load_CIFAR10(folder)
    for a in arrays:
        a.setflags(write=False)  # cached: callers get read-only arrays
    return arrays


def load_dataset(name=None, download=False):
    """``(X_train, y_train, X_test, y_test, class_names)`` of dataset ``name`` (default: :func:`default_dataset`).

    X uint8 ``(N, H, W, C)`` (read-only), y int64 ``(N,)``.
    """
    name = name or default_dataset()
    folder = Path(resolve(name, download=download)).resolve()
    X_train, y_train, X_test, y_test = _load_raw(name, str(folder), _signature(folder, name))
    return X_train, y_train, X_test, y_test, get_dataset(name).class_names


def _to_layout(X, layout):
    if layout == "NCHW":
        return X.transpose(0, 3, 1, 2)
    if layout == "flat":
        return X.reshape(len(X), int(np.prod(X.shape[1:])))
    return X


def get_data(name=None, num_training=None, num_validation=1000, num_test=None, subtract_mean=True,
             layout="NCHW", dtype=np.float32, download=False):
    """Train/val/test splits as a dict (see the module docstring for keys and shapes).

    ``num_training`` None -> every training image not used for validation;
    ``num_test`` None -> the whole test set.  Pixels are floats in 0..255, minus
    the mean training image when ``subtract_mean``.
    """
    if layout not in LAYOUTS:
        raise ValueError(f"layout must be one of {LAYOUTS}, got {layout!r}")
    X_all, y_all, X_test, y_test, class_names = load_dataset(name, download=download)
    name = name or default_dataset()
    n_total = len(X_all)
    if num_validation < 0 or num_validation >= n_total:
        raise ValueError(f"num_validation={num_validation} must be in [0, {n_total})")
    if num_training is None:
        num_training = n_total - num_validation
    if num_training <= 0 or num_training + num_validation > n_total:
        raise ValueError(f"num_training={num_training} + num_validation={num_validation} exceeds "
                         f"the {n_total} training images of {name}")
    num_test = len(X_test) if num_test is None else num_test
    if not 0 <= num_test <= len(X_test):
        raise ValueError(f"num_test={num_test} must be in [0, {len(X_test)}]")

    splits = {
        "train": (X_all[:num_training], y_all[:num_training]),
        "val": (X_all[num_training:num_training + num_validation], y_all[num_training:num_training + num_validation]),
        "test": (X_test[:num_test], y_test[:num_test]),
    }
    out = {}
    for split, (X, y) in splits.items():
        out[f"X_{split}"] = _to_layout(X, layout).astype(dtype)
        out[f"y_{split}"] = np.array(y, dtype=np.int64)
    mean_image = out["X_train"].mean(axis=0, dtype=np.float64).astype(dtype)
    if subtract_mean:
        for split in splits:
            out[f"X_{split}"] -= mean_image
    else:
        mean_image = np.zeros_like(mean_image)
    out.update(class_names=tuple(class_names), mean_image=mean_image, name=name,
               image_shape=get_dataset(name).image_shape)
    return out


def get_CIFAR10_data(num_training=49000, num_validation=1000, num_test=1000, subtract_mean=True):
    """The classic CS231n helper: CIFAR-10 splits, NCHW float32, mean-subtracted."""
    return get_data("cifar10", num_training=num_training, num_validation=num_validation,
                    num_test=num_test, subtract_mean=subtract_mean, layout="NCHW")
