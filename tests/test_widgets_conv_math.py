"""cs231n_lib.widgets.conv_math against PyTorch (hypothesis): the output size is conv2d's output shape for
random settings (dilation included), a setting is refused exactly where conv2d raises, im2col @ filters is
F.conv2d, one output cell's dot product is that cell; plus fixes that work, the filter bank and the data fallback."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from cs231n_lib import data
from cs231n_lib.widgets import conv_math as cm

SETTING = dict(size=st.integers(1, 12), field=st.integers(1, 6), stride=st.integers(1, 4), pad=st.integers(0, 3),
               dilation=st.integers(1, 3))


def _torch_conv(x, w, b, stride, pad, dilation):
    return F.conv2d(torch.from_numpy(x[None]), torch.from_numpy(w), torch.from_numpy(b), stride=stride,
                    padding=pad, dilation=dilation)[0].numpy()


@settings(max_examples=300, deadline=None)
@given(**SETTING)
def test_output_size_is_conv2d_shape_and_errors_are_where_torch_raises(size, field, stride, pad, dilation):
    g = cm.geometry(size, field, stride, pad, dilation)
    x, w = torch.zeros(1, 1, size, size), torch.zeros(1, 1, field, field)
    try:
        shape = F.conv2d(x, w, stride=stride, padding=pad, dilation=dilation).shape
    except RuntimeError:
        assert g.errors and g.out == 0 and not g.valid, (g, "torch raises but the geometry has no error")
        assert any("no window fits" in e for e in g.errors)
        return
    assert not g.errors, g.errors
    assert shape[-2:] == (g.out, g.out)
    # exact = the formula's division leaves no remainder
    assert g.valid == ((size + 2 * pad - dilation * (field - 1) - 1) % stride == 0)
    assert ("not an integer" in g.formula()) == (not g.valid)
    assert bool(g.problems()) == (not g.valid)


@pytest.mark.parametrize("kwargs, words", [
    (dict(size=5, field=3, stride=0), "stride must be a positive"),
    (dict(size=5, field=3, pad=-1), "padding cannot be negative"),
    (dict(size=5, field=3, dilation=0), "dilation must be a positive"),
    (dict(size=5, field=0), "filter size must be positive"),
])
def test_settings_torch_refuses_for_other_reasons_are_named(kwargs, words):
    g = cm.geometry(**kwargs)
    assert not g.valid and any(words in e for e in g.errors), g.errors
    stride, pad, dilation = kwargs.get("stride", 1), kwargs.get("pad", 0), kwargs.get("dilation", 1)
    with pytest.raises(RuntimeError):
        F.conv2d(torch.zeros(1, 1, 5, 5), torch.zeros(1, 1, max(kwargs["field"], 0), max(kwargs["field"], 0)),
                 stride=stride, padding=pad, dilation=dilation)


def test_formula_and_problem_words():
    g = cm.geometry(7, 3, 2, 1, 1)
    assert g.valid and g.out == 4 and g.formula().endswith("= 6/2 + 1 = 4")
    g = cm.geometry(6, 3, 2, 0, 1)
    assert not g.valid and g.remainder == 1 and g.out == 2  # torch floors 3/2 + 1 to 2
    assert "not an integer" in g.formula() and "never reached" in g.problems()[0]
    assert cm.geometry(4, 3, 1, 0, 2).errors  # dilated extent 5 > 4


@settings(max_examples=150, deadline=None)
@given(**SETTING)
def test_every_suggested_fix_makes_the_setting_usable(size, field, stride, pad, dilation):
    g = cm.geometry(size, field, stride, pad, dilation)
    fixes = cm.suggest_fixes(g)
    if g.valid:
        assert fixes == []
        return
    assert fixes, f"no fix suggested for {g}"
    args = dict(size=size, field=field, stride=stride, pad=pad, dilation=dilation)
    for control, value, words in fixes:
        assert str(value) in words
        fixed = cm.geometry(**{**args, control: value})
        assert fixed.valid, (control, value, fixed)
        assert value != args[control]


@settings(max_examples=120, deadline=None)
@given(**SETTING, c_in=st.integers(1, 3), c_out=st.integers(1, 3), seed=st.integers(0, 10_000),
       dtype=st.sampled_from([np.float32, np.float64]))
def test_im2col_times_filters_is_conv2d(size, field, stride, pad, dilation, c_in, c_out, seed, dtype):
    g = cm.geometry(size, field, stride, pad, dilation)
    assume(not g.errors)
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((c_in, size, size)).astype(dtype)
    w = rng.standard_normal((c_out, c_in, field, field)).astype(dtype)
    b = rng.standard_normal(c_out).astype(dtype)
    cols = cm.im2col_matrix(x, field, stride, pad, dilation)
    assert cols.shape == (c_in * field * field, g.out * g.out) and cols.dtype == dtype
    got = (w.reshape(c_out, -1) @ cols + b[:, None]).reshape(c_out, g.out, g.out)
    want = _torch_conv(x, w, b, stride, pad, dilation)
    tol = 1e-4 if dtype == np.float32 else 1e-10
    np.testing.assert_allclose(got, want, rtol=tol, atol=tol)
    if g.valid:  # the whole-image convolution through fast_layers, on exact settings
        np.testing.assert_allclose(cm.convolve(x, w, b, stride, pad, dilation), want, rtol=tol, atol=tol)
    # each output cell spelled out as a dot product, in slide order = im2col column order
    xp = np.pad(x, ((0, 0), (pad, pad), (pad, pad)))
    cells = cm.slide_windows(g.out, g.out)
    for k in {0, len(cells) // 2, len(cells) - 1}:
        r, c = cells[k]
        values, window, products = cm.conv_output_cell(xp, w, b, r, c, stride, dilation)
        np.testing.assert_allclose(values, want[:, r, c], rtol=tol, atol=tol)
        np.testing.assert_array_equal(window.ravel(), cols[:, k])
        np.testing.assert_allclose(products, w * window[None])


def test_slide_order_and_window_positions():
    assert cm.slide_windows(2, 3) == [(0, 0), (0, 1), (0, 2), (1, 0), (1, 1), (1, 2)]
    rows, cols = cm.window_positions(1, 2, field=3, stride=2, dilation=2)
    assert rows.tolist() == [2, 4, 6] and cols.tolist() == [4, 6, 8]


def test_dilate_filter_inserts_zeros_and_convolve_refuses_inexact_settings():
    w = np.arange(1, 10, dtype=np.float64).reshape(1, 1, 3, 3)
    d = cm.dilate_filter(w, 2)
    assert d.shape == (1, 1, 5, 5) and d[0, 0, ::2, ::2].tolist() == w[0, 0].tolist() and d.sum() == w.sum()
    assert cm.dilate_filter(w, 1) is w
    with pytest.raises(ValueError, match="not an integer"):
        cm.convolve(np.zeros((1, 6, 6)), np.zeros((1, 1, 3, 3)), stride=2)
    with pytest.raises(ValueError, match="no window fits"):
        cm.im2col_matrix(np.zeros((1, 3, 3)), 5)


def test_small_example_is_seeded_small_integers():
    x, w, b = cm.small_example(6, 2, 3, 3, seed=1)
    assert x.shape == (2, 6, 6) and w.shape == (3, 2, 3, 3) and b.shape == (3,)
    assert np.array_equal(x, np.round(x)) and x.min() >= 0 and x.max() <= 9 and set(np.unique(w)) <= {-1, 0, 1, 2}
    assert np.array_equal(cm.small_example(6, 2, 3, 3, seed=1)[0], x)


@pytest.mark.parametrize("name", list(cm.FILTERS))
def test_filter_bank_does_what_its_name_says(name):
    k = cm.filter_kernel(name, seed=3)
    assert k.shape == (3, 3)
    flat = np.full((1, 8, 8), 5.0)
    out = cm.convolve(flat, k[None, None], pad=0)
    if name in ("edge", "sobel_x", "sobel_y"):
        np.testing.assert_allclose(out, 0, atol=1e-12)  # no edge in a flat image
    if name in ("blur", "sharpen"):
        np.testing.assert_allclose(out, 5.0)  # they keep the mean brightness
    ramp = np.tile(np.arange(8.0), (8, 1))[None]  # brightness grows to the right: a vertical edge everywhere
    sx, sy = (cm.convolve(ramp, cm.filter_kernel(n)[None, None]) for n in ("sobel_x", "sobel_y"))
    assert np.all(sx > 0) and np.allclose(sy, 0)


def test_random_filter_is_seeded_and_unknown_names_are_refused():
    assert np.array_equal(cm.filter_kernel("random", 1), cm.filter_kernel("random", 1))
    assert not np.array_equal(cm.filter_kernel("random", 1), cm.filter_kernel("random", 2))
    with pytest.raises(ValueError, match="unknown filter"):
        cm.filter_kernel("emboss")


def test_sample_images_are_fashion_mnist_or_a_fallback_with_a_message():
    images, captions, message = cm.sample_images(4)
    if data.locate("fashion_mnist") is not None:
        assert images.shape == (4, 28, 28) and message == "" and "test image 0" in captions[0]
        assert 0 <= images.min() and images.max() <= 255
    def missing(name):
        raise data.DatasetError("fashion_mnist is not on this machine")
    images, captions, message = cm.sample_images(4, loader=missing)
    assert images.shape == (1, 28, 28) and "not available" in message and "make data" in message


@given(st.lists(st.floats(-100, 100), min_size=1, max_size=50), st.integers(2, 64))
def test_levels_cover_the_range_and_keep_zero_in_the_middle(values, levels):
    v = np.array(values)
    idx, lo, hi = cm.to_levels(v, levels)
    assert idx.min() >= 0 and idx.max() <= levels - 1
    if (v < 0).any():
        assert lo == -hi
        with_zero, _, _ = cm.to_levels(np.append(v, 0.0), levels)
        assert hi == 0 or with_zero[-1] == levels // 2  # 0 sits in the middle level
    if hi > lo:
        extreme = np.argmax(np.abs(v)) if (v < 0).any() else np.argmax(v)
        assert idx[extreme] == (levels - 1 if v[extreme] > 0 else 0)
        order = np.argsort(v, kind="stable")
        assert np.all(np.diff(idx[order]) >= 0)  # monotone
