"""Numerical gradients with the classic CS231n names.

``f`` takes the array being perturbed; every function perturbs ``x`` in place
and restores it, so callers keep their arrays.
"""

from __future__ import annotations

from random import randrange

import numpy as np


def rel_error(x, y):
    """Maximum relative error ``|x - y| / max(1e-8, |x| + |y|)`` over all entries."""
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    return float(np.max(np.abs(x - y) / np.maximum(1e-8, np.abs(x) + np.abs(y))))


def _evaluate_around(f, x, ix, h, copy=False):
    """``(f(x + h e_ix), f(x - h e_ix))``, restoring ``x[ix]`` afterwards."""
    old = x[ix]
    try:
        x[ix] = old + h
        pos = np.array(f(x), dtype=np.float64, copy=True) if copy else f(x)
        x[ix] = old - h
        neg = np.array(f(x), dtype=np.float64, copy=True) if copy else f(x)
    finally:
        x[ix] = old
    return pos, neg


def eval_numerical_gradient(f, x, verbose=True, h=1e-5):
    """Centered-difference gradient of a scalar function ``f`` at ``x``."""
    grad = np.zeros_like(x, dtype=np.float64)
    it = np.nditer(x, flags=["multi_index"], op_flags=["readwrite"])
    while not it.finished:
        ix = it.multi_index
        fxph, fxmh = _evaluate_around(f, x, ix, h)
        grad[ix] = (fxph - fxmh) / (2 * h)
        if verbose:
            print(ix, grad[ix])
        it.iternext()
    return grad


def eval_numerical_gradient_array(f, x, df, h=1e-5):
    """Numerical gradient of an array-valued ``f`` at ``x``, contracted with upstream ``df``."""
    grad = np.zeros_like(x, dtype=np.float64)
    it = np.nditer(x, flags=["multi_index"], op_flags=["readwrite"])
    while not it.finished:
        ix = it.multi_index
        pos, neg = _evaluate_around(f, x, ix, h, copy=True)
        grad[ix] = np.sum((pos - neg) * df) / (2 * h)
        it.iternext()
    return grad


def grad_check_sparse(f, x, analytic_grad, num_checks=10, h=1e-5, seed=None, verbose=True):
    """Compare ``analytic_grad`` with centered differences at ``num_checks`` random entries.

    Returns the list of relative errors (one per checked entry) and prints each
    line as CS231n does when ``verbose``.
    """
    rng = np.random.default_rng(seed) if seed is not None else None
    errors = []
    for _ in range(num_checks):
        if rng is None:
            ix = tuple(randrange(m) for m in x.shape)
        else:
            ix = tuple(int(rng.integers(m)) for m in x.shape)
        fxph, fxmh = _evaluate_around(f, x, ix, h)
        grad_numerical = (fxph - fxmh) / (2 * h)
        grad_analytic = analytic_grad[ix]
        err = abs(grad_numerical - grad_analytic) / max(1e-12, abs(grad_numerical) + abs(grad_analytic))
        errors.append(float(err))
        if verbose:
            print(f"numerical: {grad_numerical:f} analytic: {grad_analytic:f}, relative error: {err:e}")
    return errors
