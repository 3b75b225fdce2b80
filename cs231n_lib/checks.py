"""Student-facing checks: the measured error beside its threshold, and on
failure a sentence on what differs plus a hint chosen by *what kind* of
mismatch occurred.

Passing checks print one line (``dists: relative error 3.1e-09 (threshold
1e-05)  OK``) and return ``None`` -- never a number, so a check on the last
line of an nbgrader test cell does not become the cell's result (nbgrader
would read a number there as partial credit).

A failing check raises :class:`CheckFailed`. Its message is printed once, by
the kernel, without the library's traceback frames: IPython/ipykernel use
:meth:`CheckFailed._render_traceback_` for the traceback lines, and those are
what JupyterLab shows and what nbgrader stores in the feedback. A plain
``python`` run shows the normal traceback ending in the message.

Mismatch kinds
--------------
:func:`find_mismatch` returns ``None`` or a :class:`Mismatch` whose ``kind`` is
one of (checked in this order):

``"none"``       the result is ``None`` (a missing ``return``)
``"type"``       not a number / array (ragged, object or complex dtype, a tuple ...)
``"shape"``      the shapes differ
``"dtype"``      ``dtype=`` was given and the result has another dtype
``"nonfinite"``  nan/inf where the expected values are finite
``"values"``     entries off by more than the relative-error threshold

:func:`check_equal` uses ``"none"``, ``"shape"`` and ``"values"``;
:func:`check_true` uses ``"values"`` (the condition is false) and
``"nonfinite"`` (the measured number is nan/inf).

Hint tables
-----------
``hints`` maps a kind to what the student should look at when *that* kind of
mismatch occurs::

    check_close("no-loop distances", dists, want, tol=1e-5, dtype=np.float32,
                hints={"values": "compare with the two-loop version on a 2 x 2 example",
                       "nonfinite": "a squared distance can come out slightly negative"})

A plain string means ``{"values": string}`` (the old ``hint=``). For a kind
the table leaves out, a generic default is shown (:data:`DEFAULT_HINTS`; for
shapes it depends on how the shapes differ); ``"values"`` has no generic
default. Hints say what to look at, never the line of code to write.
The final message is ``<what differs>\\nLikely cause: <hint>``.

Hidden tests build the same message with :func:`find_mismatch` and
:func:`raise_mismatch` (or :func:`format_mismatch` for the text alone).
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field
from typing import Mapping, Optional, Union

import numpy as np

__all__ = [
    "CheckFailed",
    "Mismatch",
    "KINDS",
    "DEFAULT_HINTS",
    "find_mismatch",
    "find_unequal",
    "describe_mismatch",
    "hint_for",
    "format_mismatch",
    "raise_mismatch",
    "check_close",
    "check_equal",
    "check_true",
]

#: Every mismatch kind, in the order :func:`find_mismatch` tests them.
KINDS = ("none", "type", "shape", "dtype", "nonfinite", "values")

#: Generic hints, used when the caller's table has none for the kind that
#: occurred. They fit any function; pass function-specific ones in ``hints``.
DEFAULT_HINTS = {
    "none": "look for a missing `return`, a result that is only printed, or a call that works in "
            "place and returns None (list.sort, list.append).",
    "type": "look at what the function returns: it should be a number or a numeric array, "
            "not a tuple, a list of arrays or a string.",
    "shape": "check which input each axis of the result comes from.",
    "dtype": "the result must stay in the input dtype (float32 in, float32 out): look for a float64 "
             "constant or array created without dtype=.",
    "nonfinite": "look for a division by zero, a log of 0, or an overflow.",
    "values": None,
}

_SHAPE_SAME_SIZE = "same number of entries: a transpose or reshape is off."
_SHAPE_AXIS = "one axis too many or too few: check a sum/mean over an axis (keepdims?)."
_SHAPE_LENGTH = "an axis has the wrong length: check which input each axis of the result comes from."
_VALUES_FACTOR = "every entry is off by the same factor: look for a missing or extra constant (a 1/N, a 2, a sign)."

Hints = Union[None, str, Mapping[str, Optional[str]]]


class CheckFailed(AssertionError):
    """A check did not pass; the message says what differs (and what to look at).

    In IPython/Jupyter the error shows as ``CheckFailed: <message>`` only,
    without traceback frames (see :meth:`_render_traceback_`).
    """

    def _render_traceback_(self):
        """The traceback lines IPython shows (and ipykernel sends, and nbgrader
        stores): the message once, no frames."""
        lines = str(self).splitlines() or [""]
        return [f"{type(self).__name__}: {lines[0]}", *lines[1:]]


@dataclass(frozen=True)
class Mismatch:
    """What differs: ``kind`` (one of :data:`KINDS`) and a one-paragraph ``message``.

    ``default_hint`` is the generic hint fitted to this particular mismatch
    (e.g. "a transpose or reshape is off" when only the arrangement differs);
    it is used when the caller's hint table has nothing for ``kind``.
    """

    kind: str
    message: str
    default_hint: Optional[str] = field(default=None, compare=False)


# --------------------------------------------------------------------------- helpers


def _fmt_tol(tol) -> str:
    tol = float(tol)
    if not math.isfinite(tol) or tol == 0:
        return f"{tol:g}"
    short = f"{tol:.0e}"
    return short if float(short) == tol else f"{tol:.3g}"


def _idx(index) -> tuple:
    return tuple(int(i) for i in index)


def _hint_table(hints: Hints = None, hint: Optional[str] = None) -> dict:
    """Normalise ``hints`` (None, a string, or a kind -> hint mapping) and the
    legacy ``hint=`` string into a dict keyed by kind."""
    table = {}
    for source in (hint, hints):
        if source is None:
            continue
        if isinstance(source, str):
            table["values"] = source
            continue
        if not isinstance(source, Mapping):
            raise TypeError(f"hints must be a string or a dict keyed by kind, got {type(source).__name__}")
        unknown = sorted(set(source) - set(KINDS))
        if unknown:
            raise ValueError(f"unknown mismatch kind(s) {unknown} in hints; the kinds are {list(KINDS)}")
        table.update(source)
    return table


def _shape_hint(a_shape, e_shape) -> str:
    a_size, e_size = math.prod(a_shape), math.prod(e_shape)
    if len(a_shape) != len(e_shape) and [n for n in a_shape if n != 1] == [n for n in e_shape if n != 1]:
        return _SHAPE_AXIS  # (N,) vs (N, 1): a kept or dropped axis
    if a_size == e_size:
        return _SHAPE_SAME_SIZE
    if abs(len(a_shape) - len(e_shape)) == 1:
        return _SHAPE_AXIS
    return _SHAPE_LENGTH


def _shape_mismatch(name, a_shape, e_shape) -> Mismatch:
    return Mismatch("shape", f"{name} has shape {tuple(a_shape)} but expected {tuple(e_shape)}.",
                    _shape_hint(tuple(a_shape), tuple(e_shape)))


def _dtype_hint(got, want) -> str:
    if want == np.float32 and got == np.float64:
        return DEFAULT_HINTS["dtype"]
    return (f"the result must have dtype {want}: look for an array created with another dtype, "
            f"or an operation that converts it.")


def _common_factor(a, e, bad):
    """The single factor ``c`` with ``a == c * e`` on every entry, if there is one (c != 1)."""
    nz = e != 0
    if nz.sum() < 2 or (bad & ~nz).any() or np.any(a[~nz] != 0):
        return None
    ratios = a[nz] / e[nz]
    c = float(np.median(ratios))
    if c == 0 or abs(c - 1) < 1e-6 or not np.allclose(ratios, c, rtol=1e-6, atol=0):
        return None
    return c


# --------------------------------------------------------------------------- finding mismatches


def find_mismatch(actual, expected, tol=1e-7, name="output", dtype=None, *, check_dtype=None) -> Optional[Mismatch]:
    """``None`` when ``actual`` matches ``expected`` within relative error ``tol``
    (per entry, ``|a - e| / max(1e-8, |a| + |e|)``), otherwise a :class:`Mismatch`.

    ``dtype`` -- when given (e.g. ``np.float32``), the dtype ``actual`` must have
    (``check_dtype=`` is the old name). nan/inf entries match where ``expected``
    has the same nan/inf.
    """
    if dtype is None:
        dtype = check_dtype
    if actual is None:
        return Mismatch("none", f"{name} is None: the function returned nothing.",
                        DEFAULT_HINTS["none"])
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            a = np.asarray(actual)
    except Exception:  # ragged lists and the like
        a = None
    if a is None or a.dtype == object:
        if isinstance(actual, (tuple, list)):
            what = f"is a {type(actual).__name__} of {len(actual)} items that is not one numeric array"
        elif a is None:
            what = f"(type {type(actual).__name__}) could not be read as an array"
        else:
            what = f"has dtype object (type {type(actual).__name__})"
        return Mismatch("type", f"{name} {what}; expected a numeric array.", DEFAULT_HINTS["type"])
    e = np.asarray(expected)
    if a.dtype.kind not in "biuf":
        return Mismatch("type", f"{name} has dtype {a.dtype} (type {type(actual).__name__}); "
                                f"expected a real-valued array.", DEFAULT_HINTS["type"])
    if a.shape != e.shape:
        return _shape_mismatch(name, a.shape, e.shape)
    if dtype is not None and a.dtype != np.dtype(dtype):
        want = np.dtype(dtype)
        return Mismatch("dtype", f"{name} has dtype {a.dtype} but expected {want}.", _dtype_hint(a.dtype, want))
    if a.size == 0:
        return None
    a64 = a.astype(np.float64)
    e64 = e.astype(np.float64)
    a_fin, e_fin = np.isfinite(a64), np.isfinite(e64)
    bad_finite = ~a_fin & e_fin
    if bad_finite.any():
        n_nan = int((np.isnan(a64) & e_fin).sum())
        n_inf = int(bad_finite.sum()) - n_nan
        first = _idx(np.argwhere(bad_finite)[0])
        where = f", first at index {first}" if a.ndim else ""
        return Mismatch("nonfinite", f"{name} has {int(bad_finite.sum())} non-finite value(s) (nan/inf: "
                                     f"{n_nan} nan, {n_inf} inf){where}.", DEFAULT_HINTS["nonfinite"])
    both_fin = a_fin & e_fin
    same_nonfinite = ~both_fin & ((np.isnan(a64) & np.isnan(e64)) | (a64 == e64))
    with np.errstate(all="ignore"):
        rel = np.where(both_fin, np.abs(a64 - e64) / np.maximum(1e-8, np.abs(a64) + np.abs(e64)), np.inf)
    rel = np.where(same_nonfinite, 0.0, rel)
    worst = float(rel.max())
    if worst <= tol:
        return None
    bad = rel > tol
    n_bad = int(bad.sum())
    factor = _common_factor(a64, e64, bad) if both_fin.all() else None
    hint = _VALUES_FACTOR if factor is not None else DEFAULT_HINTS["values"]
    same = f" Every entry is {factor:.6g} times the expected one." if factor is not None and a.ndim else ""
    if a.ndim == 0:
        return Mismatch("values", f"{name}: relative error {worst:.3e} exceeds threshold {_fmt_tol(tol)} "
                                  f"(got {float(a64):.6g}, expected {float(e64):.6g}).", hint)
    first = _idx(np.argwhere(bad)[0])
    return Mismatch("values", f"{name}: max relative error {worst:.3e} exceeds threshold {_fmt_tol(tol)}; "
                              f"{n_bad} of {a.size} entries are off, first at index {first} "
                              f"(got {float(a64[first]):.6g}, expected {float(e64[first]):.6g}).{same}", hint)


def find_unequal(actual, expected, name="output") -> Optional[Mismatch]:
    """Exact comparison (labels, indices, counts): ``None`` or a :class:`Mismatch`
    of kind ``"none"``, ``"shape"`` or ``"values"``."""
    if actual is None:
        return Mismatch("none", f"{name} is None: the function returned nothing.",
                        DEFAULT_HINTS["none"])
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            a = np.asarray(actual)
    except Exception as exc:
        return Mismatch("type", f"{name} could not be read as an array ({type(exc).__name__}: {exc}).",
                        DEFAULT_HINTS["type"])
    e = np.asarray(expected)
    if a.shape != e.shape:
        return _shape_mismatch(name, a.shape, e.shape)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        differs = np.asarray(a != e, dtype=bool).reshape(a.shape)
    if not differs.any():
        return None
    if a.ndim == 0:
        return Mismatch("values", f"{name}: got {a.item()!r}, expected {e.item()!r}.")
    diff = np.argwhere(differs)
    first = _idx(diff[0])
    return Mismatch("values", f"{name}: {len(diff)} of {a.size} entries differ, first at index {first} "
                              f"(got {a[first].item()!r}, expected {e[first].item()!r}).")


def describe_mismatch(actual, expected, tol=1e-7, name="output", dtype=None, *, check_dtype=None) -> Optional[str]:
    """The message of :func:`find_mismatch` (``None`` when everything matches)."""
    m = find_mismatch(actual, expected, tol=tol, name=name, dtype=dtype, check_dtype=check_dtype)
    return None if m is None else m.message


# --------------------------------------------------------------------------- messages


def hint_for(mismatch: Mismatch, hints: Hints = None) -> Optional[str]:
    """The hint shown for ``mismatch``: the caller's for its kind, else the generic one."""
    table = _hint_table(hints)
    chosen = table.get(mismatch.kind)
    return chosen if chosen else (mismatch.default_hint or DEFAULT_HINTS.get(mismatch.kind))


def format_mismatch(mismatch: Mismatch, hints: Hints = None, name: Optional[str] = None) -> str:
    """``<what differs>`` plus ``\\nLikely cause: <hint>`` when there is a hint for its kind."""
    text = mismatch.message
    if name and name not in text:
        text = f"{name}: {text}"
    hint = hint_for(mismatch, hints)
    return text + (f"\nLikely cause: {hint}" if hint else "")


def raise_mismatch(name: Optional[str], mismatch: Optional[Mismatch], hints: Hints = None) -> None:
    """Raise :class:`CheckFailed` with the standard message for ``mismatch`` and the
    hint ``hints`` gives for its kind; do nothing when ``mismatch`` is ``None``.

    ``name`` is put in front of the message when the message does not already
    name it, so ``raise_mismatch(name, find_mismatch(got, want, name=name), HINTS)``
    is a complete check.
    """
    if mismatch is None:
        return None
    raise CheckFailed(format_mismatch(mismatch, hints, name=name))


# --------------------------------------------------------------------------- checks


def check_close(name, actual, expected, tol=1e-7, hints: Hints = None, dtype=None, *,
                hint=None, check_dtype=None, verbose=True) -> None:
    """Print ``name: relative error E (threshold T)  OK`` or raise :class:`CheckFailed`.

    ``hints`` -- a dict kind -> what to look at (see the module docstring), or a
    string meaning ``{"values": string}``; ``hint=`` is the old name.
    ``dtype`` -- the dtype the result must have (``check_dtype=`` is the old name).
    ``verbose=False`` drops the pass line. Returns ``None``.
    """
    table = _hint_table(hints, hint)
    m = find_mismatch(actual, expected, tol=tol, name=name, dtype=dtype if dtype is not None else check_dtype)
    if m is not None:
        raise CheckFailed(format_mismatch(m, table))
    if verbose:
        err = _max_rel_error(actual, expected)
        print(f"{name}: relative error {err:.2e} (threshold {_fmt_tol(tol)})  OK")
    return None


def _max_rel_error(actual, expected) -> float:
    a = np.asarray(actual, dtype=np.float64)
    e = np.asarray(expected, dtype=np.float64)
    if a.size == 0:
        return 0.0
    fin = np.isfinite(a) & np.isfinite(e)
    with np.errstate(all="ignore"):
        rel = np.abs(a - e) / np.maximum(1e-8, np.abs(a) + np.abs(e))
    rel = np.where(fin, rel, 0.0)
    return float(rel.max())


def check_equal(name, actual, expected, hints: Hints = None, *, hint=None, verbose=True) -> None:
    """Exact equality for integer-like results (labels, indices, counts).

    Prints ``name: all N entries match  OK`` or raises :class:`CheckFailed`
    (kinds ``"none"``, ``"shape"``, ``"values"``). Returns ``None``.
    """
    table = _hint_table(hints, hint)
    m = find_unequal(actual, expected, name=name)
    if m is not None:
        raise CheckFailed(format_mismatch(m, table))
    if verbose:
        print(f"{name}: all {np.asarray(actual).size} entries match  OK")
    return None


def _fmt_number(x) -> str:
    try:
        return f"{float(x):.4g}"
    except (TypeError, ValueError):
        return repr(x)


def check_true(name, condition, measured=None, threshold=None, hint: Hints = None, *,
               hints: Hints = None, verbose=True) -> None:
    """A yes/no check that still reports the number it is based on.

    Prints ``name: measured M (threshold T)  OK`` or raises :class:`CheckFailed`.
    ``hint`` -- a string (shown when the condition is false) or a dict keyed by
    kind: ``"values"`` (condition false) or ``"nonfinite"`` (``measured`` is
    nan/inf). Returns ``None``.
    """
    table = _hint_table(hints, hint)
    numbers = ""
    if measured is not None:
        numbers = f" measured {_fmt_number(measured)}"
        if threshold is not None:
            numbers += f" (threshold {_fmt_number(threshold)})"
    if condition:
        if verbose:
            print(f"{name}:{numbers}  OK")
        return None
    try:
        nonfinite = measured is not None and not bool(np.all(np.isfinite(measured)))
    except TypeError:
        nonfinite = False
    if nonfinite:
        m = Mismatch("nonfinite", f"{name}:{numbers} FAILED (the measured value is not finite).",
                     DEFAULT_HINTS["nonfinite"])
    else:
        m = Mismatch("values", f"{name}:{numbers} FAILED")
    raise CheckFailed(format_mismatch(m, table))
