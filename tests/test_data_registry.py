import hashlib

import numpy as np
import pytest

from cs231n_lib import data as D
from cs231n_lib.data import download as dl
from cs231n_lib.data import registry
from cs231n_lib.data.__main__ import main as cli
from data_fakes import FakeResponse, cifar_tarball, write_cifar, write_fashion


@pytest.fixture
def roots(tmp_path, monkeypatch):
    """Empty cache and system roots; the network is replaced by a guard."""
    cache, system = tmp_path / "cache", tmp_path / "system"
    cache.mkdir(), system.mkdir()
    monkeypatch.setenv("CS231N_DATA", str(cache))
    monkeypatch.setenv("CS231N_SYSTEM_DATA", str(system))

    def no_network(*a, **k):
        raise AssertionError("a test tried to use the network")

    monkeypatch.setattr(dl, "urlopen", no_network)
    D._load_raw.cache_clear()
    return cache, system


def test_missing_dataset_names_places_and_fix(roots):
    with pytest.raises(D.DatasetError) as info:
        registry.resolve("fashion_mnist")
    msg = str(info.value)
    assert str(roots[0] / "fashion-mnist") in msg and "apt-get install dataset-fashion-mnist" in msg
    assert D.default_dataset() == "fashion_mnist"
    assert D.available() == {"fashion_mnist": None, "cifar10": None}


def test_resolution_order_cache_then_system(roots):
    cache, system = roots
    write_fashion(system / "fashion-mnist", seed=1)
    assert registry.resolve("fashion_mnist") == system / "fashion-mnist"
    write_fashion(cache / "fashion-mnist", seed=2)
    assert registry.resolve("fashion_mnist") == cache / "fashion-mnist"
    # an incomplete cache folder does not shadow a complete system install
    (cache / "fashion-mnist" / "t10k-labels-idx1-ubyte.gz").unlink()
    assert registry.resolve("fashion_mnist") == system / "fashion-mnist"


def test_cifar_is_default_once_present(roots):
    write_fashion(roots[1] / "fashion-mnist")
    assert D.default_dataset() == "fashion_mnist"
    write_cifar(roots[0] / "cifar-10-batches-py")
    assert D.default_dataset() == "cifar10"
    X_train, y_train, X_test, y_test, names = D.load_dataset()
    assert X_train.shape == (20, 32, 32, 3) and names[0] == "plane"


def _serve(monkeypatch, payloads, fail_after=None):
    calls = []

    def fake_urlopen(url, timeout=None):
        calls.append(url)
        name = url.rsplit("/", 1)[-1]
        return FakeResponse(payloads[name], fail_after=fail_after)

    monkeypatch.setattr(dl, "urlopen", fake_urlopen)
    return calls


def _fashion_payloads(tmp_path, monkeypatch):
    src = tmp_path / "src"
    write_fashion(src)
    payloads = {p.name: p.read_bytes() for p in src.iterdir()}
    fake = registry.Dataset(**{**registry.REGISTRY["fashion_mnist"].__dict__, "downloads": {
        name: (f"http://example.invalid/{name}", hashlib.sha256(raw).hexdigest()) for name, raw in payloads.items()}})
    monkeypatch.setitem(registry.REGISTRY, "fashion_mnist", fake)
    return payloads


def test_download_verifies_and_loads(roots, tmp_path, monkeypatch):
    payloads = _fashion_payloads(tmp_path, monkeypatch)
    calls = _serve(monkeypatch, payloads)
    folder = registry.resolve("fashion_mnist", download=True)
    assert folder == roots[0] / "fashion-mnist" and len(calls) == 4
    assert not list(folder.glob("*.part"))
    assert D.load_dataset("fashion_mnist")[0].shape == (30, 28, 28, 1)
    # resolved locally from now on: no more downloads
    registry.resolve("fashion_mnist", download=True)
    assert len(calls) == 4


def test_interrupted_download_leaves_nothing_valid(roots, tmp_path, monkeypatch):
    payloads = _fashion_payloads(tmp_path, monkeypatch)
    _serve(monkeypatch, payloads, fail_after=10)
    with pytest.raises(D.DatasetError, match="failed.*Nothing was kept"):
        registry.resolve("fashion_mnist", download=True)
    folder = roots[0] / "fashion-mnist"
    assert not list(folder.glob("*"))  # neither the .part nor a final file
    with pytest.raises(D.DatasetError, match="not found"):
        registry.resolve("fashion_mnist")


def test_bad_checksum_download_is_discarded(roots, tmp_path, monkeypatch):
    payloads = _fashion_payloads(tmp_path, monkeypatch)
    payloads = {k: v[:-1] + bytes([v[-1] ^ 1]) for k, v in payloads.items()}  # flip one bit
    _serve(monkeypatch, payloads)
    with pytest.raises(D.DatasetError, match="sha256 checksum"):
        registry.resolve("fashion_mnist", download=True)
    assert not list((roots[0] / "fashion-mnist").glob("*"))


def test_cifar_archive_download_and_unpack(roots, monkeypatch):
    tarball, md5 = cifar_tarball()
    arc = registry.Archive("cifar-10-python.tar.gz", "http://example.invalid/cifar-10-python.tar.gz", md5=md5)
    monkeypatch.setitem(registry.REGISTRY, "cifar10",
                        registry.Dataset(**{**registry.REGISTRY["cifar10"].__dict__, "archive": arc}))
    _serve(monkeypatch, {"cifar-10-python.tar.gz": tarball})
    folder = registry.resolve("cifar10", download=True)
    assert folder == roots[0] / "cifar-10-batches-py"
    assert D.load_dataset("cifar10")[2].shape == (4, 32, 32, 3)
    assert not [p for p in roots[0].iterdir() if p.name.startswith(".")]  # no temporary folders left


def test_cifar_wrong_md5_is_discarded(roots, monkeypatch):
    tarball, _ = cifar_tarball()
    _serve(monkeypatch, {"cifar-10-python.tar.gz": tarball})  # registry keeps the real md5
    with pytest.raises(D.DatasetError, match="md5"):
        registry.resolve("cifar10", download=True)
    assert sorted(p.name for p in roots[0].iterdir()) == []


def test_existing_user_files_are_never_touched(roots, tmp_path, monkeypatch):
    payloads = _fashion_payloads(tmp_path, monkeypatch)
    folder = roots[0] / "fashion-mnist"
    folder.mkdir()
    mine = folder / "train-images-idx3-ubyte.gz"
    mine.write_bytes(b"my own file")
    _serve(monkeypatch, payloads)
    with pytest.raises(D.DatasetError, match="checksum"):
        registry.resolve("fashion_mnist", download=True)
    assert mine.read_bytes() == b"my own file"


def test_cli_status_and_fetch(roots, capsys):
    write_fashion(roots[1] / "fashion-mnist")
    assert cli(["status"]) == 0
    out = capsys.readouterr().out
    assert "fashion_mnist" in out and "system:" in out and "cifar10" in out and "missing" in out
    assert cli(["fetch", "fashion_mnist"]) == 0
    assert cli(["fetch", "cifar10"]) == 1  # the network guard refuses: a clean error, not a traceback
    assert "error:" in capsys.readouterr().err


@pytest.mark.skipif(registry.locate("fashion_mnist") is None and
                    not (registry.system_root() / "fashion-mnist").exists(), reason="Fashion-MNIST not installed")
def test_real_fashion_mnist_when_installed(monkeypatch, tmp_path):
    monkeypatch.setenv("CS231N_DATA", str(tmp_path))  # ignore any cache: read the Debian files
    D._load_raw.cache_clear()
    X_train, y_train, X_test, y_test, names = D.load_dataset("fashion_mnist")
    assert X_train.shape == (60000, 28, 28, 1) and X_test.shape == (10000, 28, 28, 1)
    assert np.bincount(y_test).tolist() == [1000] * 10 and names[9] == "Ankle boot"
    assert cli(["verify", "fashion_mnist"]) == 0
