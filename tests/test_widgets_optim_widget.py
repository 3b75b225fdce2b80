"""cs231n_lib.widgets.optim_widget: controls reach the math, the picture changes, updates are timed (printed)."""

import statistics
import time

import numpy as np
import pytest

from cs231n_lib.widgets import OptimizerDemo, optimizer_demo
from cs231n_lib.widgets import optim_math as om
from cs231n_lib.widgets.optim_widget import OPT_COLORS


def _digest(demo):
    """What the three canvases draw."""
    assert len(demo.plane_w.regions) == demo.resolution ** 2
    return demo.plane_w.state_digest() + demo.curve_w.state_digest() + demo.lr_curve_w.state_digest()


def test_starts_with_six_optimizers_racing_on_the_ravine():
    demo = optimizer_demo()
    assert isinstance(demo, OptimizerDemo)
    s = om.SURFACES["ravine"]
    assert demo.start == s.start and demo.lr_w.value == pytest.approx(s.lr)
    assert list(demo.results) == list(om.OPTIMIZERS)
    want = om.race("ravine", list(om.OPTIMIZERS), s.start, s.lr, "constant", 100, mu=0.9)
    for name in om.OPTIMIZERS:
        np.testing.assert_allclose(demo.results[name]["path"], want[name]["path"])
    labels = [ser["label"] for ser in demo.curve_w.series]
    assert labels == list(om.OPTIMIZERS.values())                  # the legend
    assert {seg["color"] for seg in demo.plane_w.segments} == set(OPT_COLORS.values())
    assert demo.plane_w.points == [[-1.8, 0.6, 0]] and demo.plane_w.interactive
    assert demo.plane_w.star == {"x": 0.0, "y": 0.0, "color": "#ffd700"}
    assert "updated in" in demo.status_w.value


@pytest.mark.parametrize("change", [
    lambda d: setattr(d.lr_w, "value", 0.01),
    lambda d: setattr(d.schedule_w, "value", "cosine"),
    lambda d: setattr(d.steps_w, "value", 50),
    lambda d: setattr(d.mu_w, "value", 0.5),
    lambda d: setattr(d.noise_w, "value", 0.2),
    lambda d: setattr(d.opt_w["adam"], "value", False),
    lambda d: setattr(d.surface_w, "value", "saddle"),
    lambda d: setattr(d.axis_w, "value", "linear"),
    lambda d: setattr(d.frame_w, "value", 10),
    lambda d: d.set_start(1.0, -1.0),
], ids=["lr", "schedule", "steps", "mu", "noise", "optimizers", "surface", "axis", "frame", "start"])
def test_every_control_changes_the_picture(change):
    demo = optimizer_demo()
    before = _digest(demo)
    change(demo)
    assert _digest(demo) != before


def test_contour_plot_shows_the_surface():
    demo = optimizer_demo(surface="saddle")
    n = demo.resolution
    bands = np.frombuffer(demo.plane_w.regions, dtype=np.uint8).reshape(n, n)
    assert bands.max() == len(demo.plane_w.tints) - 1
    centre = bands[n // 2, n // 2]
    assert bands[int(0.75 * n), n // 2] < centre   # the minimum at (0, 1), row 0 = bottom
    assert bands[-1, -1] > centre                  # a corner is high


def test_unticked_optimizers_leave_the_race():
    demo = optimizer_demo(optimizers=("sgd", "adam"))
    assert list(demo.results) == ["sgd", "adam"] and len(demo.curve_w.series) == 2
    demo.opt_w["momentum"].value = True
    assert list(demo.results) == ["sgd", "momentum", "adam"]


def test_drag_and_click_move_the_start():
    demo = optimizer_demo()
    demo.plane_w._receive(demo.plane_w, {"event": "click", "x": 0.5, "y": -1.5}, [])
    assert demo.start == (0.5, -1.5) and demo.plane_w.points == [[0.5, -1.5, 0]]
    assert all(np.allclose(r["path"][0], (0.5, -1.5)) for r in demo.results.values())
    demo.plane_w._receive(demo.plane_w, {"event": "drag", "index": 0, "x": -1.0, "y": 1.0, "done": True}, [])
    assert demo.start == (-1.0, 1.0)
    demo.restart_btn.click()
    assert demo.start == om.SURFACES["ravine"].start


def test_surface_switch_resets_start_and_learning_rate_once():
    demo = optimizer_demo()
    calls = []
    original = om.race
    try:
        om.race = lambda *a, **k: calls.append(1) or original(*a, **k)
        demo.surface_w.value = "noisy"
    finally:
        om.race = original
    s = om.SURFACES["noisy"]
    assert len(calls) == 1 and demo.start == s.start and demo.lr_w.value == pytest.approx(s.lr)
    assert not demo.batch_w.disabled and not demo.reseed_btn.disabled
    demo.surface_w.value = "ravine"
    assert demo.batch_w.disabled and demo.reseed_btn.disabled


def test_new_noise_changes_the_minibatches():
    demo = optimizer_demo(surface="noisy", optimizers=("sgd",))
    before = demo.results["sgd"]["path"].copy()
    demo.reseed_btn.click()
    assert demo.seed == 1 and not np.allclose(demo.results["sgd"]["path"], before)
    demo.batch_w.value = om.SURFACES["noisy"].num_data  # full batch: plain gradient descent
    s = om.SURFACES["noisy"]
    p = np.array(s.start)
    for _ in range(3):
        p = p - demo.lr_w.value * s.grad(p)
    np.testing.assert_allclose(demo.results["sgd"]["path"][3], p)


def test_replay_shows_a_prefix_of_the_race():
    demo = optimizer_demo(optimizers=("sgd",))
    assert demo.frame_w.max == demo.play.max == 100 and demo.frame_w.value == 100
    demo.frame_w.value = 5
    assert len(demo.curve_w.series[0]["y"]) == 6
    demo.steps_w.value = 40   # a new race is shown to its end
    assert demo.frame_w.value == demo.frame_w.max == 40 and len(demo.curve_w.series[0]["y"]) == 41


def test_diverging_paths_are_clipped_to_the_plot_and_reported():
    demo = optimizer_demo(lr=1.0, optimizers=("sgd",))
    lo, hi = demo.surface.bounds
    assert demo.results["sgd"]["diverged"] and "diverged at step" in demo.status_w.value
    for s in demo.plane_w.segments:
        assert all(lo - 1e-9 <= s[k] <= hi + 1e-9 for k in ("x0", "y0", "x1", "y1"))
    assert all(np.isfinite(demo.curve_w.series[0]["y"]))


def test_log_and_linear_loss_axes():
    demo = optimizer_demo(optimizers=("momentum",))
    y = np.array(demo.curve_w.series[0]["y"])
    loss = demo.results["momentum"]["loss"]
    np.testing.assert_allclose(y, np.log10(np.maximum(loss, 1e-8)), atol=1e-5)
    assert demo.curve_w.ylim[0] <= y.min() and demo.curve_w.ylim[1] >= y[0]
    demo.axis_w.value = "linear"
    np.testing.assert_allclose(demo.curve_w.series[0]["y"], loss, atol=1e-6)
    assert demo.curve_w.ylabel == "loss"


def test_learning_rate_curve_follows_the_schedule():
    demo = optimizer_demo(schedule="step", lr=0.1, steps=90)
    np.testing.assert_allclose(demo.lr_curve_w.series[0]["y"], om.schedule_curve("step", 0.1, 90))


def test_update_time_is_measured_and_printed():
    demo = optimizer_demo()
    times = []
    for lr in np.geomspace(0.01, 0.3, 8):
        t0 = time.perf_counter()
        demo.lr_w.value = float(lr)
        times.append(time.perf_counter() - t0)
    demo.steps_w.value = 300
    print(f"\noptimizer demo: control -> recomputed and redrawn, six optimizers x 100 steps: median "
          f"{statistics.median(times) * 1e3:.1f} ms (max {max(times) * 1e3:.1f}); 300 steps: "
          f"{demo.last_update_s * 1e3:.1f} ms")
    assert np.isfinite(demo.last_update_s)


def test_bad_input_is_rejected():
    with pytest.raises(ValueError, match="unknown surface"):
        optimizer_demo(surface="rosenbrock")
    with pytest.raises(ValueError, match="unknown optimizers"):
        optimizer_demo(optimizers=("lbfgs",))
    with pytest.raises(ValueError, match="unknown schedule"):
        optimizer_demo(schedule="exp")
