"""Tiny datasets in the real on-disk formats, for the data tests."""

import gzip
import hashlib
import io
import pickle
import struct
import tarfile
from pathlib import Path

import numpy as np


def idx_bytes(array: np.ndarray) -> bytes:
    array = np.asarray(array, dtype=np.uint8)
    return bytes([0, 0, 0x08, array.ndim]) + struct.pack(f">{array.ndim}I", *array.shape) + array.tobytes()


def write_fashion(folder: Path, n_train=30, n_test=10, seed=0):
    """Four idx .gz files with random images; labels cycle over the 10 classes."""
    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    arrays = {}
    for split, n in (("train", n_train), ("t10k", n_test)):
        X = rng.integers(0, 256, size=(n, 28, 28), dtype=np.uint8)
        y = (np.arange(n) % 10).astype(np.uint8)
        (folder / f"{split}-images-idx3-ubyte.gz").write_bytes(gzip.compress(idx_bytes(X)))
        (folder / f"{split}-labels-idx1-ubyte.gz").write_bytes(gzip.compress(idx_bytes(y)))
        arrays[split] = (X, y)
    return arrays


def cifar_batch_bytes(n, seed):
    rng = np.random.default_rng(seed)
    data = rng.integers(0, 256, size=(n, 3072), dtype=np.uint8)
    labels = list(rng.integers(0, 10, size=n))
    return pickle.dumps({b"data": data, b"labels": labels, b"batch_label": b"fake"}), data, labels


def write_cifar(folder: Path, n=4):
    folder.mkdir(parents=True, exist_ok=True)
    contents = {}
    for i, name in enumerate([f"data_batch_{b}" for b in range(1, 6)] + ["test_batch"]):
        raw, data, labels = cifar_batch_bytes(n, i)
        (folder / name).write_bytes(raw)
        contents[name] = (data, labels)
    return contents


def cifar_tarball(n=4) -> tuple[bytes, str]:
    """A cifar-10-python.tar.gz in memory and its md5."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        for i, name in enumerate([f"data_batch_{b}" for b in range(1, 6)] + ["test_batch"]):
            raw, _, _ = cifar_batch_bytes(n, i)
            info = tarfile.TarInfo(f"cifar-10-batches-py/{name}")
            info.size = len(raw)
            tar.addfile(info, io.BytesIO(raw))
    data = buf.getvalue()
    return data, hashlib.md5(data).hexdigest()


class FakeResponse(io.BytesIO):
    """What ``urlopen`` returns; ``fail_after`` bytes raises ConnectionError mid-stream."""

    def __init__(self, payload: bytes, fail_after=None):
        super().__init__(payload)
        self.headers = {"Content-Length": str(len(payload))}
        self.fail_after = fail_after

    def read(self, size=-1):
        if self.fail_after is not None and self.tell() >= self.fail_after:
            raise ConnectionError("connection reset by peer")
        return super().read(size)
