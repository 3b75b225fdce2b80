"""cs231n_lib.widgets.linear_widget: controls reach the math, gradients are shown, run/stop clocks steps."""

import re

import numpy as np
import pytest

from cs231n_lib.widgets import LinearClassifierDemo, linear_classifier_demo
from cs231n_lib.widgets import linear_math as lm


def _digest(demo):
    """What the two canvases draw."""
    assert len(demo.plane_w.regions) == demo.resolution ** 2
    return demo.plane_w.state_digest() + demo.curve_w.state_digest()


def _shown_grads(demo):
    return np.array([float(re.search(r"grad ([-+0-9.]+)", g.value).group(1)) for g in demo.grad_w])


def test_starts_at_the_stanford_setup():
    demo = linear_classifier_demo()
    assert isinstance(demo, LinearClassifierDemo)
    np.testing.assert_array_equal(demo.W, lm.STANFORD_W)
    want = lm.objective(lm.STANFORD_W, lm.STANFORD_B, lm.STANFORD_X, lm.STANFORD_Y, "svm_ww", 0.1)
    assert demo.result["loss"] == pytest.approx(want["loss"])
    assert [w.value for w in demo.param_w] == [1.0, 2.0, 2.0, -4.0, 3.0, -1.0, 0.0, 0.5, -0.5]
    assert set(dict(demo.loss_w.options).values()) == set(lm.LOSSES)
    assert "6.2667" in demo.status_w.value


def test_each_parameter_shows_its_gradient():
    demo = linear_classifier_demo(loss="softmax")
    want = np.concatenate([demo.result["dW"].ravel(), demo.result["db"]])
    np.testing.assert_allclose(_shown_grads(demo), want, atol=5e-5)


def test_editing_a_parameter_recomputes_everything():
    demo = linear_classifier_demo()
    before, grads_before = _digest(demo), _shown_grads(demo)
    demo.param_w[7].value = -2.0  # b[1]
    assert demo.b[1] == -2.0
    want = lm.objective(demo.W, demo.b, demo.X, demo.y, "svm_ww", 0.1)
    assert demo.result["loss"] == pytest.approx(want["loss"])
    assert _digest(demo) != before and not np.allclose(_shown_grads(demo), grads_before)


def test_single_update_is_one_gradient_step():
    demo = linear_classifier_demo(loss="svm_structured", step_size=0.2, reg=0.05)
    r = lm.objective(demo.W, demo.b, demo.X, demo.y, "svm_structured", 0.05)
    W_want, b_want = lm.sgd_step(demo.W, demo.b, r["dW"], r["db"], 0.2)
    demo.step_btn.click()
    np.testing.assert_allclose(demo.W, W_want)
    np.testing.assert_allclose(demo.b, b_want)
    assert demo.iteration == 1 and len(demo.history) == 2 and demo.history[1][1] < demo.history[0][1]


@pytest.mark.parametrize("kind", list(lm.LOSSES))
def test_training_reduces_loss_for_every_loss(kind):
    demo = linear_classifier_demo(loss=kind)
    demo.step(40)
    assert demo.history[-1][1] < 0.6 * demo.history[0][1]


def test_parameters_keep_full_precision_while_display_rounds():
    demo = linear_classifier_demo()
    demo.step(3)
    assert any(abs(v - round(v, 4)) > 0 for v in demo.W.ravel())
    assert all(w.value == round(w.value, 4) for w in demo.param_w)


def test_loss_choice_and_reg_restart_the_curve_and_change_the_picture():
    demo = linear_classifier_demo()
    demo.step(5)
    seen = {_digest(demo)}
    demo.loss_w.value = "softmax"
    assert demo.history == [(0, demo.result["loss"], demo.result["data_loss"])]
    assert _digest(demo) not in seen
    seen.add(_digest(demo))
    demo.reg_w.value = 1.0
    assert demo.result["reg_loss"] == pytest.approx(1.0 * np.sum(demo.W ** 2))
    assert _digest(demo) not in seen


def test_violators_are_listed_and_highlighted():
    demo = linear_classifier_demo()
    r = demo.result
    mask = lm.violators(r["scores"], demo.y, "svm_ww", r["per_point"])
    np.testing.assert_array_equal(demo.violators, mask)
    assert demo.table_w.value.count("background:#ffe0e0") == int(mask.sum())
    assert f"{int(mask.sum())} of 9 points" in demo.status_w.value
    assert demo.table_w.value.count("<tr") == 10  # header + one row per point


def test_randomize_and_reset():
    demo = linear_classifier_demo(seed=1)
    demo.random_btn.click()
    assert not np.allclose(demo.W, lm.STANFORD_W) and demo.iteration == 0
    demo.step(2)
    demo.reset_btn.click()
    np.testing.assert_array_equal(demo.W, lm.STANFORD_W)
    assert demo.iteration == 0 and len(demo.history) == 1


def test_step_size_and_reg_are_log_sliders_and_run_ticks_every_100_ms():
    demo = linear_classifier_demo(step_size=0.2, reg=0.05)
    for w, value in [(demo.step_w, 0.2), (demo.reg_w, 0.05)]:
        assert type(w).__name__ == "FloatLogSlider" and w.base == 10 and w.value == pytest.approx(value)
    assert 10 ** demo.step_w.min <= 1e-3 and 10 ** demo.step_w.max >= 10 and 10 ** demo.reg_w.min <= 1e-4
    assert demo.play.interval == 100  # at most 10 steps/s; a step costs the kernel a few ms


def test_regions_are_computed_at_the_canvas_pixel_resolution():
    demo = linear_classifier_demo()
    assert demo.plane_w.smooth and demo.resolution == demo.plane_w.width == demo.plane_w.height - 20
    regions = np.frombuffer(demo.plane_w.regions, dtype=np.uint8).reshape(demo.resolution, demo.resolution)
    xs = np.linspace(-1, 1, demo.resolution)
    corner = np.array([[xs[-1], xs[0]]])  # bottom-right: row 0, last column
    assert regions[0, -1] == lm.predict(demo.W, demo.b, corner)[0]
    assert set(np.unique(regions)) <= {0, 1, 2}


def test_loss_axes_are_sensible_at_iteration_zero():
    demo = linear_classifier_demo()
    curve = demo.curve_w
    assert curve.xlim == [0.0, 10.0] and curve.ylim[0] == 0 and curve.ylim[1] > demo.result["loss"]
    assert curve.xticks[0] == 0 and curve.xticks[-1] == 10 and len(curve.yticks) >= 3
    assert curve.series[0]["y"] == [pytest.approx(demo.result["loss"])]
    demo.step(12)
    assert curve.xlim == [0.0, pytest.approx(12.6)] and curve.series[0]["x"] == [0.0, 12.0]  # step(n) records once


def test_boundary_lines_and_arrows_and_violator_rings_are_drawn():
    demo = linear_classifier_demo()
    segments = demo.plane_w.segments
    assert len(segments) == 6 and sum(bool(s.get("arrow")) for s in segments) == 3
    assert demo.plane_w.rings == np.flatnonzero(demo.violators).tolist()


def test_run_toggle_drives_the_play_clock():
    demo = linear_classifier_demo(interval_ms=200)
    demo.play.value += 1  # a tick while not running does nothing
    assert demo.iteration == 0
    demo.run_w.value = True
    assert demo.play.playing and demo.run_w.description == "stop"
    demo.play.value += 1  # what a tick of the browser-side timer does
    assert demo.iteration == 1
    demo.play.value += 1  # arrives right after the last step started: a bunched-up tick, dropped
    assert demo.iteration == 1
    demo._last_tick_start -= 0.1  # as if the last step had started one interval (100 ms) ago
    demo.play.value += 1
    assert demo.iteration == 2
    demo.run_w.value = False
    assert not demo.play.playing and demo.run_w.description == "run"


def test_bad_input_is_rejected():
    with pytest.raises(ValueError, match="W must be"):
        linear_classifier_demo(W=np.zeros((2, 2)))
    with pytest.raises(ValueError, match="labels must be"):
        linear_classifier_demo(X=np.zeros((2, 2)), y=np.array([0, 3]))
    with pytest.raises(ValueError, match=r"X must be \(N, 2\)"):
        linear_classifier_demo(X=np.zeros((2, 3)), y=np.array([0, 1]))
