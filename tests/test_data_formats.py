import gzip
import pickle

import numpy as np
import pytest

from cs231n_lib.data import DatasetError, load_CIFAR10
from cs231n_lib.data.cifar import load_CIFAR_batch
from cs231n_lib.data.idx import load_fashion_mnist, read_idx
from data_fakes import idx_bytes, write_cifar, write_fashion


def test_idx_round_trip(tmp_path):
    arrays = write_fashion(tmp_path, n_train=12, n_test=5)
    X_train, y_train, X_test, y_test = load_fashion_mnist(tmp_path)
    assert X_train.shape == (12, 28, 28, 1) and X_test.shape == (5, 28, 28, 1)
    np.testing.assert_array_equal(X_train[..., 0], arrays["train"][0])
    np.testing.assert_array_equal(y_test, arrays["t10k"][1])
    assert y_train.dtype == np.int64


@pytest.mark.parametrize("corruption, message", [
    (lambda raw: raw[: len(raw) // 2], "corrupt or truncated"),           # truncated gzip stream
    (lambda raw: b"not gzip at all", "corrupt or truncated"),
    (lambda raw: gzip.compress(b"\x00\x00\x0d\x03" + gzip.decompress(raw)[4:]), "bad magic"),
    (lambda raw: gzip.compress(gzip.decompress(raw)[:-7]), "header promises"),  # valid gzip, short data
])
def test_corrupt_idx_names_file_and_fix(tmp_path, corruption, message):
    write_fashion(tmp_path)
    path = tmp_path / "train-images-idx3-ubyte.gz"
    path.write_bytes(corruption(path.read_bytes()))
    with pytest.raises(DatasetError, match=message) as info:
        read_idx(path, fix="make data")
    assert str(path) in str(info.value) and "make data" in str(info.value)


def test_missing_idx_file(tmp_path):
    with pytest.raises(DatasetError, match="missing"):
        read_idx(tmp_path / "nope.gz", fix="make data")


def test_uncompressed_idx(tmp_path):
    (tmp_path / "a.idx").write_bytes(idx_bytes(np.arange(6).reshape(2, 3)))
    np.testing.assert_array_equal(read_idx(tmp_path / "a.idx"), np.arange(6).reshape(2, 3))


def test_cifar_round_trip(tmp_path):
    contents = write_cifar(tmp_path, n=3)
    Xtr, Ytr, Xte, Yte = load_CIFAR10(tmp_path)
    assert Xtr.shape == (15, 32, 32, 3) and Xte.shape == (3, 32, 32, 3)
    data, labels = contents["data_batch_1"]
    # channel-major rows: the first 1024 values are the red plane
    np.testing.assert_array_equal(Xtr[0, :, :, 0].ravel(), data[0, :1024])
    np.testing.assert_array_equal(Ytr[:3], labels)


@pytest.mark.parametrize("payload, message", [
    (b"garbage", "corrupt or truncated"),
    (pickle.dumps({b"data": np.zeros((2, 3072), np.uint8)}), "corrupt or truncated"),  # no labels
    (pickle.dumps({b"data": np.zeros((2, 100), np.uint8), b"labels": [0, 1]}), "not CIFAR-10"),
])
def test_corrupt_cifar_batch(tmp_path, payload, message):
    write_cifar(tmp_path)
    (tmp_path / "data_batch_3").write_bytes(payload)
    with pytest.raises(DatasetError, match=message) as info:
        load_CIFAR10(tmp_path)
    assert "data_batch_3" in str(info.value) and "fetch cifar10" in str(info.value)


def test_truncated_cifar_batch(tmp_path):
    write_cifar(tmp_path)
    path = tmp_path / "test_batch"
    path.write_bytes(path.read_bytes()[:500])
    with pytest.raises(DatasetError, match="test_batch"):
        load_CIFAR_batch(path)
