"""cs231n_lib.widgets.conv_widget: every control reaches the math and the pictures, the window, its output cell,
the dot product and the im2col column agree with conv_math, bad settings are explained, the filter bank runs on
Fashion-MNIST (or says why not); update times are printed, never asserted."""

import re
import statistics
import time

import numpy as np
import pytest

from cs231n_lib.widgets import ConvolutionDemo, convolution_demo
from cs231n_lib.widgets import conv_math as cm


def _picture(demo):
    return (demo.figure_w.value, demo.im2col_w.value, demo.dot_w.value, demo.image_view.state_digest(),
            demo.filtered_view.state_digest())


def test_starts_with_the_cs231n_notes_setting():
    demo = convolution_demo()
    assert isinstance(demo, ConvolutionDemo)
    assert demo.setting() == (5, 3, 2, 1, 1) and demo.geometry.out == 3 and demo.geometry.valid
    assert "= 4/2 + 1 = 3" in demo.formula_w.value and "&#10004;" in demo.formula_w.value
    assert demo.step_w.max == demo.play.max == 8 and demo.step_w.value == 0
    assert demo.figure_w.value.count("cs231n-conv-tap") == 2 * 9  # 2 channels x 3x3 taps
    assert "window 1 of 9" in demo.status_w.value and "updated in" in demo.status_w.value


@pytest.mark.parametrize("control, value", [("size_w", 7), ("field_w", 2), ("stride_w", 1), ("pad_w", 0),
                                            ("dilation_w", 2), ("c_in_w", 1), ("c_out_w", 3), ("step_w", 4),
                                            ("filter_w", "blur"), ("image_w", 3)])
def test_every_control_changes_the_picture(control, value):
    demo = convolution_demo()
    before = _picture(demo)
    getattr(demo, control).value = value
    assert _picture(demo) != before
    assert "updated in" in demo.status_w.value


def test_reseed_draws_other_numbers():
    demo = convolution_demo()
    x = demo.x.copy()
    demo.reseed_btn.click()
    assert not np.array_equal(demo.x, x) and demo.seed == 1


@pytest.mark.parametrize("step", [0, 4, 8])
def test_the_window_its_cell_the_dot_product_and_the_column_agree(step):
    demo = convolution_demo()
    demo.step_w.value = step
    r, c = cm.slide_windows(3, 3)[step]
    values, window, _ = cm.conv_output_cell(demo.xp, demo.w, demo.b, r, c, 2, 1)
    np.testing.assert_allclose(demo.out[:, r, c], values)
    shown = [float(v) for v in re.findall(r"= <b>(-?[0-9.]+)</b>", demo.dot_w.value)]
    assert shown == values.tolist()
    assert f"output 0[{r}, {c}]" in demo.dot_w.value
    np.testing.assert_array_equal(demo.cols[:, step], window.ravel())
    col_x = float(re.search(r'<rect x="([0-9.]+)"[^>]*class="cs231n-conv-column"', demo.im2col_w.value).group(1))
    cell_w = float(re.search(r'<rect x="[0-9.]+" y="0" width="([0-9.]+)"[^>]*cs231n-conv-column',
                             demo.im2col_w.value).group(1))
    assert round(col_x / cell_w) == step
    assert f"red column {step} is the window of output cell ({r}, {c})" in demo.im2col_w.value
    assert "channel 1 in rows 9..17" in demo.im2col_w.value
    assert f"window {step + 1} of 9: output cell (row {r}, col {c})" in demo.status_w.value
    # the input's highlighted taps are the window's padded-input positions
    taps = re.findall(r'<rect x="([0-9.]+)" y="([0-9.]+)"[^>]*class="cs231n-conv-tap"', demo.figure_w.value)[:9]
    rows, cols = cm.window_positions(r, c, 3, 2, 1)
    assert sorted({round((float(y) - 22) / 24) for _, y in taps}) == rows.tolist()
    assert sorted({round(float(x) / 24) for x, _ in taps}) == cols.tolist()


def test_outputs_fill_in_as_the_window_slides():
    demo = convolution_demo(channels_out=1)
    first = demo.figure_w.value
    demo.step_w.value = 8
    filled = lambda svg: len(re.findall(r"<text", svg.split("output 0 (3x3)")[1]))
    assert filled(first) == 1 and filled(demo.figure_w.value) == 9


def test_a_division_that_is_not_exact_is_explained_with_fixes():
    demo = convolution_demo(stride=3)
    assert not demo.geometry.valid and "not an integer" in demo.formula_w.value
    assert "set the stride to 2" in demo.formula_w.value and "PyTorch floors it to 2" in demo.formula_w.value
    assert demo.out.shape == (2, 2, 2)  # drawn as torch computes it
    demo.stride_w.value = 2
    assert "&#10004;" in demo.formula_w.value


def test_a_filter_that_does_not_fit_says_so_and_draws_no_output():
    demo = convolution_demo(size=3, field=5, pad=0, stride=1)
    assert demo.geometry.errors and "no window fits" in demo.formula_w.value
    assert "set the padding to 1" in demo.formula_w.value
    assert demo.step_w.disabled and "no window fits" in demo.status_w.value
    assert "nothing to compute" in demo.dot_w.value and "cs231n-conv-tap" not in demo.figure_w.value
    demo.pad_w.value = 1
    assert not demo.step_w.disabled and demo.geometry.out == 1


def test_filter_bank_is_the_filter_applied_to_the_image():
    demo = convolution_demo(stride=1, pad=1, filter="edge")
    image = demo.images[demo.image_w.value]
    want = cm.convolve(image[None] / 255.0, cm.filter_kernel("edge")[None, None], pad=1)[0]
    np.testing.assert_allclose(demo.bank_out, want)
    assert demo.filtered_view.grid == 28 and len(demo.filtered_view.regions) == 28 * 28
    assert "blue negative" in demo.bank_note_w.value
    demo.filter_w.value = "blur"
    assert "filter bank: blur (box 3x3) on image 0" in demo.status_w.value
    assert demo.bank_out.min() >= 0 and "blue negative" not in demo.bank_note_w.value
    demo.stride_w.value = 2  # 27/2 on a 28-pixel image: the last row is dropped, as torch does
    assert demo.bank_out.shape == (14, 14) and "dropped (as PyTorch does)" in demo.bank_note_w.value


def test_missing_data_fall_back_with_a_message(monkeypatch):
    from cs231n_lib import data

    def missing(name=None, download=False):
        raise data.DatasetError("fashion_mnist is not on this machine")
    monkeypatch.setattr(data, "load_dataset", missing)
    demo = convolution_demo()
    assert len(demo.images) == 1 and "not available" in demo.bank_note_w.value
    assert demo.image_w.max == 0 and demo.filtered_view.grid > 0


def test_unknown_filter_is_refused():
    with pytest.raises(ValueError, match="unknown filter"):
        convolution_demo(filter="emboss")


def test_update_times():
    t0 = time.perf_counter()
    demo = convolution_demo()
    build = time.perf_counter() - t0
    times = {}
    for name, control, values in [("step", demo.step_w, range(1, 9)), ("stride", demo.stride_w, [1, 2, 1, 2]),
                                  ("filter", demo.filter_w, ["blur", "edge", "sobel_y", "random"])]:
        t = []
        for v in values:
            t0 = time.perf_counter()
            control.value = v
            t.append(time.perf_counter() - t0)
        times[name] = statistics.median(t)
    demo.size_w.value, demo.pad_w.value, demo.c_in_w.value, demo.stride_w.value = 9, 3, 3, 1  # the largest picture
    t0 = time.perf_counter()
    demo.step_w.value = 100
    largest = time.perf_counter() - t0
    print(f"\nconvolution explorer: built in {build * 1e3:.0f} ms; control -> redrawn, median: "
          + ", ".join(f"{k} {v * 1e3:.1f} ms" for k, v in times.items())
          + f"; a step at 9x9, pad 3, 3 channels: {largest * 1e3:.1f} ms; "
          f"widget says {demo.last_update_s * 1e3:.0f} ms")
