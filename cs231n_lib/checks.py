"""Student-facing checks: the measured error beside its threshold, and on
failure a sentence on what differs (shape, dtype, non-finite values, max error
and the first index that is off).

The hidden tests in ``grading/`` use the same :func:`describe_mismatch`, so a
student sees the same kind of message from a visible and a hidden check.
"""

from __future__ import annotations

import numpy as np

from .gradient_check import rel_error

__all__ = ["CheckFailed", "describe_mismatch", "check_close", "check_equal", "check_true"]


class CheckFailed(AssertionError):
    """A check did not pass; the message says what differs."""


def _elementwise_rel(a, e):
    return np.abs(a - e) / np.maximum(1e-8, np.abs(a) + np.abs(e))


def describe_mismatch(actual, expected, tol=1e-7, name="output", check_dtype=None):
    """Return ``None`` when ``actual`` matches ``expected`` within relative error ``tol``,
    otherwise a one-paragraph description of what differs.

    ``check_dtype`` -- when given (e.g. ``np.float32``), the dtype ``actual`` must have.
    """
    if actual is None:
        return f"{name} is None: the function returned nothing (missing `return`?)."
    try:
        a = np.asarray(actual)
    except Exception as exc:  # ragged lists and the like
        return f"{name} could not be read as an array ({type(exc).__name__}: {exc})."
    e = np.asarray(expected)
    if a.dtype == object:
        return f"{name} has dtype object (type {type(actual).__name__}); expected a numeric array."
    if a.shape != e.shape:
        hint = ""
        if a.size == e.size:
            hint = " Same number of entries: a transpose or reshape is off."
        elif a.ndim == e.ndim + 1 or a.ndim + 1 == e.ndim:
            hint = " One axis too many or too few: check sums/means over an axis (keepdims?)."
        return f"{name} has shape {a.shape} but expected {e.shape}.{hint}"
    if check_dtype is not None and a.dtype != np.dtype(check_dtype):
        return f"{name} has dtype {a.dtype} but expected {np.dtype(check_dtype)}."
    if a.dtype.kind not in "biuf":
        return f"{name} has dtype {a.dtype}; expected a real-valued array."
    a64 = a.astype(np.float64)
    e64 = e.astype(np.float64)
    bad_finite = ~np.isfinite(a64) & np.isfinite(e64)
    if bad_finite.any():
        idx = tuple(int(i) for i in np.argwhere(bad_finite)[0])
        return (f"{name} has {int(bad_finite.sum())} non-finite value(s) (nan/inf), first at index {idx}: "
                f"look for overflow in exp or a division by zero.")
    if a.size == 0:
        return None
    rel = _elementwise_rel(a64, e64)
    worst = float(rel.max())
    if worst <= tol:
        return None
    bad = np.argwhere(rel > tol)
    first = tuple(int(i) for i in bad[0]) if a.ndim else ()
    got, want = a64[first] if a.ndim else a64, e64[first] if a.ndim else e64
    return (f"{name}: max relative error {worst:.3e} exceeds threshold {tol:.0e}; "
            f"{len(bad)} of {a.size} entries are off, first at index {first} "
            f"(got {float(got):.6g}, expected {float(want):.6g}).")


def check_close(name, actual, expected, tol=1e-7, hint=None, check_dtype=None, verbose=True):
    """Print ``name: relative error E (threshold T) OK`` or raise :class:`CheckFailed`.

    ``hint`` -- what is most likely wrong when the check fails (shown after the numbers).
    Returns the measured relative error.
    """
    problem = describe_mismatch(actual, expected, tol=tol, name=name, check_dtype=check_dtype)
    if problem is None:
        err = rel_error(actual, expected) if np.asarray(expected).size else 0.0
        if verbose:
            print(f"{name}: relative error {err:.2e} (threshold {tol:.0e})  OK")
        return err
    msg = problem + (f"\nLikely cause: {hint}" if hint else "")
    if verbose:
        print(f"{name}: FAILED\n{msg}")
    raise CheckFailed(msg)


def check_equal(name, actual, expected, hint=None, verbose=True):
    """Exact equality for integer-like results (labels, indices, counts)."""
    a, e = np.asarray(actual), np.asarray(expected)
    if a.shape != e.shape:
        msg = f"{name} has shape {a.shape} but expected {e.shape}."
    else:
        diff = np.argwhere(a != e) if a.ndim else (np.argwhere([a != e]))
        if len(diff) == 0:
            if verbose:
                print(f"{name}: all {a.size} entries match  OK")
            return
        first = tuple(int(i) for i in diff[0]) if a.ndim else ()
        msg = (f"{name}: {len(diff)} of {a.size} entries differ, first at index {first} "
               f"(got {a[first] if a.ndim else a}, expected {e[first] if a.ndim else e}).")
    msg += f"\nLikely cause: {hint}" if hint else ""
    if verbose:
        print(f"{name}: FAILED\n{msg}")
    raise CheckFailed(msg)


def check_true(name, condition, measured=None, threshold=None, hint=None, verbose=True):
    """A yes/no check that still reports the number it is based on."""
    numbers = ""
    if measured is not None:
        numbers = f" measured {measured:.4g}" + (f" (threshold {threshold:.4g})" if threshold is not None else "")
    if condition:
        if verbose:
            print(f"{name}:{numbers}  OK")
        return
    msg = f"{name}:{numbers} FAILED" + (f"\nLikely cause: {hint}" if hint else "")
    if verbose:
        print(msg)
    raise CheckFailed(msg)
