"""cs231n_lib.widgets._render: colours, label bytes, ticks and curve limits for the canvas views."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from matplotlib.colors import to_rgb

from cs231n_lib.widgets._render import (CLASS_COLORS, TIE_BYTE, class_options, class_select_css, curve_limits,
                                        label_bytes, nice_ticks, tints)


def test_tints_are_lighter_versions_of_the_class_colours():
    for c, tint in enumerate(tints(5, lighten=0.6)):
        base, light = np.array(to_rgb(CLASS_COLORS[c])), np.array(to_rgb(tint))
        np.testing.assert_allclose(light, base + 0.6 * (1 - base), atol=1 / 255)
    assert len(set(tints(5))) == 5


def test_class_options_carry_colour_and_value():
    assert class_options(2) == [("\U0001F534 0 (red)", 0), ("\U0001F7E2 1 (green)", 1)]


def test_class_select_css_colours_options_and_the_chosen_class():
    css = class_select_css("pick")
    assert f".pick select option:nth-child(3) {{ color: {CLASS_COLORS[2]}" in css
    assert f".pick.cs231n-class-4 select {{ border-left: 14px solid {CLASS_COLORS[4]}; }}" in css


@given(arrays(np.int64, st.tuples(st.integers(1, 6)).map(lambda s: (s[0], s[0])), elements=st.integers(-1, 4)))
def test_label_bytes_round_trip(labels):
    raw = np.frombuffer(label_bytes(labels), dtype=np.uint8).reshape(labels.shape)
    np.testing.assert_array_equal(raw == TIE_BYTE, labels == -1)
    np.testing.assert_array_equal(raw[labels >= 0], labels[labels >= 0])


def test_label_bytes_rejects_bad_grids():
    with pytest.raises(ValueError, match="square"):
        label_bytes(np.zeros((2, 3), dtype=int))
    with pytest.raises(ValueError, match="labels"):
        label_bytes(np.full((2, 2), 300))


def test_nice_ticks_examples():
    assert nice_ticks(0, 100) == [0, 20, 40, 60, 80, 100]
    assert nice_ticks(0, 10) == [0, 2, 4, 6, 8, 10]
    assert nice_ticks(0, 0.7) == [0, 0.2, 0.4, 0.6]
    assert nice_ticks(0, 0.7, 3) == [0, 0.5]
    assert nice_ticks(1, 4, 3) == [2, 4]
    for bad in [(1, 1), (0, 1, 2)]:
        with pytest.raises(ValueError):
            nice_ticks(*bad)


@given(st.floats(-1e3, 1e3), st.floats(1e-2, 1e6), st.integers(3, 10))
def test_nice_ticks_are_round_inside_and_few(lo, span, max_ticks):
    hi = lo + span
    ticks = nice_ticks(lo, hi, max_ticks)
    assert (2 if max_ticks >= 6 else 1) <= len(ticks) <= max_ticks
    assert all(lo - 1e-9 * span <= t <= hi + 1e-9 * span for t in ticks)
    if len(ticks) < 2:
        return
    step = ticks[1] - ticks[0]
    np.testing.assert_allclose(np.diff(ticks), step, rtol=1e-6)
    mantissa = step / 10 ** np.floor(np.log10(step))
    assert min(abs(mantissa - m) for m in (1, 2, 5, 10)) < 1e-6


def test_curve_limits_at_iteration_zero_are_not_degenerate():
    assert curve_limits([0], [6.27]) == ((0.0, 10.0), (0.0, pytest.approx(6.897)))
    assert curve_limits([0], [0.0]) == ((0.0, 10.0), (0.0, 1.0))
    assert curve_limits([], []) == ((0.0, 10.0), (0.0, 1.0))


@given(st.lists(st.tuples(st.integers(0, 10_000), st.floats(0, 1e6)), min_size=1, max_size=50))
def test_curve_limits_contain_every_point(pairs):
    xs, ys = zip(*pairs)
    (x0, x1), (y0, y1) = curve_limits(xs, ys)
    assert x0 == 0 and x1 >= max(10, 1.05 * max(xs)) and y0 == 0 and y1 > 0
    assert all(y <= y1 for y in ys)
