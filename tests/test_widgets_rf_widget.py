"""cs231n_lib.widgets.rf_widget: presets, add/remove, input size and clicks reach rf_math and the pictures;
the shading is the path counts, the boxes are the theoretical and effective fields, the table shows each
layer's formulas; update times are printed, never asserted."""

import statistics
import time

import numpy as np
import pytest

from cs231n_lib.widgets import ReceptiveFieldDemo, receptive_field_demo
from cs231n_lib.widgets import rf_math as rm


def _picture(demo):
    return demo.input_view.state_digest() + demo.output_view.state_digest() + demo.table_w.value


def _shading(demo):
    n = demo.input_view.grid
    return np.frombuffer(demo.input_view.regions, dtype=np.uint8).reshape(n, n)[::-1]  # row 0 = top again


def test_starts_with_the_vgg_stack_and_its_centre_unit():
    demo = receptive_field_demo()
    assert isinstance(demo, ReceptiveFieldDemo)
    assert demo.layers == list(rm.PRESETS["vgg"][1]) and demo.unit == (4, 4)
    assert demo.table_w.value.count("cs231n-rf-row") == 6
    assert "5 + 1&middot;1 = <b>6</b>" in demo.table_w.value  # the pool after two convs: r = 5 + (2-1) * 1
    assert "14 + 1&middot;2 = <b>16</b>" in demo.table_w.value and "2&middot;2 = 4" in demo.table_w.value
    assert "0 + (0.5 - 0)&middot;1 = 0.5" in demo.table_w.value  # the first pool moves the centre half a pixel
    assert "theoretical receptive field 16x16" in demo.status_w.value and "updated in" in demo.status_w.value
    assert demo.output_view.grid == 8 and demo.output_view.interactive


def test_shading_is_the_path_counts_and_boxes_are_the_fields():
    demo = receptive_field_demo(preset="three_convs", size=16)
    counts = rm.path_counts(demo.layers, 16, demo.unit)
    np.testing.assert_array_equal(_shading(demo) > 0, counts > 0)
    shade = _shading(demo)
    assert shade[8, 8] == len(demo.input_view.tints) - 1 and shade[5, 5] == 1  # most paths darkest, fewest lightest
    theory = [s for s in demo.input_view.segments if s["color"] == "#f58231"]
    xs = sorted({s["x0"] for s in theory} | {s["x1"] for s in theory})
    assert xs == [5.0, 12.0]  # columns 5..11: 7 pixels around the centre 8
    assert demo.effective == rm.effective_rf(counts, 0.95)
    assert f"within {demo.effective[0]}x{demo.effective[0]}" in demo.status_w.value


def test_a_click_selects_the_unit_under_it():
    demo = receptive_field_demo(preset="three_convs", size=16)
    before = _picture(demo)
    demo._on_click(0.5, 15.5)  # the top-left unit
    assert demo.unit == (0, 0) and _picture(demo) != before
    np.testing.assert_array_equal(_shading(demo) > 0, rm.path_counts(demo.layers, 16, (0, 0)) > 0)
    assert "partly in the padding" in demo.status_w.value and "16 input pixels" in demo.status_w.value
    demo.output_view._receive(demo.output_view, {"event": "click", "x": 3.2, "y": 10.7}, [])  # as the browser sends
    assert demo.unit == (5, 3)


@pytest.mark.parametrize("change", [
    lambda d: setattr(d.preset_w, "value", "dilated"),
    lambda d: setattr(d.size_w, "value", 40),
    lambda d: d.add_btn.click(),
    lambda d: d.remove_btn.click(),
    lambda d: d.select(0, 3),
], ids=["preset", "size", "add", "remove", "select"])
def test_every_control_changes_the_picture(change):
    demo = receptive_field_demo()
    before = _picture(demo)
    change(demo)
    assert _picture(demo) != before


def test_add_and_remove_layers():
    demo = receptive_field_demo(preset="three_convs", size=16)
    demo.add_kind_w.value = "pool"
    demo.add_btn.click()
    assert demo.layers[-1] == rm.pool() and demo.rows[-1].n == 8 and "added pool 2x2" in demo.message_w.value
    demo.add_kind_w.value = "conv_d4"
    demo.add_btn.click()
    assert demo.rows[-1].r == 8 + 8 * 2  # r = 8 + (9 - 1) * 2
    for _ in range(3):
        demo.add_kind_w.value = "pool"
        demo.add_btn.click()
    assert demo.rows[-1].n == 1
    demo.add_btn.click()  # a fourth pool does not fit 1 unit
    assert "not added" in demo.message_w.value and demo.rows[-1].n == 1
    for _ in range(len(demo.layers)):
        demo.remove_btn.click()
    assert demo.layers == [] and demo.remove_btn.disabled and demo.rows[-1].r == 1


def test_a_stack_too_deep_for_the_input_says_so():
    demo = receptive_field_demo(layers=[rm.pool()] * 4, size=16)
    assert demo.rows[-1].n == 1
    demo.size_w.value = 8
    assert "layer 4" in demo.message_w.value and demo.input_view.regions == b""
    assert "does not fit" in demo.status_w.value
    demo.size_w.value = 20
    assert demo.rows[-1].n == 1 and demo.input_view.regions


def test_unknown_preset_is_refused():
    with pytest.raises(ValueError, match="unknown preset"):
        receptive_field_demo(preset="resnet")


def test_update_times():
    demo = receptive_field_demo(preset="deep", size=64)
    times = []
    for r, c in [(0, 0), (10, 50), (32, 32), (63, 63)]:
        t0 = time.perf_counter()
        demo.select(r, c)
        times.append(time.perf_counter() - t0)
    t0 = time.perf_counter()
    demo.preset_w.value = "dilated"
    preset = time.perf_counter() - t0
    print(f"\nreceptive field, ten 3x3 convs on 64x64: click -> redrawn median "
          f"{statistics.median(times) * 1e3:.1f} ms, max {max(times) * 1e3:.1f} ms; "
          f"dilated preset {preset * 1e3:.1f} ms; widget says {demo.last_update_s * 1e3:.0f} ms")
