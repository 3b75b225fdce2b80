"""The idx-ubyte format of MNIST and Fashion-MNIST (optionally gzipped).

Header: two zero bytes, a type code (0x08 = unsigned byte), the number of
dimensions, then one big-endian uint32 per dimension; the data follow.
"""

from __future__ import annotations

import gzip
import struct
import zlib
from pathlib import Path

import numpy as np

from .registry import DatasetError

UBYTE = 0x08


def read_idx(path, fix="") -> np.ndarray:
    """The array stored in idx file ``path`` (``.gz`` is decompressed).

    Raises :class:`DatasetError` naming the file (and ``fix``) when it is
    truncated, not gzip, or not idx.
    """
    path = Path(path)
    opener = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rb") as f:
            raw = f.read()
    except FileNotFoundError:
        raise DatasetError(f"{path} is missing. Fix: {fix}") from None
    except (OSError, EOFError, zlib.error) as exc:
        raise DatasetError(f"{path} is corrupt or truncated ({exc}). Delete it, then: {fix}") from None
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0 or raw[2] != UBYTE or raw[3] == 0:
        raise DatasetError(f"{path} is not an idx-ubyte file (bad magic number {raw[:4].hex()}). "
                           f"Delete it, then: {fix}")
    ndim = raw[3]
    header = 4 + 4 * ndim
    if len(raw) < header:
        raise DatasetError(f"{path} is truncated (incomplete header). Delete it, then: {fix}")
    shape = struct.unpack(f">{ndim}I", raw[4:header])
    expected = int(np.prod(shape))
    if len(raw) - header != expected:
        raise DatasetError(f"{path} holds {len(raw) - header} bytes of data but its header promises "
                           f"{expected} (shape {shape}): truncated or corrupt. Delete it, then: {fix}")
    return np.frombuffer(raw, dtype=np.uint8, offset=header).reshape(shape)


def load_fashion_mnist(folder, fix=""):
    """``(X_train, y_train, X_test, y_test)`` from the four idx files in ``folder``.

    X: uint8 ``(N, 28, 28, 1)``; y: int64 ``(N,)``.
    """
    folder = Path(folder)
    out = []
    for split in ("train", "t10k"):
        X = read_idx(folder / f"{split}-images-idx3-ubyte.gz", fix)
        y = read_idx(folder / f"{split}-labels-idx1-ubyte.gz", fix)
        if X.ndim != 3 or y.ndim != 1 or len(X) != len(y):
            raise DatasetError(f"{folder}: {split} images {X.shape} and labels {y.shape} do not match. Fix: {fix}")
        out += [X[..., None], y.astype(np.int64)]
    return tuple(out)
