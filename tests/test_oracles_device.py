"""grading/oracles/torch_device.py: the one place that picks the oracles' torch device
($CS231N_ORACLE_DEVICE or CUDA when present) and moves arrays to and from it, keeping dtype
and values; the oracles build and read tensors only through it."""

from pathlib import Path

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from grading.oracles import knn, linear
from grading.oracles import torch_device as td

ORACLES = Path(td.__file__).parent
CUDA = torch.cuda.is_available()


@settings(max_examples=40, deadline=None)
@given(hnp.arrays(st.sampled_from([np.float32, np.float64, np.int64]),
                  hnp.array_shapes(min_dims=0, max_dims=3, max_side=4)))
def test_round_trip_keeps_dtype_and_values(a):
    t = td.to_tensor(a)
    assert t.device.type == td.device() and t.shape == a.shape
    back = td.to_numpy(t)
    assert back.dtype == a.dtype
    np.testing.assert_array_equal(back, a)


def test_dtype_conversion_gradients_and_odd_arrays():
    a = np.arange(6, dtype=np.float32).reshape(2, 3)
    assert td.to_tensor(a, dtype=np.float64).dtype == torch.float64
    assert td.to_tensor(a, dtype=torch.float64).dtype == torch.float64
    w = td.to_tensor(a, requires_grad=True)
    assert w.is_leaf and w.requires_grad
    (w * w).sum().backward()
    np.testing.assert_array_equal(td.to_numpy(w.grad), 2 * a)
    assert not td.to_tensor(a).requires_grad
    read_only = a.copy()
    read_only.flags.writeable = False
    for odd in (read_only, a[:, ::-1], a.astype(">f4")):
        np.testing.assert_array_equal(td.to_numpy(td.to_tensor(odd)), odd)
    t = td.to_tensor(a)
    t += 1  # a copy: the caller's array is never shared
    assert a[0, 0] == 0


def test_env_picks_the_device(monkeypatch):
    monkeypatch.setenv(td.ENV, "cpu")
    assert td.device() == "cpu" and td.to_tensor(np.zeros(2)).device.type == "cpu"
    np.testing.assert_allclose(knn.euclidean_distances([[0.0, 0.0]], [[3.0, 4.0]]), [[5.0]])
    for auto in ("", "auto", " AUTO "):
        monkeypatch.setenv(td.ENV, auto)
        assert td.device() == ("cuda" if CUDA else "cpu")
    monkeypatch.setenv(td.ENV, "gpu")
    with pytest.raises(ValueError, match="must be cpu, cuda or auto, got 'gpu'"):
        td.device()
    monkeypatch.setenv(td.ENV, "cuda")
    if CUDA:
        assert td.device() == "cuda"
    else:
        with pytest.raises(RuntimeError, match="torch sees no GPU"):
            td.device()


def test_oracles_make_and_read_tensors_only_through_torch_device():
    for path in sorted(ORACLES.glob("*.py")):
        if path.name in ("__init__.py", "torch_device.py"):
            continue
        source = path.read_text()
        for banned in ("def device", "device=", ".cpu()", "torch.as_tensor", "torch.tensor(", "torch.from_numpy"):
            assert banned not in source, f"{path.name} uses {banned}: go through grading.oracles.torch_device"


@pytest.mark.skipif(not CUDA, reason="needs a GPU")
def test_oracles_agree_on_cuda_and_cpu(monkeypatch):
    rng = np.random.default_rng(0)
    W, X, y = rng.standard_normal((7, 4)), rng.standard_normal((30, 7)).astype(np.float32), rng.integers(0, 4, 30)
    runs = {}
    for dev in ("cpu", "cuda"):
        monkeypatch.setenv(td.ENV, dev)
        dists = knn.euclidean_distances(X[:9], X)
        runs[dev] = (dists, knn.knn_predict(dists, y, 3), *linear.svm_loss(W, X, y, 0.1),
                     *linear.softmax_loss(W, X, y, 0.1), linear.linear_predict(W, X))
    for a, b in zip(runs["cpu"], runs["cuda"]):
        np.testing.assert_allclose(b, a, rtol=1e-12, atol=1e-12)
