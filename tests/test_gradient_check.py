import numpy as np
from hypothesis import given, settings, strategies as st

from cs231n_lib.gradient_check import (eval_numerical_gradient, eval_numerical_gradient_array,
                                       grad_check_sparse, rel_error)


def test_rel_error_basics():
    assert rel_error(np.ones(3), np.ones(3)) == 0.0
    assert abs(rel_error(np.array([1.0]), np.array([3.0])) - 0.5) < 1e-12


@settings(max_examples=25, deadline=None)
@given(st.integers(1, 4), st.integers(1, 4), st.integers(0, 10_000))
def test_numerical_gradient_of_quadratic_matches_analytic(n, m, seed):
    rng = np.random.default_rng(seed)
    A = rng.standard_normal((n, m))
    x = rng.standard_normal((n, m))
    x_before = x.copy()
    grad = eval_numerical_gradient(lambda z: np.sum(A * z * z), x, verbose=False)
    assert rel_error(grad, 2 * A * x) < 1e-6
    np.testing.assert_array_equal(x, x_before)  # restored in place


def test_array_gradient_contracts_with_upstream():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((3, 4))
    dout = rng.standard_normal((3, 4))
    grad = eval_numerical_gradient_array(lambda z: np.tanh(z), x, dout)
    assert rel_error(grad, dout * (1 - np.tanh(x) ** 2)) < 1e-7


def test_sparse_check_finds_good_and_bad_gradients(capsys):
    x = np.random.default_rng(1).standard_normal((5, 3))
    good = grad_check_sparse(lambda z: np.sum(z ** 3), x, 3 * x ** 2, num_checks=5, seed=0)
    assert max(good) < 1e-6
    assert "relative error" in capsys.readouterr().out
    bad = grad_check_sparse(lambda z: np.sum(z ** 3), x, -3 * x ** 2, num_checks=5, seed=0, verbose=False)
    assert min(bad) > 0.5
