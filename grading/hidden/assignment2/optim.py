"""Hidden tests of the update rules of ``FullyConnectedNets.ipynb``: ``sgd_momentum``, ``rmsprop``
and ``adam``, each ``(w, dw, config=None) -> (next_w, config)``.

Each test steps the student's rule from ``config=None`` (the API's defaults must be filled in and
returned), through a chain of steps that feeds the returned config back (the state must carry
over), and from a given state; ``next_w`` and the state in the returned config (``velocity``;
``cache``; ``m``, ``v``, ``t``) are compared with one step of the torch optimizer
(``grading.oracles.optim``, float64), translated to the CS231n convention there.  ``w`` and
``dw`` are passed as copies (an in-place change fails the test).  Diagnoses name the usual
slips: the step's sign, the old velocity, epsilon inside the square root (``rmsprop`` gets a case
with a large epsilon and small gradients, where it shows), missing bias correction, ``t``
incremented too late, state not stored back.
"""

from __future__ import annotations

import numpy as np

from cs231n_lib.checks import CheckFailed
from grading.hidden.core import case_rng, hidden_test
from grading.hidden.kit import call_layer, describe_arrays, expect_close, plain
from grading.oracles import optim as oracle


def _step(rule, name, w, dw, config):
    next_w, new_config = call_layer(rule, name, w, dw, config, names=("w", "dw", "config"),
                                    returns=("next_w", "config"))
    if new_config is None or not hasattr(new_config, "get"):
        raise CheckFailed(f"{name} must return (next_w, config) with config a dict; got {type(new_config).__name__} "
                          "as the config (missing `return next_w, config`?).")
    return next_w, new_config


def _state(config, key, name, label):
    if key not in config:
        raise CheckFailed(f"{label}: the returned config has no {key!r}; {name} keeps its state in "
                          f"config[{key!r}] for the next step.")
    return config[key]


def _expect_defaults(config, name, defaults):
    for key, value in defaults.items():
        got = plain(config.get(key))
        if not isinstance(got, (int, float)) or abs(float(got) - value) > 1e-12 * abs(value):
            raise CheckFailed(f"{name}(w, dw) with config=None: config[{key!r}] is {got!r}; the API's default is "
                              f"{value:g} (set the defaults with config.setdefault).")


def _inputs(rng, dtype, shape, grad_scale=1.0):
    return (rng.standard_normal(shape).astype(dtype),
            (grad_scale * rng.standard_normal(shape)).astype(dtype))


def _copy(config):
    return {k: (np.array(v) if isinstance(v, np.ndarray) else v) for k, v in config.items()}


# --------------------------------------------------------------------------- SGD with momentum

_MOMENTUM_HINT = ("the velocity is a decaying sum of the steps: momentum times the old velocity, minus the learning "
                  "rate times dw; the weights then move by the new velocity.")


def _check_momentum_step(name, label, dtype, w, dw, config_in, next_w, config, lr, mu):
    velocity = config_in.get("velocity")
    want_w, want = oracle.sgd_momentum(w, dw, lr, mu, velocity)
    old_v = np.zeros(np.shape(w)) if velocity is None else np.asarray(velocity, dtype=np.float64)
    w64 = w.astype(np.float64)
    expect_close(f"{label}: next_w", next_w, want_w, dtype, _MOMENTUM_HINT, [
        ("next_w moves AGAINST the velocity: the velocity already points downhill (it includes -learning_rate * "
         "dw), so check the sign with which it enters the update of w.", w64 - want["velocity"]),
        ("next_w uses the OLD velocity: update the velocity first, then move w by the new one.", w64 + old_v),
        ("next_w is a plain SGD step: the velocity (momentum times the old one) is missing.",
         w64 - lr * dw.astype(np.float64)),
    ])
    v = _state(config, "velocity", name, label)
    expect_close(f"{label}: config['velocity']", v, want["velocity"], dtype, _MOMENTUM_HINT, [
        ("the returned config['velocity'] is not the new velocity: store it back for the next step.", old_v),
        ("the velocity has the wrong sign: it is momentum * v MINUS learning_rate * dw.", -want["velocity"]),
    ])


@hidden_test("assignment2", "fc_sgd_momentum", points=2, uses=["cs231n.optim:sgd_momentum"])
def fc_sgd_momentum(sgd_momentum):
    """sgd_momentum matches torch.optim.SGD(momentum): defaults, chained steps, a given velocity."""
    rng = case_rng(3101)
    name = "sgd_momentum"
    w, dw = _inputs(rng, np.float64, (5, 7))
    next_w, config = _step(sgd_momentum, name, w, dw, None)
    _expect_defaults(config, name, {"learning_rate": 1e-2, "momentum": 0.9})
    _check_momentum_step(name, f"{name} with config=None ({describe_arrays(np.float64, w=w)})", np.float64, w, dw,
                         {}, next_w, config, 1e-2, 0.9)

    for dtype, shape, lr, mu, start in [(np.float64, (4, 3), 0.05, 0.6, None), (np.float32, (3, 4, 2), 0.1, 0.8,
                                                                                    "given")]:
        w, _ = _inputs(rng, dtype, shape)
        config = {"learning_rate": lr, "momentum": mu}
        if start:
            config["velocity"] = (0.1 * rng.standard_normal(shape)).astype(dtype)
        for step in range(1, 4):
            dw = rng.standard_normal(shape).astype(dtype)
            before = _copy(config)
            next_w, config = _step(sgd_momentum, name, w, dw, config)
            label = (f"{name} step {step} ({describe_arrays(dtype, w=w)}, learning_rate={lr}, momentum={mu}"
                     + (", starting from a given velocity)" if start else ")"))
            _check_momentum_step(name, label, dtype, w, dw, before, next_w, config, lr, mu)
            w = np.asarray(next_w).astype(dtype)


# --------------------------------------------------------------------------- RMSProp

_RMSPROP_HINT = ("the cache is a moving average of dw squared (decay_rate weighs the old cache); each weight moves "
                 "by learning_rate * dw divided by (the square root of the cache, plus epsilon).")


def _check_rmsprop_step(name, label, dtype, w, dw, config_in, next_w, config, lr, decay, eps):
    cache = config_in.get("cache")
    want_w, want = oracle.rmsprop(w, dw, lr, decay, eps, cache)
    old = np.zeros(np.shape(w)) if cache is None else np.asarray(cache, dtype=np.float64)
    w64, dw64 = w.astype(np.float64), dw.astype(np.float64)
    swapped = (1 - decay) * old + decay * dw64 ** 2
    expect_close(f"{label}: next_w", next_w, want_w, dtype, _RMSPROP_HINT, [
        ("epsilon is added INSIDE the square root; it belongs outside, added to the square root of the cache"
         + (f" (this case uses a large epsilon, {eps:g}, with small gradients, so the difference shows)." if eps > 1e-6
            else " (the difference shows where the cache is small)."),
         w64 - lr * dw64 / np.sqrt(want["cache"] + eps)),
        ("the step uses the OLD cache: update the cache with this dw first, then divide by its square root.",
         w64 - lr * dw64 / (np.sqrt(old) + eps)),
        ("decay_rate weighs the wrong term: it multiplies the old cache, (1 - decay_rate) the new dw squared.",
         w64 - lr * dw64 / (np.sqrt(swapped) + eps)),
        ("next_w moves uphill: check the sign of the step.", 2 * w64 - want_w),
    ])
    got_cache = _state(config, "cache", name, label)
    expect_close(f"{label}: config['cache']", got_cache, want["cache"], dtype, _RMSPROP_HINT, [
        ("the returned config['cache'] is not the new cache: store it back for the next step.", old),
        ("decay_rate weighs the wrong term: it multiplies the old cache, (1 - decay_rate) the new dw squared.",
         swapped),
    ])


@hidden_test("assignment2", "fc_rmsprop", points=2, uses=["cs231n.optim:rmsprop"])
def fc_rmsprop(rmsprop):
    """rmsprop matches torch.optim.RMSprop: defaults, chained steps, a large epsilon with small gradients
    (epsilon outside the square root), float32."""
    rng = case_rng(3202)
    name = "rmsprop"
    w, dw = _inputs(rng, np.float64, (6, 5))
    next_w, config = _step(rmsprop, name, w, dw, None)
    _expect_defaults(config, name, {"learning_rate": 1e-2, "decay_rate": 0.99, "epsilon": 1e-8})
    _check_rmsprop_step(name, f"{name} with config=None ({describe_arrays(np.float64, w=w)})", np.float64, w, dw,
                        {}, next_w, config, 1e-2, 0.99, 1e-8)

    for dtype, shape, lr, decay, eps, grad_scale in [(np.float64, (4, 7), 0.02, 0.9, 1e-8, 1.0),
                                                     (np.float64, (3, 5), 0.01, 0.9, 1e-3, 1e-2),
                                                     (np.float32, (2, 3, 4), 0.05, 0.95, 1e-6, 1.0)]:
        w, _ = _inputs(rng, dtype, shape)
        config = {"learning_rate": lr, "decay_rate": decay, "epsilon": eps}
        for step in range(1, 4):
            dw = (grad_scale * rng.standard_normal(shape)).astype(dtype)
            before = _copy(config)
            next_w, config = _step(rmsprop, name, w, dw, config)
            label = (f"{name} step {step} ({describe_arrays(dtype, w=w)}, learning_rate={lr}, decay_rate={decay}, "
                     f"epsilon={eps:g})")
            _check_rmsprop_step(name, label, dtype, w, dw, before, next_w, config, lr, decay, eps)
            w = np.asarray(next_w).astype(dtype)


# --------------------------------------------------------------------------- Adam

_ADAM_HINT = ("m and v are moving averages of dw and dw squared; t counts the steps (incremented before it is "
              "used); both moments are bias-corrected by 1 - beta ** t before the step "
              "learning_rate * m_hat / (sqrt(v_hat) + epsilon).")


def _check_adam_step(name, label, dtype, w, dw, config_in, next_w, config, hp):
    lr, b1, b2, eps = hp
    m0, v0, t0 = config_in.get("m"), config_in.get("v"), int(plain(config_in.get("t", 0)))
    want_w, want = oracle.adam(w, dw, lr, b1, b2, eps, m0, v0, t0)
    m, v, t = want["m"], want["v"], want["t"]
    w64 = w.astype(np.float64)

    def step_with(m_hat, v_hat):
        return w64 - lr * m_hat / (np.sqrt(v_hat) + eps)

    diagnoses = [
        ("the moments are not bias-corrected: divide m by 1 - beta1 ** t and v by 1 - beta2 ** t before the step "
         "(early steps are far too small without it).", step_with(m, v)),
        ("only m is bias-corrected: v needs its own correction with beta2.", step_with(m / (1 - b1 ** t), v)),
        ("only v is bias-corrected: m needs its own correction with beta1.", step_with(m, v / (1 - b2 ** t))),
        ("next_w moves uphill: check the sign of the step.", 2 * w64 - want_w),
    ]
    if t0 > 0:
        diagnoses.append(("the bias correction uses the old t: increment t first, so the first step uses t = 1.",
                          step_with(m / (1 - b1 ** t0), v / (1 - b2 ** t0))))
    expect_close(f"{label}: next_w", next_w, want_w, dtype,
                 {"values": _ADAM_HINT, "nonfinite": "a bias correction divides by 1 - beta ** t, which is 0 for "
                                                     "t = 0: increment t before using it."}, diagnoses)
    for key, value, old in (("m", m, m0), ("v", v, v0)):
        got = _state(config, key, name, label)
        old = np.zeros(np.shape(w)) if old is None else np.asarray(old, dtype=np.float64)
        expect_close(f"{label}: config[{key!r}]", got, value, dtype, _ADAM_HINT,
                     [(f"the returned config[{key!r}] is not the new moment: store it back for the next step.", old)])
    got_t = plain(_state(config, "t", name, label))
    if not isinstance(got_t, (int, float)) or got_t != t:
        raise CheckFailed(f"{label}: config['t'] is {got_t!r} after the step but expected {t} "
                          "(the number of steps taken so far, stored back for the next step).")


@hidden_test("assignment2", "fc_adam", points=3, uses=["cs231n.optim:adam"])
def fc_adam(adam):
    """adam matches torch.optim.Adam: defaults (t starts at 0), chained steps (t, m, v carried over),
    a given state, float32."""
    rng = case_rng(3303)
    name = "adam"
    w, dw = _inputs(rng, np.float64, (5, 6))
    next_w, config = _step(adam, name, w, dw, None)
    _expect_defaults(config, name, {"learning_rate": 1e-3, "beta1": 0.9, "beta2": 0.999, "epsilon": 1e-8})
    _check_adam_step(name, f"{name} with config=None ({describe_arrays(np.float64, w=w)})", np.float64, w, dw,
                     {}, next_w, config, (1e-3, 0.9, 0.999, 1e-8))

    for dtype, shape, hp, start in [(np.float64, (4, 3), (1e-2, 0.8, 0.95, 1e-8), None),
                                    (np.float32, (3, 2, 5), (5e-2, 0.9, 0.99, 1e-7), 7)]:
        w, _ = _inputs(rng, dtype, shape)
        lr, b1, b2, eps = hp
        config = {"learning_rate": lr, "beta1": b1, "beta2": b2, "epsilon": eps}
        if start:
            config.update(m=(0.1 * rng.standard_normal(shape)).astype(dtype),
                          v=(0.1 * rng.random(shape)).astype(dtype), t=start)
        for step in range(1, 5):
            dw = rng.standard_normal(shape).astype(dtype)
            before = _copy(config)
            next_w, config = _step(adam, name, w, dw, config)
            label = (f"{name} step {step} ({describe_arrays(dtype, w=w)}, learning_rate={lr:g}, beta1={b1}, "
                     f"beta2={b2}" + (f", from a given state with t={start})" if start else ")"))
            _check_adam_step(name, label, dtype, w, dw, before, next_w, config, hp)
            w = np.asarray(next_w).astype(dtype)
