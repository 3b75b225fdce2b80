"""grading/oracles/layers.py and grading/oracles/optim.py: the torch references of assignment 2 agree
with the plain formulas they stand for and with numerical gradients, and keep the invariants of their
layers (hypothesis): batchnorm's output has mean 0 and std 1 per feature, layernorm's per example,
their dx sums to 0 over the normalised axis; dropout keeps 0 or x / p and the expected value; the
torch optimizers, translated to the CS231n state, step as the CS231n update rules do."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from grading.oracles import layers as L
from grading.oracles import optim as O

SETTINGS = settings(max_examples=25, deadline=None)


def _numerical_grad(f, x, h=1e-6, entries=None):
    """Central differences of the scalar ``f`` at ``x`` (float64), at every entry or at ``entries`` only
    (the others stay 0)."""
    x = np.array(x, dtype=np.float64)
    grad = np.zeros_like(x)
    for i in (np.ndindex(x.shape) if entries is None else entries):
        old = x[i]
        x[i] = old + h
        plus = f(x)
        x[i] = old - h
        minus = f(x)
        x[i] = old
        grad[i] = (plus - minus) / (2 * h)
    return grad


def _close(a, b, tol=1e-10, floor=1e-12):
    """max|a - b| relative to max|b| (at least ``floor``: numerical gradients carry ~1e-10 of noise)."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    assert a.shape == b.shape
    scale = max(float(np.max(np.abs(b))), floor) if b.size else 1.0
    assert float(np.max(np.abs(a - b))) / scale <= tol if a.size else True


seeds = st.integers(0, 2 ** 31 - 1)


# --------------------------------------------------------------------------- affine, ReLU, losses

@SETTINGS
@given(seeds, st.lists(st.integers(1, 4), min_size=1, max_size=3), st.integers(1, 5), st.integers(1, 4))
def test_affine_is_a_matmul_of_the_flattened_input_and_its_gradients_are_the_formulas(seed, dims, N, M):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((N, *dims))
    D = int(np.prod(dims))
    w, b, dout = rng.standard_normal((D, M)), rng.standard_normal(M), rng.standard_normal((N, M))
    out, (dx, dw, db) = L.affine(x, w, b, dout)
    _close(out, x.reshape(N, D) @ w + b)
    _close(L.affine(x, w, b), out)
    _close(dx, (dout @ w.T).reshape(x.shape))
    _close(dw, x.reshape(N, D).T @ dout)
    _close(db, dout.sum(axis=0))


def test_relu_and_affine_relu():
    rng = np.random.default_rng(0)
    x, dout = rng.standard_normal((4, 5)), rng.standard_normal((4, 5))
    out, dx = L.relu(x, dout)
    _close(out, np.maximum(0, x))
    _close(dx, dout * (x > 0))
    w, b = rng.standard_normal((5, 3)), rng.standard_normal(3)
    d3 = rng.standard_normal((4, 3))
    out, (dx, dw, db) = L.affine_relu(x, w, b, d3)
    a = x @ w + b
    _close(out, np.maximum(0, a))
    _, (dx2, dw2, db2) = L.affine(x, w, b, d3 * (a > 0))
    _close(dx, dx2), _close(dw, dw2), _close(db, db2)


def _svm_formula(x, y):
    N = len(x)
    margins = np.maximum(0, x - x[np.arange(N), y][:, None] + 1)
    margins[np.arange(N), y] = 0
    return margins.sum() / N


def _softmax_formula(x, y):
    shifted = x - x.max(axis=1, keepdims=True)
    log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    return -log_p[np.arange(len(x)), y].mean()


@pytest.mark.parametrize("oracle, formula", [(L.svm_loss, _svm_formula), (L.softmax_loss, _softmax_formula)])
def test_losses_match_the_formula_and_numerical_gradients(oracle, formula):
    rng = np.random.default_rng(1)
    for N, C in [(7, 5), (1, 3), (12, 2)]:
        x, y = rng.standard_normal((N, C)), rng.integers(0, C, size=N)
        loss, dx = oracle(x, y)
        assert loss == pytest.approx(formula(x, y), rel=1e-12)
        _close(dx, _numerical_grad(lambda z: formula(z, y), x), tol=1e-6)
    with pytest.raises(ValueError, match="labels"):
        oracle(np.zeros((2, 3)), np.array([0, 3]))


def test_softmax_loss_stays_finite_for_large_scores():
    x = np.array([[1000.0, 0.0, -1000.0], [5e3, 5e3, 0.0]])
    loss, dx = L.softmax_loss(x, np.array([0, 1]))
    assert np.isfinite(loss) and np.isfinite(dx).all()
    assert loss == pytest.approx(np.log(2) / 2)


# --------------------------------------------------------------------------- normalization

shapes = st.tuples(st.integers(2, 9), st.integers(1, 6))


@SETTINGS
@given(seeds, shapes, st.floats(-5, 5), st.floats(0.5, 5))
def test_batchnorm_output_has_mean_0_std_1_per_feature_and_dx_sums_to_0(seed, shape, offset, scale):
    rng = np.random.default_rng(seed)
    N, D = shape
    x = offset + scale * rng.standard_normal(shape)
    dout = rng.standard_normal(shape)
    r = L.batchnorm_train(x, np.ones(D), np.zeros(D), eps=1e-12, dout=dout)
    assert np.allclose(r["out"].mean(axis=0), 0, atol=1e-8)
    assert np.allclose(r["out"].std(axis=0), 1, atol=1e-6)
    assert np.allclose(r["dx"].sum(axis=0), 0, atol=1e-8)
    _close(r["dbeta"], dout.sum(axis=0))
    _close(r["dgamma"], (dout * r["out"]).sum(axis=0), tol=1e-8)


def test_batchnorm_train_matches_numerical_gradients_and_the_running_average_formula():
    rng = np.random.default_rng(2)
    x, gamma, beta = 3 + 2 * rng.standard_normal((6, 4)), rng.uniform(0.5, 1.5, 4), rng.standard_normal(4)
    dout, rm, rv = rng.standard_normal((6, 4)), rng.standard_normal(4), rng.uniform(0.5, 2, 4)
    r = L.batchnorm_train(x, gamma, beta, eps=1e-3, momentum=0.7, running_mean=rm, running_var=rv, dout=dout)
    formula = lambda z, g, b: g * (z - z.mean(0)) / np.sqrt(z.var(0) + 1e-3) + b  # noqa: E731
    _close(r["out"], formula(x, gamma, beta))
    _close(r["dx"], _numerical_grad(lambda z: np.sum(formula(z, gamma, beta) * dout), x), tol=1e-6)
    _close(r["dgamma"], _numerical_grad(lambda g: np.sum(formula(x, g, beta) * dout), gamma), tol=1e-6)
    _close(r["running_mean"], 0.7 * rm + 0.3 * x.mean(0))
    _close(r["running_var"], 0.7 * rv + 0.3 * x.var(0))  # biased, unlike torch's own running_var
    zero = L.batchnorm_train(x, gamma, beta)
    _close(zero["running_mean"], 0.1 * x.mean(0))
    _close(L.batchnorm_test(x, gamma, beta, rm, rv, eps=1e-3), gamma * (x - rm) / np.sqrt(rv + 1e-3) + beta)


def test_batchnorm_explicit_equals_f_batch_norm_and_its_switches_change_what_they_say():
    rng = np.random.default_rng(3)
    x, gamma, beta, dout = rng.standard_normal((7, 3)), rng.uniform(0.5, 1.5, 3), rng.standard_normal(3), \
        rng.standard_normal((7, 3))
    ref = L.batchnorm_train(x, gamma, beta, dout=dout)
    out, (dx, dgamma, dbeta) = L.batchnorm_explicit(x, gamma, beta, dout=dout)
    _close(out, ref["out"]), _close(dx, ref["dx"]), _close(dgamma, ref["dgamma"]), _close(dbeta, ref["dbeta"])
    unbiased = L.batchnorm_explicit(x, gamma, beta, ddof=1)
    _close(unbiased, gamma * (x - x.mean(0)) / np.sqrt(x.var(0, ddof=1) + 1e-5) + beta)
    _, (no_mean, _, _) = L.batchnorm_explicit(x, gamma, beta, dout=dout, mean_path=False)
    diff = no_mean - dx  # the mean's path adds the same term to every x of a column
    assert np.allclose(diff, diff[0], atol=1e-12) and not np.allclose(diff, 0)
    _, (no_var, _, _) = L.batchnorm_explicit(x, gamma, beta, dout=dout, var_path=False)
    assert not np.allclose(no_var, dx)


@SETTINGS
@given(seeds, st.tuples(st.integers(1, 6), st.integers(3, 8)), st.floats(-5, 5))
def test_layernorm_normalises_each_example_and_matches_numerical_gradients(seed, shape, offset):
    rng = np.random.default_rng(seed)
    N, D = shape
    x = offset + rng.standard_normal(shape) * rng.uniform(0.5, 3, size=(N, 1))
    gamma, beta, dout = rng.uniform(0.5, 1.5, D), rng.standard_normal(D), rng.standard_normal(shape)
    out, (dx, dgamma, dbeta) = L.layernorm(x, np.ones(D), np.zeros(D), eps=1e-12, dout=dout)
    assert np.allclose(out.mean(axis=1), 0, atol=1e-8) and np.allclose(out.std(axis=1), 1, atol=1e-6)
    assert np.allclose(dx.sum(axis=1), 0, atol=1e-8)
    formula = lambda z: gamma * (z - z.mean(1, keepdims=True)) / np.sqrt(z.var(1, keepdims=True) + 1e-5) + beta  # noqa
    out, (dx, _, _) = L.layernorm(x, gamma, beta, dout=dout)
    _close(out, formula(x))
    _close(dx, _numerical_grad(lambda z: np.sum(formula(z) * dout), x), tol=1e-5)


# --------------------------------------------------------------------------- dropout

@SETTINGS
@given(seeds, st.tuples(st.integers(1, 6), st.integers(1, 7)), st.floats(0.05, 0.95))
def test_dropout_mask_is_the_apis_seeded_numpy_draw(seed, shape, p):
    state = np.random.get_state()
    try:
        np.random.seed(seed)
        student = np.random.rand(*shape) < p
    finally:
        np.random.set_state(state)
    assert np.array_equal(L.dropout_mask(seed, shape, p), student)


@SETTINGS
@given(seeds, st.floats(0.1, 0.9))
def test_dropout_keeps_0_or_x_over_p_and_the_expected_value(seed, p):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((40, 50))
    mask = L.dropout_mask(seed, x.shape, p)
    dout = rng.standard_normal(x.shape)
    out, dx = L.dropout(x, mask, p, dout)
    _close(out, np.where(mask, x / p, 0.0))
    _close(dx, np.where(mask, dout / p, 0.0))
    ones = np.ones((200, 100))
    kept = L.dropout(ones, L.dropout_mask(seed, ones.shape, p), p)
    assert abs(kept.mean() - 1) < 6 * np.sqrt((1 - p) / (p * ones.size))  # inverted dropout keeps E[out] = x


# --------------------------------------------------------------------------- the net

def _params(rng, dims, norm=False):
    params = {}
    for layer in range(1, len(dims)):
        params[f"W{layer}"] = rng.standard_normal((dims[layer - 1], dims[layer])) / np.sqrt(dims[layer - 1])
        params[f"b{layer}"] = 0.3 * rng.standard_normal(dims[layer])
        if norm and layer < len(dims) - 1:
            params[f"gamma{layer}"] = rng.uniform(0.5, 1.5, dims[layer])
            params[f"beta{layer}"] = rng.standard_normal(dims[layer])
    return params


def _composed(params, X, y, reg, norm=None, scales=None, running=None, train=True):
    """The net from the layer oracles (and numpy), for comparison."""
    n = sum(1 for k in params if k.startswith("W"))
    h = X.reshape(len(X), -1)
    for layer in range(1, n):
        h = L.affine(h, params[f"W{layer}"], params[f"b{layer}"])
        if norm == "batchnorm":
            h = (L.batchnorm_train(h, params[f"gamma{layer}"], params[f"beta{layer}"])["out"] if train else
                 L.batchnorm_test(h, params[f"gamma{layer}"], params[f"beta{layer}"], *running[layer - 1]))
        elif norm == "layernorm":
            h = L.layernorm(h, params[f"gamma{layer}"], params[f"beta{layer}"])
        h = L.relu(h)
        if scales is not None and train:
            h = h * scales[layer - 1]
    scores = L.affine(h, params[f"W{n}"], params[f"b{n}"])
    if y is None:
        return scores
    loss, _ = L.softmax_loss(scores, y)
    return loss + 0.5 * reg * sum(np.sum(params[f"W{k}"] ** 2) for k in range(1, n + 1))


@pytest.mark.parametrize("hidden, norm, dropout", [([], None, False), ([4], None, False), ([5, 3, 4], None, False),
                                                   ([4, 3], "batchnorm", False), ([4, 3], "layernorm", False),
                                                   ([4, 5], None, True)])
def test_fc_net_is_the_composition_of_its_layers_with_numerical_gradients(hidden, norm, dropout):
    rng = np.random.default_rng(4)
    N, C = 6, 3
    X = rng.standard_normal((N, 2, 3))
    dims = [6, *hidden, C]
    params, y, reg = _params(rng, dims, norm is not None), rng.integers(0, C, size=N), 0.3
    scales = [L.dropout_mask(7, (N, h), 0.6) / 0.6 for h in hidden] if dropout else None
    result = L.fc_net(params, X, y, normalization=norm, reg=reg, dropout_scales=scales)
    assert result.loss == pytest.approx(_composed(params, X, y, reg, norm, scales), rel=1e-12)
    _close(result.scores, _composed(params, X, None, reg, norm, scales))
    for key, value in params.items():
        def f(v, key=key):
            return _composed({**params, key: v}, X, y, reg, norm, scales)
        entries = [tuple(int(i) for i in np.unravel_index(j, value.shape))
                   for j in rng.choice(value.size, size=min(3, value.size), replace=False)]
        numerical = _numerical_grad(f, value, entries=entries)
        got = np.array([result.grads[key][i] for i in entries])
        _close(got, np.array([numerical[i] for i in entries]), tol=1e-6, floor=1e-2)


def test_fc_net_batchnorm_running_averages_and_test_mode():
    rng = np.random.default_rng(5)
    X, params = rng.standard_normal((8, 5)), _params(rng, [5, 4, 3, 2], norm=True)
    train = L.fc_net(params, X, np.zeros(8, dtype=int), normalization="batchnorm")
    h = L.affine(X, params["W1"], params["b1"])
    first = L.batchnorm_train(h, params["gamma1"], params["beta1"])
    _close(train.running[0][0], first["running_mean"]), _close(train.running[0][1], first["running_var"])
    X2 = rng.standard_normal((3, 5))
    test = L.fc_net(params, X2, None, normalization="batchnorm", running=train.running)
    _close(test.scores, _composed(params, X2, None, 0, "batchnorm", running=train.running, train=False))
    assert not np.allclose(test.scores, L.fc_net(params, X2, None, normalization="batchnorm", train=True).scores)


# --------------------------------------------------------------------------- update rules

def _momentum_formula(w, dw, lr, mu, v):
    v = mu * v - lr * dw
    return w + v, v


def _rmsprop_formula(w, dw, lr, decay, eps, cache):
    cache = decay * cache + (1 - decay) * dw ** 2
    return w - lr * dw / (np.sqrt(cache) + eps), cache


def _adam_formula(w, dw, lr, b1, b2, eps, m, v, t):
    t += 1
    m = b1 * m + (1 - b1) * dw
    v = b2 * v + (1 - b2) * dw ** 2
    return w - lr * (m / (1 - b1 ** t)) / (np.sqrt(v / (1 - b2 ** t)) + eps), m, v, t


@SETTINGS
@given(seeds, st.floats(1e-4, 1.0), st.floats(0.0, 0.99), st.integers(1, 4))
def test_sgd_momentum_oracle_steps_like_the_cs231n_rule(seed, lr, mu, steps):
    rng = np.random.default_rng(seed)
    w = rng.standard_normal((3, 4))
    ours, v_ours, v = w.copy(), np.zeros_like(w), None
    for _ in range(steps):
        dw = rng.standard_normal(w.shape)
        w, state = O.sgd_momentum(w, dw, lr, mu, v)
        v = state["velocity"]
        ours, v_ours = _momentum_formula(ours, dw, lr, mu, v_ours)
        _close(w, ours, 1e-12), _close(v, v_ours, 1e-9)


@SETTINGS
@given(seeds, st.floats(1e-4, 0.1), st.floats(0.5, 0.999), st.sampled_from([1e-8, 1e-4, 1e-1]), st.integers(1, 4))
def test_rmsprop_oracle_steps_like_the_cs231n_rule(seed, lr, decay, eps, steps):
    rng = np.random.default_rng(seed)
    w = rng.standard_normal((4, 2))
    ours, c_ours, cache = w.copy(), np.zeros_like(w), None
    for _ in range(steps):
        dw = rng.standard_normal(w.shape)
        w, state = O.rmsprop(w, dw, lr, decay, eps, cache)
        cache = state["cache"]
        ours, c_ours = _rmsprop_formula(ours, dw, lr, decay, eps, c_ours)
        _close(w, ours, 1e-12), _close(cache, c_ours, 1e-12)


@SETTINGS
@given(seeds, st.floats(1e-4, 0.1), st.floats(0.5, 0.99), st.floats(0.9, 0.9999), st.integers(0, 20))
def test_adam_oracle_steps_like_the_cs231n_rule_from_any_state(seed, lr, b1, b2, t):
    rng = np.random.default_rng(seed)
    w, dw = rng.standard_normal((2, 5)), rng.standard_normal((2, 5))
    m, v = (0.1 * rng.standard_normal(w.shape), rng.random(w.shape)) if t else (None, None)
    next_w, state = O.adam(w, dw, lr, b1, b2, 1e-8, m, v, t)
    want = _adam_formula(w, dw, lr, b1, b2, 1e-8, np.zeros_like(w) if m is None else m,
                         np.zeros_like(w) if v is None else v, t)
    _close(next_w, want[0], 1e-12), _close(state["m"], want[1], 1e-12), _close(state["v"], want[2], 1e-12)
    assert state["t"] == want[3] == t + 1
