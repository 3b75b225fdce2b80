import hashlib

import numpy as np
import pytest

from cs231n_lib import data as D
from cs231n_lib.data import download as dl
from cs231n_lib.data import registry
from cs231n_lib.data.__main__ import main as cli
from data_fakes import FakeResponse, cifar_tarball, idx_bytes, write_cifar, write_fashion


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
    fake = registry.Dataset(**{**registry.REGISTRY["fashion_mnist"].__dict__, "downloads": tuple(
        registry.Remote(name, f"http://example.invalid/{name}",
                        (registry.Checksum("sha256", hashlib.sha256(raw).hexdigest(), "test"),))
        for name, raw in payloads.items())})
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
    with pytest.raises(D.DatasetError, match="failed its checksum.*sha256"):
        registry.resolve("fashion_mnist", download=True)
    assert not list((roots[0] / "fashion-mnist").glob("*"))


def test_cifar_archive_download_and_unpack(roots, monkeypatch):
    tarball, md5 = cifar_tarball()
    arc = registry.Remote("cifar-10-python.tar.gz", "http://example.invalid/cifar-10-python.tar.gz",
                          (registry.Checksum("md5", md5, "test"),))
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


def _fake_cifar_archive(monkeypatch, tarball):
    arc = registry.Remote("cifar-10-python.tar.gz", "http://example.invalid/cifar-10-python.tar.gz",
                          (registry.Checksum("md5", hashlib.md5(tarball).hexdigest(), "test"),))
    monkeypatch.setitem(registry.REGISTRY, "cifar10",
                        registry.Dataset(**{**registry.REGISTRY["cifar10"].__dict__, "archive": arc}))


def test_download_comes_last(roots, tmp_path, monkeypatch):
    """With the data in the system folder, download=True still reads it locally (the guard would fail)."""
    write_fashion(roots[1] / "fashion-mnist")
    assert registry.resolve("fashion_mnist", download=True) == roots[1] / "fashion-mnist"
    assert not (roots[0] / "fashion-mnist").exists()


def test_force_sets_previous_copies_aside(roots, tmp_path, monkeypatch):
    tarball, _ = cifar_tarball(n=3)
    _fake_cifar_archive(monkeypatch, tarball)
    calls = _serve(monkeypatch, {"cifar-10-python.tar.gz": tarball})
    folder = registry.resolve("cifar10", download=True)
    (folder / "my_notes.txt").write_text("mine")
    assert cli(["fetch", "cifar10", "--force"]) == 0 and len(calls) == 2
    assert registry.is_complete(folder, registry.REGISTRY["cifar10"])
    assert (roots[0] / "cifar-10-batches-py.old" / "my_notes.txt").read_text() == "mine"
    assert (roots[0] / "cifar-10-python.tar.gz.old").read_bytes() == tarball
    assert D.load_dataset("cifar10")[0].shape == (15, 32, 32, 3)


def test_force_sets_previous_file_aside(roots, tmp_path, monkeypatch):
    payloads = _fashion_payloads(tmp_path, monkeypatch)
    folder = roots[0] / "fashion-mnist"
    folder.mkdir()
    (folder / "train-images-idx3-ubyte.gz").write_bytes(b"my own file")
    _serve(monkeypatch, payloads)
    assert cli(["fetch", "fashion_mnist", "--force"]) == 0
    assert (folder / "train-images-idx3-ubyte.gz.old").read_bytes() == b"my own file"
    assert (folder / "train-images-idx3-ubyte.gz").read_bytes() == payloads["train-images-idx3-ubyte.gz"]


def test_incomplete_cifar_folder_is_reported_before_downloading(roots, monkeypatch):
    folder = roots[0] / "cifar-10-batches-py"
    folder.mkdir()
    (folder / "data_batch_1").write_bytes(b"partial copy")
    with pytest.raises(D.DatasetError, match="lacks data_batch_2.*--force"):  # the network guard was not hit
        registry.resolve("cifar10", download=True)
    assert (folder / "data_batch_1").read_bytes() == b"partial copy"


def test_corrupt_cached_archive_names_fix(roots, monkeypatch):
    tarball, _ = cifar_tarball()
    _fake_cifar_archive(monkeypatch, tarball)
    (roots[0] / "cifar-10-python.tar.gz").write_bytes(tarball[:100])  # a truncated earlier download
    with pytest.raises(D.DatasetError, match="failed its checksum.*md5.*delete it.*fetch cifar10"):
        registry.resolve("cifar10", download=True)
    assert (roots[0] / "cifar-10-python.tar.gz").read_bytes() == tarball[:100]


@pytest.mark.parametrize("payload", [b"not a tar file at all", b"\x1f\x8b\x08\x00garbage"])
def test_archive_with_matching_checksum_but_bad_content(roots, monkeypatch, payload):
    _fake_cifar_archive(monkeypatch, payload)
    _serve(monkeypatch, {"cifar-10-python.tar.gz": payload})
    with pytest.raises(D.DatasetError, match="could not be unpacked.*fetch cifar10"):
        registry.resolve("cifar10", download=True)
    assert not (roots[0] / "cifar-10-batches-py").exists()
    assert not [p for p in roots[0].iterdir() if p.name.startswith(".")]


def test_changed_files_invalidate_the_in_process_cache(roots):
    folder = roots[0] / "fashion-mnist"
    write_fashion(folder, n_train=30)
    assert D.load_dataset("fashion_mnist")[0].shape == (30, 28, 28, 1)
    import os
    write_fashion(folder, n_train=12)
    for f in folder.iterdir():  # same-second rewrites on coarse clocks: bump mtime explicitly
        os.utime(f, ns=(f.stat().st_atime_ns, f.stat().st_mtime_ns + 10**9))
    assert D.load_dataset("fashion_mnist")[0].shape == (12, 28, 28, 1)


def test_any_pinned_digest_accepts_a_file(tmp_path):
    """Upstream and Debian ship the same idx bytes compressed differently: both copies must pass."""
    import gzip
    raw = idx_bytes(np.arange(12, dtype=np.uint8).reshape(3, 4))
    upstream, debian, other = (gzip.compress(raw, mtime=t) for t in (1, 2, 3))
    assert len({upstream, debian, other}) == 3
    checksums = (registry.Checksum("md5", hashlib.md5(upstream).hexdigest(), "upstream"),
                 registry.Checksum("sha256", hashlib.sha256(debian).hexdigest(), "debian"))
    for payload, source in ((upstream, "upstream"), (debian, "debian")):
        (tmp_path / "f.gz").write_bytes(payload)
        assert dl.verify(tmp_path / "f.gz", checksums).source == source
    (tmp_path / "f.gz").write_bytes(other)
    with pytest.raises(D.DatasetError, match="md5 of the upstream, sha256 of the debian"):
        dl.verify(tmp_path / "f.gz", checksums)


def test_registry_digests_are_well_formed():
    with pytest.raises(ValueError, match="bad md5"):
        registry.Checksum("md5", "abc", "typo")
    with pytest.raises(ValueError, match="algorithms: md5, sha256"):
        registry.Checksum("sha1", "0" * 40, "unsupported")
    fashion = registry.REGISTRY["fashion_mnist"]
    assert [r.filename for r in fashion.downloads] == list(fashion.files)
    assert all({c.algorithm for c in r.checksums} == {"md5", "sha256"} for r in fashion.downloads)
