"""The hidden-test kit of assignments 1-3: one relative error, one tolerance table,
comparisons whose failure says what differs and why, and careful calls of student code.

Test modules import from here, never from each other.  Like every hidden test,
the kit keeps to the rules of :mod:`grading.hidden.core`: inputs come from
``case_rng``, and results of student code are treated as data only (a number may
arrive as a 0-d array: use ``float``, ``np.ndim``, ``np.asarray`` or :func:`plain`).

Relative error
--------------
``rel_error(got, want) = max|got - want| / max(max|want|, 1e-12)``, in float64:
the worst entry's error relative to the LARGEST entry of ``want`` (for a number,
plain relative error).  Entries near zero therefore never dominate, which suits
outputs and gradients whose small entries carry only rounding noise.  Every
comparison here, diagnoses included, uses it.  (``cs231n_lib.checks``, which the
kNN tests and the students' visible checks use, measures entry by entry instead.)

Tolerances
----------
``tolerance(dtype, device="cpu", kind="default")`` reads :data:`TOLERANCES`:

=============  ========  =======  =======
device         kind      float64  float32
=============  ========  =======  =======
cpu            default   1e-8     2e-4
cpu            gradient  1e-8     2e-4
cuda           default   1e-8     2e-3
cuda           gradient  1e-8     5e-3
=============  ========  =======  =======

``dtype`` is the dtype of the student's inputs (their code computes in it);
``device`` is where the reference was computed in that precision.  A reference
computed in float64 (every assignment-1 oracle) is exact next to either width,
whatever its device: use ``"cpu"``.  CUDA gets looser float32 entries because
cuDNN convolutions run in TF32 by default (``torch.backends.cudnn.allow_tf32``;
a process may also allow it for matmuls) -- a 10-bit mantissa, about 1e-3 per
product -- and GPU reductions sum in another order.  ``"gradient"``: a backward
pass chains two such products (``dout @ w.T`` and ``x.T @ dout``), on top of an
upstream gradient that already carries that error.
"""

from __future__ import annotations

import numpy as np

from cs231n_lib.checks import CheckFailed, find_mismatch, raise_mismatch
from grading.hidden.core import student_object, case_rng

__all__ = [
    # comparing (any assignment)
    "TOL", "TOLERANCES", "TINY", "rel_error", "tolerance", "compare", "expect_close",
    # calling student code
    "plain", "call_on_copies", "expect_tuple",
    # layers and update rules (assignment 2)
    "describe_arrays", "away_from_zero", "call_layer", "expect_arrays", "expect_net_gradients",
    # linear classifiers (assignment 1)
    "LOSS_CASES", "VECTORIZED_CASES", "DW_SHAPE_HINT", "random_problem", "describe_case", "with_loss", "call_loss",
    "expect_loss", "expect_gradient",
]

#: Below this, the largest entry of the reference counts as zero (no division by 0).
TINY = 1e-12

_F64, _F32 = np.dtype(np.float64), np.dtype(np.float32)
#: (device, kind) -> dtype of the student's inputs -> tolerance on :func:`rel_error`.
TOLERANCES = {
    ("cpu", "default"): {_F64: 1e-8, _F32: 2e-4},
    ("cpu", "gradient"): {_F64: 1e-8, _F32: 2e-4},
    ("cuda", "default"): {_F64: 1e-8, _F32: 2e-3},
    ("cuda", "gradient"): {_F64: 1e-8, _F32: 5e-3},
}
#: The CPU defaults by dtype (what assignment 1 grades with).
TOL = TOLERANCES[("cpu", "default")]


# --------------------------------------------------------------------------- comparing

def _scaled_errors(got, want) -> np.ndarray:
    """Per entry ``|got - want| / max(max|want|, TINY)`` in float64 (the terms of :func:`rel_error`)."""
    got64, want64 = np.asarray(got, dtype=np.float64), np.asarray(want, dtype=np.float64)
    if got64.shape != want64.shape:
        raise ValueError(f"rel_error: shapes differ, {got64.shape} vs {want64.shape}")
    scale = max(float(np.max(np.abs(want64))), TINY) if want64.size else TINY
    return np.abs(got64 - want64) / scale


def _distinct(got: float, want: float) -> str:
    """``"<got>, expected <want>"`` with 6 significant digits, or as many more (up to 12) as tell them apart."""
    for digits in range(6, 13):
        a, b = f"{got:.{digits}g}", f"{want:.{digits}g}"
        if a != b:
            break
    return f"{a}, expected {b}"


def rel_error(got, want) -> float:
    """``max|got - want| / max(max|want|, 1e-12)`` in float64; 0.0 for empty arrays.
    ``got`` and ``want`` must have the same shape."""
    errors = _scaled_errors(got, want)
    return float(np.max(errors)) if errors.size else 0.0


def tolerance(dtype, device: str = "cpu", kind: str = "default") -> float:
    """The tolerance on :func:`rel_error` for student inputs of ``dtype`` (see the module docstring)."""
    table = TOLERANCES.get((device, kind))
    if table is None:
        raise ValueError(f"no tolerances for device={device!r}, kind={kind!r}; known: {sorted(TOLERANCES)}")
    if np.dtype(dtype) not in table:
        raise ValueError(f"no tolerance for {np.dtype(dtype).name} inputs; known: {[d.name for d in table]}")
    return table[np.dtype(dtype)]


def compare(name, got, want, tol, hint=None, diagnoses=(), dtype=None):
    """Raise ``CheckFailed`` unless ``rel_error(got, want) <= tol``.

    ``hint``: what to look at when the values are wrong, or a table by kind of mismatch
    (``cs231n_lib.checks.KINDS``: "none", "type", "shape", "dtype", "nonfinite", "values").
    ``diagnoses``: ``(cause, value)`` pairs; when ``got`` matches ``value`` within ``tol``
    instead, the first such ``cause`` replaces the "values" hint.  ``dtype``: when given,
    the dtype ``got`` must have."""
    hints = hint if isinstance(hint, dict) else {"values": hint}
    raise_mismatch(name, find_mismatch(got, want, tol=np.inf, name=name, dtype=dtype), hints)  # none/type/shape/...
    errors = _scaled_errors(got, want)
    worst = float(np.max(errors)) if errors.size else 0.0
    if worst <= tol:
        return
    got64, want64 = np.asarray(got, dtype=np.float64), np.asarray(want, dtype=np.float64)
    if got64.ndim == 0:
        problem = (f"{name} is {float(got64):.8g} but expected {float(want64):.8g} "
                   f"(relative error {worst:.2e}, threshold {tol:.0e}).")
    else:
        bad = np.argwhere(errors > tol)
        first = tuple(int(i) for i in bad[0])
        problem = (f"{name}: max error {worst:.3e} relative to its largest entry exceeds {tol:.0e}; "
                   f"{len(bad)} of {got64.size} entries are off, first at index {first} "
                   f"(got {_distinct(got64[first], want64[first])}).")
    cause = next((cause for cause, value in diagnoses
                  if np.shape(value) == got64.shape and rel_error(got64, value) <= tol), hints.get("values"))
    raise CheckFailed(f"{problem}\nLikely cause: {cause}")


def expect_close(name, got, want, dtype, hints=None, diagnoses=(), *, device="cpu", kind="default",
                 keep_dtype=False):
    """:func:`compare` any array output (a layer's ``out``, a gradient ``dx``) with the tolerance for
    student inputs of ``dtype``; ``keep_dtype``: the output must also have that dtype."""
    compare(name, got, want, tolerance(dtype, device, kind), hints, diagnoses, dtype=dtype if keep_dtype else None)


# --------------------------------------------------------------------------- calling student code

_IN_PLACE_ADVICE = "e.g. use `x = x - c`, not `x -= c` on an input"


def plain(value):
    """A number that came back from student code as a 0-d array or numpy scalar, as a Python
    scalar (``array(0.3)`` -> ``0.3``), so messages print it plainly; anything else unchanged."""
    if isinstance(value, (np.ndarray, np.generic)) and np.ndim(value) == 0:
        return value.item()
    return value


def call_on_copies(fn, name, *args, names=None, advice=_IN_PLACE_ADVICE):
    """``fn(*args)`` with copies of the array arguments; ``CheckFailed`` when ``fn`` changed one in place.

    ``names``: what to call each argument in the message (default ``arg 0``, ``arg 1``, ...).
    The comparison runs next to the student's code (``grading.kernel.probes.changed_inputs``), so it
    also sees in-place changes when the call runs in a sandboxed process."""
    copies = [arg.copy() if isinstance(arg, np.ndarray) else arg for arg in args]
    out, changed = student_object("grading.kernel.probes:changed_inputs")(fn, *copies)
    for i in changed:
        arg = names[i] if names else f"arg {i}"
        raise CheckFailed(f"{name} changed its input {arg} in place; work on new arrays ({advice}).")
    return out


def expect_tuple(out, length, what):
    """``out`` if it is a tuple of ``length`` items, else ``CheckFailed("<what>; got <type>[ of length n].")``."""
    if isinstance(out, tuple) and len(out) == length:
        return out
    raise CheckFailed(f"{what}; got {type(out).__name__}"
                      + (f" of length {len(out)}" if isinstance(out, tuple) else "") + ".")


# --------------------------------------------------------------------------- layers (assignment 2)

def away_from_zero(rng, shape, dtype, gap):
    """Standard-normal entries of ``dtype``, each within ``gap`` of 0 replaced by 0.5 (a kink such as ReLU's, or
    a division by the input, is then never straddled)."""
    x = rng.standard_normal(shape)
    return np.where(np.abs(x) < gap, 0.5, x).astype(dtype)


def describe_arrays(dtype, **arrays) -> str:
    """How a layer case is named in messages: the input dtype and each array's shape, never its values
    (``float32 inputs, x (3, 4, 5), w (20, 7)``); a non-array keyword is shown as ``name=value``."""
    parts = [f"{name} {tuple(np.shape(a))}" if isinstance(a, np.ndarray) else f"{name}={a!r}"
             for name, a in arrays.items()]
    return ", ".join([f"{np.dtype(dtype).name} inputs", *parts])


def call_layer(fn, name, *args, names=None, returns=None):
    """``fn(*args)`` on copies of its array arguments (:func:`call_on_copies`); with ``returns`` (the names
    of what it returns, e.g. ``("out", "cache")``) the result must be a tuple of that many items."""
    out = call_on_copies(fn, name, *args, names=names)
    if returns is None:
        return out
    return expect_tuple(out, len(returns), f"{name} must return a tuple ({', '.join(returns)})")


def expect_arrays(label, got, want, dtype, *, kind="default", keep_dtype=True, hints=None, diagnoses=None,
                  device="cpu"):
    """:func:`expect_close` on each output of a layer: ``got`` and ``want`` map names to arrays (``want``'s
    order is the order of the checks); ``hints`` and ``diagnoses`` map names to what :func:`compare` takes.
    ``kind`` is one kind for all, or a dict name -> kind (default "default")."""
    hints, diagnoses = hints or {}, diagnoses or {}
    for name, value in want.items():
        k = kind.get(name, "default") if isinstance(kind, dict) else kind
        expect_close(f"{label}: {name}", got[name], value, dtype, hints.get(name), diagnoses.get(name, ()),
                     device=device, kind=k, keep_dtype=keep_dtype)



def expect_net_gradients(label, grads, params, keys, want, unregularized, reg, dtype, hint, keep_dtype=False):
    """A net's ``grads[key]`` for each of ``keys`` against the reference gradients ``want`` (at ``reg``), naming the
    L2 mistakes: a W without reg * W or with it twice, regularized biases, a flipped sign.  ``unregularized``: the
    reference gradients at reg = 0 (``want`` itself when reg is 0)."""
    for key in keys:
        value = np.asarray(params[key], dtype=np.float64)
        diagnoses = []
        if reg > 0 and key[0] == "W":
            diagnoses += [(f"grads[{key!r}] misses the L2 gradient reg * {key}.", unregularized[key]),
                          (f"grads[{key!r}] has twice the L2 gradient: the loss's term is 0.5 * reg * sum(W ** 2), "
                           f"so its gradient is reg * {key}.", unregularized[key] + 2 * reg * value)]
        if reg > 0 and key[0] == "b":
            diagnoses.append((f"grads[{key!r}] includes an L2 gradient: the biases are not regularized.",
                              want[key] + reg * value))
        diagnoses.append((f"grads[{key!r}] has the wrong sign.", -want[key]))
        expect_close(f"{label}: grads[{key!r}]", grads[key], want[key], dtype,
                     {"shape": f"grads[{key!r}] has the shape of params[{key!r}].", "values": hint},
                     diagnoses, kind="gradient", keep_dtype=keep_dtype)


# --------------------------------------------------------------------------- linear classifiers (assignment 1)

#: The shape hint of every dW comparison.
DW_SHAPE_HINT = "dW has the shape of W, one entry per weight."
_LOSS_ADVICE = "e.g. use `dW = np.zeros_like(W)` and `x = x - c`, not `x -= c` on an input"

#: ``(dtype, N, D, C, reg)`` cases of the loss tests: odd shapes, both float widths, with and without
#: regularization; the vectorized losses also get two larger ones.
LOSS_CASES = [
    (np.float64, 7, 5, 3, 0.0),
    (np.float64, 13, 31, 11, 0.7),
    (np.float32, 9, 17, 4, 0.0),
    (np.float32, 20, 8, 10, 2.5),
    (np.float64, 1, 1, 2, 0.05),
]
VECTORIZED_CASES = LOSS_CASES + [(np.float32, 256, 65, 10, 0.01), (np.float64, 300, 40, 7, 1e-3)]


def random_problem(rng, dtype, N, D, C, score_scale=1.0, min_margin_gap=None):
    """``W (D, C)``, ``X (N, D)`` of ``dtype`` and int labels ``y (N,)`` with scores of about
    ``score_scale``.  With ``min_margin_gap``, redraw until no SVM margin lies within that
    distance of its kink (the hinge is not differentiable there)."""
    for _ in range(100):
        X = rng.standard_normal((N, D)).astype(dtype)
        W = (rng.standard_normal((D, C)) * score_scale / np.sqrt(D)).astype(dtype)
        y = rng.integers(0, C, size=N)
        if min_margin_gap is None:
            return W, X, y
        scores = X.astype(np.float64) @ W.astype(np.float64)
        margins = scores - scores[np.arange(N), y][:, None] + 1.0
        margins[np.arange(N), y] = np.inf
        if np.min(np.abs(margins)) > min_margin_gap:
            return W, X, y
    raise RuntimeError("grading/hidden/kit.py: could not draw a problem away from the kinks")


def describe_case(dtype, N, D, C, reg):
    """How a case is named in messages (its sizes, never its values)."""
    return f"{np.dtype(dtype).name} inputs, N={N}, D={D}, C={C}, reg={reg:g}"


def with_loss(Classifier, loss_fn):
    """A new instance of the student's ``Classifier`` whose ``loss(X_batch, y_batch, reg)`` returns
    ``loss_fn(self.W, X_batch, y_batch, reg)``: replaced on the instance, never by subclassing."""
    clf = Classifier()
    clf.loss = lambda X_batch, y_batch, reg: loss_fn(clf.W, X_batch, y_batch, reg)
    return clf


def call_loss(loss_fn, W, X, y, reg, name):
    """``loss_fn`` on copies of ``W, X, y``: checks it returned ``(loss, dW)`` and left its inputs alone."""
    out = call_on_copies(loss_fn, name, W, X, y, reg, names=("W", "X", "y", "reg"), advice=_LOSS_ADVICE)
    return expect_tuple(out, 2, f"{name} must return a tuple (loss, dW)")


def expect_loss(loss_fn, name, oracle_fn, cases, seed, hint, extra_diagnoses=None, problem_kwargs=None):
    """The loss returned by ``loss_fn`` matches ``oracle_fn`` on every ``(dtype, N, D, C, reg)`` case
    (dW is not looked at); inputs from ``case_rng(seed)``.

    ``extra_diagnoses(W, X, y, reg, data_loss, reg_loss)`` -> more ``(cause, value)`` pairs."""
    rng = case_rng(seed)
    for dtype, N, D, C, reg in cases:
        W, X, y = random_problem(rng, dtype, N, D, C, **(problem_kwargs or {}))
        label = f"{name} loss ({describe_case(dtype, N, D, C, reg)})"
        loss, _ = call_loss(loss_fn, W, X, y, reg, name)
        if np.ndim(loss) != 0:
            raise CheckFailed(f"{label} must be a single number, got an array of shape {np.shape(loss)}; "
                              "sum the per-example losses and divide by N.")
        want, _ = oracle_fn(W, X, y, reg)
        data_loss, _ = oracle_fn(W, X, y, 0.0)
        reg_loss = reg * float(np.sum(W.astype(np.float64) ** 2))
        diagnoses = []
        if reg > 0:
            diagnoses += [("the regularization term reg * np.sum(W * W) is missing from the loss.", data_loss),
                          ("the regularization term is reg * np.sum(W * W), with no 1/2 in this course.",
                           data_loss + 0.5 * reg_loss)]
        if N > 1:
            diagnoses.append(("the data loss must be averaged over the N examples (divide the sum by N).",
                              data_loss * N + reg_loss))
        if extra_diagnoses is not None:
            diagnoses += extra_diagnoses(W, X, y, reg, data_loss, reg_loss)
        compare(label, loss, want, tolerance(dtype), hint, diagnoses)


def expect_gradient(loss_fn, name, oracle_fn, cases, seed, hint, problem_kwargs=None):
    """dW returned by ``loss_fn`` matches the autograd gradient of ``oracle_fn`` on every case."""
    rng = case_rng(seed)
    for dtype, N, D, C, reg in cases:
        W, X, y = random_problem(rng, dtype, N, D, C, **(problem_kwargs or {}))
        label = f"{name} dW ({describe_case(dtype, N, D, C, reg)})"
        _, dW = call_loss(loss_fn, W, X, y, reg, name)
        _, want = oracle_fn(W, X, y, reg)
        _, data_grad = oracle_fn(W, X, y, 0.0)
        reg_grad = 2 * reg * W.astype(np.float64)
        diagnoses = [("dW has the wrong sign: the loss grows along dW, so check every + and - "
                      "(e.g. the correct-class column, or p - 1 vs 1 - p).", -want)]
        if reg > 0:
            diagnoses += [("the regularization gradient 2 * reg * W is missing from dW.", data_grad),
                          ("the regularization gradient is 2 * reg * W (the loss has reg * sum(W * W), no 1/2).",
                           data_grad + 0.5 * reg_grad)]
        if N > 1:
            diagnoses.append(("the data gradient must be divided by N, like the data loss.", data_grad * N + reg_grad))
        compare(label, dW, want, tolerance(dtype, kind="gradient"), {"shape": DW_SHAPE_HINT, "values": hint},
                diagnoses)
