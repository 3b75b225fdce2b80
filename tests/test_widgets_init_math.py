"""cs231n_lib.widgets.init_math: the lecture's weight-initialisation experiment (vanishing with 0.01,
saturation with 0.05 at the lecture's width, Xavier for tanh, Kaiming for ReLU, batchnorm fixing
any init), plus shapes, determinism and histograms (hypothesis)."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cs231n_lib.widgets import init_math as im


def _stds(fw, which="post"):
    return np.array([s for _, s, _ in im.layer_stats(getattr(fw, which))])


# ----- the lecture's observations --------------------------------------------------------------
def test_small_init_with_tanh_vanishes_with_depth():
    stds = _stds(im.forward(10, 500, "tanh", "0.01"))
    assert np.all(np.diff(stds) < 0) and stds[-1] < 1e-5 * stds[0]
    print(f"\n0.01 * randn, tanh, 10 x 500: std {stds[0]:.3f} -> {stds[-1]:.1e}")


def test_0_05_init_with_tanh_saturates_at_the_lecture_width():
    fw = im.forward(2, 4096, "tanh", "0.05", batch=100)  # the lecture's hidden size
    near_one = [float(np.mean(np.abs(h) > 0.8)) for h in fw.post]
    assert min(near_one) > 0.5, near_one  # most units sit near -1 or +1, where tanh's gradient is ~0
    fraction = lambda init: float(np.mean(np.abs(im.forward(3, 1000, "tanh", init).post[-1]) > 0.8))
    assert fraction("1.0") > 0.9 and fraction("0.05") > 2 * fraction("xavier")  # narrower layers saturate less


def test_xavier_keeps_tanh_activations_roughly_stable():
    stds = _stds(im.forward(10, 500, "tanh", "xavier"))
    # it shrinks slowly (tanh squashes a little), never by the factor 0.01 * sqrt(500) ~ 0.22 of 0.01 * randn
    assert np.all(stds[1:] / stds[:-1] > 0.75) and stds[-1] > 0.2
    print(f"\nXavier, tanh, 10 x 500: std per layer {np.round(stds, 2).tolist()}")


def test_kaiming_keeps_the_second_moment_of_relu_stable_and_xavier_halves_it():
    rms = lambda init: np.array([r for _, _, r in im.layer_stats(im.forward(10, 500, "relu", init).post)])
    kaiming, xavier = rms("kaiming"), rms("xavier")
    assert np.all(np.abs(kaiming / kaiming[0] - 1) < 0.15)
    np.testing.assert_allclose(xavier[1:] / xavier[:-1], np.sqrt(0.5), rtol=0.1)


@settings(max_examples=12, deadline=None)
@given(st.sampled_from(list(im.INITS)), st.sampled_from(list(im.NONLINEARITIES)), st.integers(1, 4),
       st.sampled_from([64, 200]))
def test_batchnorm_standardises_every_pre_activation_whatever_the_init(init, nonlinearity, depth, width):
    fw = im.forward(depth, width, nonlinearity, init, batchnorm=True, batch=300)
    for z in fw.pre:
        np.testing.assert_allclose(z.mean(axis=0), 0, atol=1e-4)
        np.testing.assert_allclose(z.std(axis=0), 1, atol=5e-3)  # eps = 1e-5 shows when the variance is tiny


# ----- shapes, invariants, determinism -----------------------------------------------------------
@settings(max_examples=25, deadline=None)
@given(st.integers(1, 5), st.integers(1, 60), st.integers(2, 80), st.sampled_from(list(im.INITS)),
       st.sampled_from(list(im.NONLINEARITIES)), st.booleans(), st.integers(0, 3))
def test_shapes_ranges_and_determinism(depth, width, batch, init, nonlinearity, batchnorm, seed):
    fw = im.forward(depth, width, nonlinearity, init, batchnorm, batch, seed)
    assert len(fw.pre) == len(fw.post) == len(fw.scales) == depth
    assert all(a.shape == (batch, width) and a.dtype == np.float32 for a in fw.pre + fw.post)
    assert fw.scales == [pytest.approx(im.weight_scale(init, width))] * depth
    if nonlinearity == "relu":
        assert all((h >= 0).all() for h in fw.post)
    else:
        assert all((np.abs(h) <= 1).all() for h in fw.post)
    again = im.forward(depth, width, nonlinearity, init, batchnorm, batch, seed)
    assert all(np.array_equal(a, b) for a, b in zip(fw.post, again.post))


def test_inits_only_rescale_the_same_random_weights_and_depth_only_adds_layers():
    a, b = im.forward(2, 100, "tanh", "0.01"), im.forward(2, 100, "tanh", "kaiming")
    np.testing.assert_allclose(a.pre[0] / a.scales[0], b.pre[0] / b.scales[0], rtol=1e-4, atol=1e-4)
    short, deep = im.forward(2, 100, "relu", "xavier"), im.forward(4, 100, "relu", "xavier")
    assert all(np.array_equal(x, y) for x, y in zip(short.post, deep.post[:2]))
    assert not np.array_equal(im.input_batch(50, 100, seed=0), im.input_batch(50, 100, seed=1))


def test_scales_are_the_lecture_formulas():
    assert im.weight_scale("0.01", 500) == 0.01 and im.weight_scale("0.05", 10) == 0.05
    assert im.weight_scale("xavier", 400) == pytest.approx(1 / 20)
    assert im.weight_scale("kaiming", 200) == pytest.approx(0.1)


def test_standardize_matches_the_definition():
    z = np.random.default_rng(0).normal(3.0, 5.0, (400, 7)).astype(np.float32)
    want = (z - z.mean(axis=0)) / np.sqrt(z.var(axis=0) + im.BN_EPS)
    np.testing.assert_allclose(im._standardize(z), want, rtol=1e-5, atol=1e-5)


@given(st.lists(st.floats(-1e3, 1e3, width=32), min_size=1, max_size=200), st.integers(1, 50))
def test_histograms_are_fractions_that_sum_to_one(values, bins):
    a = np.array(values, dtype=np.float32)
    edges, (h,) = im.histograms([a], (-10.0, 10.0), bins)
    assert edges.shape == (bins + 1,) and h.shape == (bins,)
    assert h.sum() == pytest.approx(1.0) and (h >= 0).all()


def test_histogram_bins_and_shared_ranges():
    edges, (h,) = im.histograms([np.array([-0.9, 0.1, 0.2, 0.9], dtype=np.float32)], (-1, 1), bins=4)
    np.testing.assert_allclose(edges, [-1, -0.5, 0, 0.5, 1])
    np.testing.assert_allclose(h, [0.25, 0, 0.5, 0.25])
    fw = im.forward(3, 100, "relu", "1.0")
    assert im.histogram_range(fw.post, "tanh") == (-1.0, 1.0)
    lo, hi = im.histogram_range(fw.post, "relu")
    assert lo == 0 and hi > fw.post[-1].mean() + 3 * fw.post[-1].std()  # the widest layer fits
    lo, hi = im.histogram_range(fw.pre)
    assert lo == -hi > 0 or lo == -hi


def test_errors_name_the_problem():
    with pytest.raises(ValueError, match="unknown init"):
        im.forward(2, 10, "tanh", "he")
    with pytest.raises(ValueError, match="unknown nonlinearity"):
        im.forward(2, 10, "sigmoid", "xavier")
    with pytest.raises(ValueError, match="depth >= 1"):
        im.forward(0, 10)
    with pytest.raises(ValueError, match="lo < hi"):
        im.histograms([np.zeros(3)], (1, 1))
