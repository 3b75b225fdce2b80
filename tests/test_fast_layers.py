"""cs231n_lib.fast_layers agree with torch's conv2d / max_pool2d and autograd on random shapes,
strides and pads (odd and non-square sizes, overlapping pools): relative error <= 1e-8 in float64,
<= 1e-5 in float32, relative to the largest entry of torch's result; outputs keep the input dtype;
settings whose windows do not tile the input are refused with the reason."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

from cs231n_lib.fast_layers import (conv_backward_fast, conv_forward_fast, conv_output_size, max_pool_backward_fast,
                                    max_pool_forward_fast)

TOL = {np.float64: 1e-8, np.float32: 1e-5}


def rel(got, want):
    want = np.asarray(want, dtype=np.float64)
    return float(np.max(np.abs(np.asarray(got, dtype=np.float64) - want)) / max(np.max(np.abs(want)), 1e-12))


@st.composite
def conv_cases(draw):
    HH, WW = draw(st.integers(1, 5)), draw(st.integers(1, 5))
    stride, pad = draw(st.integers(1, 3)), draw(st.integers(0, 2))
    Ho, Wo = draw(st.integers(1, 6)), draw(st.integers(1, 6))
    H, W = stride * (Ho - 1) + HH - 2 * pad, stride * (Wo - 1) + WW - 2 * pad
    if H < 1 or W < 1:
        H, W, pad = H + 2 * pad, W + 2 * pad, 0
    return (draw(st.integers(1, 3)), draw(st.integers(1, 4)), H, W, draw(st.integers(1, 5)), HH, WW, stride, pad,
            draw(st.sampled_from([np.float64, np.float32])), draw(st.integers(0, 2 ** 31)))


@settings(max_examples=60, deadline=None)
@given(conv_cases())
def test_conv_matches_torch_and_autograd(case):
    N, C, H, W, Fn, HH, WW, stride, pad, dtype, seed = case
    rng = np.random.default_rng(seed)
    x, w, b = (rng.standard_normal(s).astype(dtype) for s in [(N, C, H, W), (Fn, C, HH, WW), (Fn,)])
    out, cache = conv_forward_fast(x, w, b, {"stride": stride, "pad": pad})
    xt, wt, bt = (torch.tensor(a.astype(np.float64), requires_grad=True) for a in (x, w, b))
    ref = F.conv2d(xt, wt, bt, stride=stride, padding=pad)
    dout = rng.standard_normal(ref.shape).astype(dtype)
    ref.backward(torch.tensor(dout.astype(np.float64)))
    dx, dw, db = conv_backward_fast(dout, cache)
    for got, want in [(out, ref.detach()), (dx, xt.grad), (dw, wt.grad), (db, bt.grad)]:
        assert got.dtype == dtype and got.shape == tuple(want.shape)
        assert rel(got, want.numpy()) <= TOL[dtype]


@st.composite
def pool_cases(draw):
    ph, pw, stride = draw(st.integers(1, 4)), draw(st.integers(1, 4)), draw(st.integers(1, 3))
    Ho, Wo = draw(st.integers(1, 5)), draw(st.integers(1, 5))
    return (draw(st.integers(1, 3)), draw(st.integers(1, 3)), stride * (Ho - 1) + ph, stride * (Wo - 1) + pw, ph, pw,
            stride, draw(st.sampled_from([np.float64, np.float32])), draw(st.integers(0, 2 ** 31)))


@settings(max_examples=60, deadline=None)
@given(pool_cases())
def test_max_pool_matches_torch_and_autograd_also_when_windows_overlap(case):
    N, C, H, W, ph, pw, stride, dtype, seed = case
    x = np.random.default_rng(seed).permutation(N * C * H * W).reshape(N, C, H, W).astype(dtype)  # no ties
    out, cache = max_pool_forward_fast(x, {"pool_height": ph, "pool_width": pw, "stride": stride})
    xt = torch.tensor(x.astype(np.float64), requires_grad=True)
    ref = F.max_pool2d(xt, (ph, pw), stride=stride)
    dout = np.random.default_rng(seed + 1).standard_normal(ref.shape).astype(dtype)
    ref.backward(torch.tensor(dout.astype(np.float64)))
    dx = max_pool_backward_fast(dout, cache)
    assert out.dtype == dx.dtype == dtype
    assert rel(out, ref.detach().numpy()) == 0.0
    assert rel(dx, xt.grad.numpy()) <= TOL[dtype]


def test_a_tie_sends_the_gradient_to_the_first_maximum_only():
    x = np.zeros((1, 1, 2, 2))
    _, cache = max_pool_forward_fast(x, {"pool_height": 2, "pool_width": 2, "stride": 2})
    assert max_pool_backward_fast(np.ones((1, 1, 1, 1)), cache).ravel().tolist() == [1.0, 0.0, 0.0, 0.0]


def test_the_classic_cases_have_the_classic_output_shapes():
    x = np.zeros((2, 3, 31, 31))
    out, _ = conv_forward_fast(x, np.zeros((25, 3, 3, 3)), np.zeros(25), {"stride": 2, "pad": 1})
    assert out.shape == (2, 25, 16, 16)
    out, _ = conv_forward_fast(np.zeros((1, 32, 32, 32)), np.zeros((64, 32, 3, 3)), np.zeros(64), {"stride": 1, "pad": 1})
    assert out.shape == (1, 64, 32, 32)


def test_settings_that_do_not_tile_the_input_are_refused_with_the_reason():
    with pytest.raises(ValueError, match=r"\(6 \+ 2\*0 - 3\) / 2 is not an integer"):
        conv_forward_fast(np.zeros((1, 1, 6, 6)), np.zeros((1, 1, 3, 3)), np.zeros(1), {"stride": 2, "pad": 0})
    with pytest.raises(ValueError, match="does not fit"):
        conv_output_size(2, 5, 1, 0)
    with pytest.raises(ValueError, match="channels"):
        conv_forward_fast(np.zeros((1, 2, 4, 4)), np.zeros((1, 3, 3, 3)), np.zeros(1), {"stride": 1, "pad": 1})
