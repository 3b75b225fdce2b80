import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from cs231n_lib import data as D
from data_fakes import write_fashion

N_TRAIN, N_TEST = 40, 12


@pytest.fixture(scope="module")
def fake_root(tmp_path_factory):
    root = tmp_path_factory.mktemp("data")
    write_fashion(root / "fashion-mnist", n_train=N_TRAIN, n_test=N_TEST)
    return root


@pytest.fixture(autouse=True)
def use_fake(fake_root, monkeypatch):
    monkeypatch.setenv("CS231N_DATA", str(fake_root))
    monkeypatch.setenv("CS231N_SYSTEM_DATA", str(fake_root / "nothing-here"))
    D._load_raw.cache_clear()


@settings(max_examples=30, deadline=None)
@given(num_validation=st.integers(0, 10), num_training=st.one_of(st.none(), st.integers(1, 30)),
       num_test=st.one_of(st.none(), st.integers(0, N_TEST)), layout=st.sampled_from(D.LAYOUTS),
       subtract_mean=st.booleans())
def test_split_invariants(num_validation, num_training, num_test, layout, subtract_mean):
    d = D.get_data("fashion_mnist", num_training=num_training, num_validation=num_validation,
                   num_test=num_test, layout=layout, subtract_mean=subtract_mean, dtype=np.float64)
    n_tr = N_TRAIN - num_validation if num_training is None else num_training
    assert len(d["X_train"]) == len(d["y_train"]) == n_tr
    assert len(d["X_val"]) == num_validation
    assert len(d["X_test"]) == (N_TEST if num_test is None else num_test)
    per_image = {"NCHW": (1, 28, 28), "NHWC": (28, 28, 1), "flat": (784,)}[layout]
    for split in ("train", "val", "test"):
        assert d[f"X_{split}"].shape[1:] == per_image and d[f"y_{split}"].dtype == np.int64
    assert d["mean_image"].shape == per_image
    # val follows train in the original training set: labels cycle 0..9 in the fakes
    np.testing.assert_array_equal(d["y_val"], np.arange(n_tr, n_tr + num_validation) % 10)
    if subtract_mean:
        assert np.abs(d["X_train"].mean(axis=0)).max() < 1e-9
    else:
        assert d["X_train"].min() >= 0 and d["X_train"].max() <= 255 and not d["mean_image"].any()
    # the mean image plus the centred data gives the raw pixels back
    raw = D.load_dataset("fashion_mnist")[2][: len(d["X_test"])]
    back = d["X_test"] + d["mean_image"]
    if layout == "NCHW":
        back = back.transpose(0, 2, 3, 1)
    np.testing.assert_allclose(back.reshape(raw.shape), raw, atol=1e-9)


def test_layouts_and_metadata():
    d = D.get_data(layout="flat", num_validation=5)
    assert d["name"] == "fashion_mnist" and d["image_shape"] == (28, 28, 1)
    assert d["class_names"][0] == "T-shirt/top" and d["X_train"].dtype == np.float32


@pytest.mark.parametrize("kwargs, message", [
    (dict(layout="HWC"), "layout must be one of"),
    (dict(num_validation=N_TRAIN), "num_validation"),
    (dict(num_training=N_TRAIN), "exceeds"),
    (dict(num_test=N_TEST + 1), "num_test"),
])
def test_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        D.get_data("fashion_mnist", **{"num_validation": 5, **kwargs})


def test_cached_raw_arrays_are_read_only():
    X = D.load_dataset("fashion_mnist")[0]
    with pytest.raises(ValueError):
        X[0, 0, 0, 0] = 1
