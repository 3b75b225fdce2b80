"""cs231n_lib.widgets.init_widget: every control reaches the forward pass and the picture, each panel
shows its layer's mean and std, and an update is quick (time printed, never asserted)."""

import re
import statistics
import time

import numpy as np
import pytest

from cs231n_lib.widgets import WeightInitDemo, weight_init_demo
from cs231n_lib.widgets import init_math as im

SMALL = dict(depth=4, width=100, batch=200)  # fast; the default sizes are timed below


def _shown_stds(demo):
    return [float(s) for s in re.findall(r"std ([-+0-9.e]+)</text>", demo.figure_w.value)]


def test_starts_with_the_lecture_setup_and_one_panel_per_layer():
    demo = weight_init_demo(**SMALL)
    assert isinstance(demo, WeightInitDemo)
    assert (demo.init_w.value, demo.nonlinearity_w.value, demo.batchnorm_w.value) == ("0.01", "tanh", False)
    assert demo.figure_w.value.count("cs231n-init-panel") == 4
    assert set(dict(demo.init_w.options).values()) == set(im.INITS)
    assert "shrink layer after layer" in demo.explain_w.value


def test_each_panel_shows_its_layer_mean_and_std():
    demo = weight_init_demo(**SMALL)
    want = im.layer_stats(im.forward(4, 100, "tanh", "0.01", batch=200).post)
    assert _shown_stds(demo) == pytest.approx([s for _, s, _ in want], rel=5e-3)  # 3 significant digits
    assert f"mean {want[0][0]:+.3g}" in demo.figure_w.value


@pytest.mark.parametrize("control, value", [("depth_w", 6), ("width_w", 150), ("nonlinearity_w", "relu"),
                                            ("init_w", "xavier"), ("batchnorm_w", True), ("show_w", "pre")])
def test_every_control_changes_the_picture(control, value):
    demo = weight_init_demo(**SMALL)
    before = demo.figure_w.value
    getattr(demo, control).value = value
    assert demo.figure_w.value != before
    if control == "depth_w":
        assert demo.figure_w.value.count("cs231n-init-panel") == 6 and len(demo.forward.post) == 6


def test_xavier_with_tanh_keeps_the_spread_and_batchnorm_rescues_a_small_init():
    demo = weight_init_demo(depth=6, width=200, batch=200)
    assert _shown_stds(demo)[-1] < 1e-3
    demo.init_w.value = "xavier"
    assert _shown_stds(demo)[-1] > 0.2 and "close to 1" in demo.explain_w.value
    demo.init_w.value = "0.01"
    demo.batchnorm_w.value = True
    demo.show_w.value = "pre"
    assert _shown_stds(demo) == pytest.approx([1.0] * 6, abs=0.01) and "batchnorm rescales" in demo.explain_w.value


def test_relu_explains_the_halving_and_cuts_the_spike_at_zero():
    demo = weight_init_demo(nonlinearity="relu", init="kaiming", **SMALL)
    assert "Kaiming" in demo.explain_w.value and demo.figure_w.value.count("cs231n-init-clipped") == 4
    share = float(re.search(r"first bar \(cut\): (\d+)%", demo.figure_w.value).group(1))
    assert 45 <= share <= 60  # about half of a ReLU's outputs are exactly 0
    demo.show_w.value = "pre"
    assert "cs231n-init-clipped" not in demo.figure_w.value


def test_large_init_saturates_tanh_in_the_picture():
    demo = weight_init_demo(init="1.0", **SMALL)
    assert "tanh saturates" in demo.explain_w.value
    assert all(np.mean(np.abs(h) > 0.9) > 0.8 for h in demo.forward.post)


def test_update_time_at_the_default_sizes():
    demo = weight_init_demo()  # 6 layers of 500 units, batch 500
    assert (demo.depth_w.value, demo.width_w.value, demo.batch) == (6, 500, 500)
    times = []
    for init in ("xavier", "kaiming", "0.05", "0.01"):
        t0 = time.perf_counter()
        demo.init_w.value = init
        times.append(time.perf_counter() - t0)
    print(f"\nweight init, 6 x 500, batch 500: control -> redrawn in median {statistics.median(times) * 1e3:.0f} ms, "
          f"max {max(times) * 1e3:.0f} ms; widget says {demo.last_update_s * 1e3:.0f} ms")


def test_unknown_names_are_rejected():
    with pytest.raises(ValueError, match="init must be one of"):
        weight_init_demo(init="he")
    with pytest.raises(ValueError, match="nonlinearity one of"):
        weight_init_demo(nonlinearity="gelu")
