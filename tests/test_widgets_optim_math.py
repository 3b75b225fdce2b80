"""cs231n_lib.widgets.optim_math: surfaces' gradients, first steps by hand, documented behaviour of the
race (ravine, saddle), schedules' shapes, and trajectories against torch.optim."""

import math

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from cs231n_lib.widgets import optim_math as om

coord = st.floats(-2.0, 2.0, allow_nan=False)


# ----- surfaces ----------------------------------------------------------------------------------
@settings(max_examples=30, deadline=None)
@given(key=st.sampled_from(list(om.SURFACES)), x=coord, y=coord)
def test_gradients_match_central_differences(key, x, y):
    s = om.SURFACES[key]
    h, p = 1e-6, np.array([x, y])
    num = [(s.loss(p + h * e) - s.loss(p - h * e)) / (2 * h) for e in np.eye(2)]
    np.testing.assert_allclose(s.grad(p), num, atol=1e-5)


def test_minibatch_gradient_is_the_gradient_of_the_minibatch_loss_and_unbiased():
    s = om.SURFACES["noisy"]
    u, t = s.data
    p, batch = np.array([0.3, -1.2]), np.array([3, 17, 42])
    r = p[0] * u[batch] + p[1] - t[batch]
    np.testing.assert_allclose(s.grad(p, batch), [np.mean(r * u[batch]), np.mean(r)])
    all_batches = np.mean([s.grad(p, [i]) for i in range(s.num_data)], axis=0)
    np.testing.assert_allclose(all_batches, s.grad(p), atol=1e-12)  # mean over minibatches = full gradient


@pytest.mark.parametrize("key", list(om.SURFACES))
def test_minimum_is_a_stationary_point_with_the_smallest_loss(key):
    s = om.SURFACES[key]
    np.testing.assert_allclose(s.grad(np.array(s.minimum)), 0, atol=1e-10)
    lo, hi = s.bounds
    g = np.linspace(lo, hi, 81)
    grid = np.stack(np.meshgrid(g, g), axis=-1)
    assert s.loss(grid).min() >= s.min_loss - 1e-12
    assert s.bounds[0] < s.start[0] < s.bounds[1] and s.bounds[0] < s.start[1] < s.bounds[1]


def test_saddle_by_hand():
    s = om.SURFACES["saddle"]
    assert s.loss([0.0, 0.0]) == pytest.approx(0.25) and s.loss([0.0, 1.0]) == 0.0
    np.testing.assert_allclose(s.grad(np.array([1.0, 2.0])), [2.0, 2.0 * (4 - 1)])  # y (y^2 - 1)


# ----- first steps by hand -----------------------------------------------------------------------
G = np.array([2.0, -4.0])
P = np.array([1.0, 1.0])


def test_first_steps_by_hand():
    lr = 0.1
    step = lambda kind, **kw: om.Stepper(kind, **kw).step(P, G, lr)
    np.testing.assert_allclose(step("sgd"), [0.8, 1.4])
    np.testing.assert_allclose(step("momentum"), [0.8, 1.4])          # v = -lr g
    np.testing.assert_allclose(step("nesterov"), [0.62, 1.76])        # -mu*0 + (1 + mu)(-lr g) = 1.9 * (-0.2, 0.4)
    np.testing.assert_allclose(step("adagrad"), [0.9, 1.1])           # g / |g| = sign(g)
    # RMSProp: c = 0.01 g^2, so g / sqrt(c) = 10 sign(g)
    np.testing.assert_allclose(step("rmsprop"), [0.0, 2.0], atol=1e-7)
    np.testing.assert_allclose(step("adam"), [0.9, 1.1], atol=1e-8)   # bias-corrected: m_hat / sqrt(v_hat) = sign(g)


def test_second_steps_by_hand():
    lr, g2 = 0.1, np.array([1.0, 1.0])
    s = om.Stepper("momentum", mu=0.5)
    p1 = s.step(P, G, lr)                       # v = (-0.2, 0.4)
    np.testing.assert_allclose(s.step(p1, g2, lr), p1 + 0.5 * np.array([-0.2, 0.4]) - 0.1 * g2)
    s = om.Stepper("adagrad", eps=0.0)
    p1 = s.step(P, G, lr)
    np.testing.assert_allclose(s.step(p1, g2, lr), p1 - 0.1 * g2 / np.sqrt(G ** 2 + 1))
    s = om.Stepper("adam", eps=0.0)
    p1 = s.step(P, G, lr)
    m = 0.9 * 0.1 * G + 0.1 * g2
    v = 0.999 * 0.001 * G ** 2 + 0.001 * g2 ** 2
    np.testing.assert_allclose(s.step(p1, g2, lr), p1 - lr * (m / 0.19) / np.sqrt(v / (1 - 0.999 ** 2)))


def test_stepper_rejects_unknown_names():
    with pytest.raises(ValueError, match="unknown optimizer"):
        om.Stepper("lbfgs")


def test_no_graded_update_rule_names_in_the_library():
    # assignment 2 grades sgd_momentum, rmsprop and adam with (w, dw, config=None) -> (next_w, config)
    for name in ("sgd", "sgd_momentum", "rmsprop", "adam"):
        assert not callable(getattr(om, name, None)), f"optim_math must not offer {name}() to students"


# ----- documented behaviour ----------------------------------------------------------------------
def test_on_the_ravine_momentum_and_adam_beat_sgd_for_a_fixed_budget():
    s = om.SURFACES["ravine"]
    r = om.race("ravine", ["sgd", "momentum", "nesterov", "adam"], s.start, lr=0.05, steps=100)
    gap = {k: float(v["loss"][-1] - s.min_loss) for k, v in r.items()}
    print("ravine, lr 0.05, 100 steps, loss - min:", {k: f"{v:.2e}" for k, v in gap.items()})
    assert gap["momentum"] < 1e-3 * gap["sgd"] and gap["nesterov"] < 1e-3 * gap["sgd"]
    assert gap["adam"] < 1e-2 * gap["sgd"]


def test_sgd_zig_zags_across_the_ravine_at_a_large_step():
    s = om.SURFACES["ravine"]
    y = om.race("ravine", ["sgd"], s.start, lr=0.35, steps=10)["sgd"]["path"][:, 1]
    assert np.all(np.sign(y[1:]) == -np.sign(y[:-1]))   # y factor 1 - 5 * 0.35 = -0.75 each step


def test_saddle_sgd_on_the_ridge_stays_stuck_noise_escapes():
    start = (-1.8, 0.0)
    r = om.race("saddle", list(om.OPTIMIZERS), start, lr=0.05, steps=300)
    for name, v in r.items():
        assert np.all(v["path"][:, 1] == 0.0), f"{name} left the ridge without noise"
    assert r["sgd"]["loss"][-1] == pytest.approx(0.25, abs=1e-6)   # at the saddle point
    noisy = om.race("saddle", ["sgd"], start, lr=0.05, steps=300, grad_noise=0.1, seed=1)["sgd"]
    assert noisy["loss"][-1] < 0.02 and abs(abs(noisy["path"][-1, 1]) - 1) < 0.15


def test_saddle_momentum_and_adam_escape_first_from_just_off_the_ridge():
    s = om.SURFACES["saddle"]
    r = om.race("saddle", ["sgd", "momentum", "adam"], s.start, lr=0.05, steps=100)
    escaped = {k: bool(np.any(np.abs(v["path"][:, 1]) > 0.5)) for k, v in r.items()}
    assert escaped == {"sgd": False, "momentum": True, "adam": True}
    assert r["sgd"]["loss"][-1] == pytest.approx(0.25, abs=0.02)   # still at the saddle (y grew 1.05x a step)


def test_divergence_stops_the_path():
    r = om.race("ravine", ["sgd", "momentum"], (-1.8, 0.6), lr=1.0, steps=200)
    assert r["sgd"]["diverged"] and len(r["sgd"]["path"]) < 201
    assert np.all(np.isfinite(r["sgd"]["loss"]))


def test_minibatches_are_shared_and_seeded():
    s = om.SURFACES["noisy"]
    a = om.race("noisy", ["sgd", "adam"], s.start, lr=0.1, steps=30, seed=3, batch_size=5)
    b = om.race("noisy", ["sgd"], s.start, lr=0.1, steps=30, seed=3, batch_size=5)
    c = om.race("noisy", ["sgd"], s.start, lr=0.1, steps=30, seed=4, batch_size=5)
    np.testing.assert_array_equal(a["sgd"]["path"], b["sgd"]["path"])
    assert not np.allclose(a["sgd"]["path"], c["sgd"]["path"])
    full = om.race("noisy", ["sgd"], s.start, lr=0.1, steps=30, batch_size=s.num_data)["sgd"]["path"]
    exact = [np.array(s.start)]
    for _ in range(30):
        exact.append(exact[-1] - 0.1 * s.grad(exact[-1]))
    np.testing.assert_allclose(full, exact)  # a minibatch of every point is full-batch gradient descent


# ----- schedules ---------------------------------------------------------------------------------
def test_schedule_shapes():
    T, lr = 90, 0.5
    c = {k: om.schedule_curve(k, lr, T) for k in om.SCHEDULES}
    assert np.all(c["constant"] == lr)
    np.testing.assert_allclose(c["step"], np.repeat([0.5, 0.05, 0.005], 30))   # drops at a third, two thirds
    assert c["cosine"][0] == lr and c["cosine"][-1] < 1e-3 * lr and np.all(np.diff(c["cosine"]) < 0)
    assert om.learning_rate("cosine", lr, T // 2, T) == pytest.approx(lr / 2)
    np.testing.assert_allclose(c["warmup"][:9], lr * np.arange(1, 10) / 9)     # linear rise over 10% (9 steps)
    assert np.all(c["warmup"][8:] == lr)
    t = np.arange(T)
    np.testing.assert_allclose(c["inv_sqrt"], lr / np.sqrt(t + 1))
    assert c["inv_sqrt"][T - 1] * math.sqrt(T) == pytest.approx(lr)  # ~ 1 / sqrt(t)


@settings(max_examples=50, deadline=None)
@given(kind=st.sampled_from(list(om.SCHEDULES)), base=st.floats(1e-4, 10.0), total=st.integers(1, 500),
       frac=st.floats(0, 1))
def test_schedules_are_positive_at_most_base_and_non_increasing_after_warm_up(kind, base, total, frac):
    t = min(int(frac * total), total - 1)
    v = om.learning_rate(kind, base, t, total)
    assert 0 <= v <= base * (1 + 1e-12)
    if kind != "warmup" and t + 1 < total:
        assert om.learning_rate(kind, base, t + 1, total) <= v


def test_schedule_errors():
    with pytest.raises(ValueError, match="unknown schedule"):
        om.learning_rate("exp", 0.1, 0, 10)
    with pytest.raises(ValueError, match="t must be"):
        om.learning_rate("step", 0.1, -1, 10)


# ----- against torch.optim -----------------------------------------------------------------------
def _torch_path(make, surface, start, steps, lrs=None):
    p = torch.nn.Parameter(torch.tensor(start, dtype=torch.float64))
    opt = make([p])
    out = [p.detach().numpy().copy()]
    for t in range(steps):
        if lrs is not None:
            opt.param_groups[0]["lr"] = lrs[t]
        opt.zero_grad()
        p.grad = torch.as_tensor(surface.grad(p.detach().numpy()))
        opt.step()
        out.append(p.detach().numpy().copy())
    return np.array(out)


TORCH = {
    "sgd": lambda lr: (lambda ps: torch.optim.SGD(ps, lr=lr)),
    "momentum": lambda lr: (lambda ps: torch.optim.SGD(ps, lr=lr, momentum=0.9)),
    "nesterov": lambda lr: (lambda ps: torch.optim.SGD(ps, lr=lr, momentum=0.9, nesterov=True)),
    "adagrad": lambda lr: (lambda ps: torch.optim.Adagrad(ps, lr=lr, eps=1e-8)),  # torch's default eps is 1e-10
    "rmsprop": lambda lr: (lambda ps: torch.optim.RMSprop(ps, lr=lr, alpha=0.99, eps=1e-8)),
    "adam": lambda lr: (lambda ps: torch.optim.Adam(ps, lr=lr, betas=(0.9, 0.999), eps=1e-8)),
}


@pytest.mark.parametrize("surface", ["ravine", "saddle"])
@pytest.mark.parametrize("name", list(om.OPTIMIZERS))
def test_trajectories_match_torch_optim(name, surface):
    s = om.SURFACES[surface]
    lr = 0.05
    ours = om.race(s, [name], s.start, lr=lr, steps=20)[name]["path"]
    theirs = _torch_path(TORCH[name](lr), s, s.start, 20)
    np.testing.assert_allclose(ours, theirs, rtol=1e-9, atol=1e-12)


def test_momentum_differs_from_torch_when_the_learning_rate_changes():
    # documented: our v = mu v - lr g holds lr inside the velocity; torch's b = mu b + g is scaled by today's lr
    s, steps = om.SURFACES["ravine"], 12
    lrs = om.schedule_curve("step", 0.1, steps)
    ours = om.race(s, ["momentum"], s.start, lr=0.1, schedule="step", steps=steps)["momentum"]["path"]
    theirs = _torch_path(TORCH["momentum"](0.1), s, s.start, steps, lrs=lrs)
    np.testing.assert_allclose(ours[:5], theirs[:5], rtol=1e-12)        # same before the first drop (step 4)
    assert not np.allclose(ours[6:], theirs[6:], rtol=1e-3)
    sgd = om.race(s, ["adam"], s.start, lr=0.1, schedule="step", steps=steps)["adam"]["path"]
    np.testing.assert_allclose(sgd, _torch_path(TORCH["adam"](0.1), s, s.start, steps, lrs=lrs), rtol=1e-9)


# ----- drawing helpers ---------------------------------------------------------------------------
def test_clip_segment():
    assert om.clip_segment((0, 0), (0.5, 0.5), -1, 1) == ((0.0, 0.0), (0.5, 0.5))
    (a, b) = om.clip_segment((0, 0), (4, 0), -1, 1)
    assert a == (0.0, 0.0) and b == pytest.approx((1.0, 0.0))
    assert om.clip_segment((2, 2), (3, 5), -1, 1) is None
    (a, b) = om.clip_segment((-3, -3), (3, 3), -1, 1)
    assert a == pytest.approx((-1, -1)) and b == pytest.approx((1, 1))


@settings(max_examples=50, deadline=None)
@given(st.lists(st.floats(-10, 10), min_size=4, max_size=4))
def test_clipped_segments_lie_in_the_square(c):
    r = om.clip_segment(c[:2], c[2:], -1, 1)
    if r is not None:
        assert all(-1 - 1e-9 <= v <= 1 + 1e-9 for pt in r for v in pt)


def test_thin_path_keeps_ends_and_drops_a_converged_tail():
    path = np.concatenate([np.linspace([-1, 0], [0, 0], 11), np.zeros((50, 2))])
    keep = om.thin_path(path, 0.05)
    assert keep[0] == 0 and keep[-1] == len(path) - 1 and len(keep) == 12


def test_contour_levels_are_bands_of_growing_loss():
    f = np.linspace(0, 10, 1000)
    lv = om.contour_levels(f, 14)
    assert lv.min() == 0 and lv.max() == 13 and np.all(np.diff(lv) >= 0)
    assert np.all(om.contour_levels(np.ones(5)) == 0)
