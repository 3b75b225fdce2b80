"""Hidden tests of the normalization layers of ``BatchNormalization.ipynb``: ``batchnorm_forward``
(train and test mode), ``batchnorm_backward``, ``batchnorm_backward_alt``, ``layernorm_forward`` and
``layernorm_backward``.

References come from ``grading.oracles.layers`` (``F.batch_norm`` / ``F.layer_norm`` in float64,
gradients from autograd; the running averages the CS231n way, biased variance).  Inputs come from
``case_rng``: odd shapes (more features than examples too), float32 and float64, features with
offsets and scales far from 0 and 1.

``batchnorm_forward`` writes its running averages back into ``bn_param``.  The tests pass a
``collections.UserDict`` made on the student's side (``student_object("collections:UserDict")``):
it behaves like the dict the API describes (``[]``, ``get``, ``in``, ``setdefault``), and, unlike a
plain dict, it is not copied when the student's code runs in another process, so the test reads
what the function wrote back (``bn_param.data``).

The backward tests run the student's forward pass for its cache; when that forward's output is
already wrong they say so and point to the forward's own cell instead of grading the gradients.
"""

from __future__ import annotations

import numpy as np

from cs231n_lib.checks import CheckFailed
from grading.hidden.core import case_rng, hidden_test, student_object
from grading.hidden.kit import call_layer, describe_arrays, expect_arrays, expect_close
from grading.oracles import layers as oracle

#: (dtype, N, D, offset, scale of x): more examples than features, more features than examples, float32.
_BN_CASES = [
    (np.float64, 9, 5, 3.0, 2.0),
    (np.float32, 16, 3, -1.0, 0.5),
    (np.float64, 4, 7, 0.0, 5.0),
    (np.float32, 12, 6, 10.0, 3.0),
]


def _bn_inputs(rng, dtype, N, D, offset, scale):
    x = (offset + scale * rng.standard_normal((N, D)) * rng.uniform(0.5, 2.0, size=D)).astype(dtype)
    gamma = rng.uniform(0.5, 1.5, size=D).astype(dtype)
    beta = rng.standard_normal(D).astype(dtype)
    return x, gamma, beta


def _param_dict(values):
    """A dict-like ``bn_param`` / ``ln_param`` on the student's side (see the module docstring)."""
    return student_object("collections:UserDict")(values)


def _written(param) -> dict:
    return dict(param.data)


_UNBIASED = ("the variance is the unbiased one (dividing by N - 1); batch normalization uses the biased variance "
             "of the minibatch: the mean of the squared deviations.")
_BN_OUT_HINT = ("each FEATURE (column) is normalised with the mean and variance over the minibatch (axis 0), "
                "eps inside the square root, then scaled by gamma and shifted by beta.")


def _bn_out_diagnoses(x, gamma, beta, eps):
    diagnoses = [(_UNBIASED, oracle.batchnorm_explicit(x, gamma, beta, eps, ddof=1)),
                 ("each EXAMPLE (row) is normalised over its features: batch normalization normalises each feature "
                  "over the examples of the minibatch (axis 0).", oracle.layernorm(x, gamma, beta, eps)),
                 ("gamma and beta are not applied: scale the normalised x by gamma, then add beta.",
                  oracle.batchnorm_train(x, np.ones_like(gamma), np.zeros_like(beta), eps)["out"])]
    return diagnoses


def _forward_train(batchnorm_forward, x, gamma, beta, bn_param):
    return call_layer(batchnorm_forward, "batchnorm_forward", x, gamma, beta, bn_param,
                      names=("x", "gamma", "beta", "bn_param"), returns=("out", "cache"))


@hidden_test("assignment2", "bn_forward_train", points=3, uses=["cs231n.layers:batchnorm_forward"])
def bn_forward_train(batchnorm_forward):
    """batchnorm_forward in train mode matches F.batch_norm(training=True) (biased variance), and writes
    the running averages momentum * running + (1 - momentum) * batch back into bn_param (defaults: eps
    1e-5, momentum 0.9, running averages starting at zeros)."""
    rng = case_rng(4101)
    for i, (dtype, N, D, offset, scale) in enumerate(_BN_CASES):
        x, gamma, beta = _bn_inputs(rng, dtype, N, D, offset, scale)
        if i % 2 == 0:
            eps, momentum, rm, rv = 1e-5, 0.9, None, None
            values = {"mode": "train"}
        else:
            eps, momentum = 1e-3, 0.7
            rm = rng.standard_normal(D).astype(dtype)
            rv = rng.uniform(0.5, 2.0, size=D).astype(dtype)
            values = {"mode": "train", "eps": eps, "momentum": momentum, "running_mean": rm.copy(),
                      "running_var": rv.copy()}
        bn_param = _param_dict(values)
        label = f"batchnorm_forward, train mode ({describe_arrays(dtype, x=x, **_shown(values))})"
        for call in (1, 2):  # the second call continues from the running averages the first wrote back
            out, _ = _forward_train(batchnorm_forward, x, gamma, beta, bn_param)
            want = oracle.batchnorm_train(x, gamma, beta, eps, momentum, rm, rv)
            where = label if call == 1 else f"{label}, second call"
            expect_arrays(where, {"out": out}, {"out": want["out"]}, dtype,
                          hints={"out": _BN_OUT_HINT}, diagnoses={"out": _bn_out_diagnoses(x, gamma, beta, eps)})
            written = _written(bn_param)
            for key in ("running_mean", "running_var"):
                if key not in written:
                    raise CheckFailed(f"{where}: bn_param has no {key!r} after the call; write the updated running "
                                      "averages back into bn_param.")
            batch_mean = x.astype(np.float64).mean(axis=0)
            batch_var = x.astype(np.float64).var(axis=0)
            old_mean = np.zeros(D) if rm is None else rm.astype(np.float64)
            old_var = np.zeros(D) if rv is None else rv.astype(np.float64)
            for key, old, batch in (("running_mean", old_mean, batch_mean), ("running_var", old_var, batch_var)):
                diagnoses = [(f"bn_param[{key!r}] was not updated: write the new running average back into "
                              "bn_param.", old),
                             ("momentum weighs the wrong term: it multiplies the OLD running average, (1 - momentum) "
                              "the minibatch's statistic.", (1 - momentum) * old + momentum * batch)]
                if key == "running_var":
                    diagnoses.append((_UNBIASED, momentum * old + (1 - momentum) * x.astype(np.float64).var(
                        axis=0, ddof=1)))
                expect_arrays(where, {f"bn_param[{key!r}]": written[key]}, {f"bn_param[{key!r}]": want[key]}, dtype,
                              keep_dtype=False,
                              hints={f"bn_param[{key!r}]": "running = momentum * running + (1 - momentum) * the "
                                                           "minibatch's mean (or biased variance)."},
                              diagnoses={f"bn_param[{key!r}]": diagnoses})
            rm, rv = want["running_mean"], want["running_var"]


def _shown(values):
    """What a message says about a bn_param: its hyperparameters, never its arrays' values."""
    return {k: v for k, v in values.items() if not isinstance(v, np.ndarray) and k != "mode"}


@hidden_test("assignment2", "bn_forward_test", points=2, uses=["cs231n.layers:batchnorm_forward"])
def bn_forward_test(batchnorm_forward):
    """batchnorm_forward in test mode normalises with bn_param's running averages (F.batch_norm,
    training=False), leaves them unchanged, and any mode other than 'train'/'test' raises ValueError."""
    rng = case_rng(4202)
    for dtype, N, D, eps in [(np.float64, 6, 4, None), (np.float32, 11, 3, 1e-2), (np.float64, 1, 5, 1e-3)]:
        x, gamma, beta = _bn_inputs(rng, dtype, N, D, 2.0, 3.0)
        rm = (2.0 + rng.standard_normal(D)).astype(dtype)
        rv = rng.uniform(0.5, 9.0, size=D).astype(dtype)
        values = {"mode": "test", "running_mean": rm.copy(), "running_var": rv.copy()}
        if eps is not None:
            values["eps"] = eps
        eps = 1e-5 if eps is None else eps
        bn_param = _param_dict(values)
        out, _ = _forward_train(batchnorm_forward, x, gamma, beta, bn_param)
        want = oracle.batchnorm_test(x, gamma, beta, rm, rv, eps)
        label = f"batchnorm_forward, test mode ({describe_arrays(dtype, x=x, **_shown(values))})"
        diagnoses = [("out is normalised with the minibatch's statistics: test mode uses bn_param's running_mean and "
                      "running_var instead.", oracle.batchnorm_train(x, gamma, beta, eps)["out"])] if N > 1 else []
        diagnoses.append(("out divides by the running variance itself: normalise by the square root of "
                          "(running_var + eps).",
                          gamma.astype(np.float64) * (x - rm.astype(np.float64)) / (rv.astype(np.float64) + eps)
                          + beta))
        expect_arrays(label, {"out": out}, {"out": want}, dtype,
                      hints={"out": "test mode normalises each feature with bn_param's running averages (eps inside "
                                    "the square root), then scales by gamma and shifts by beta."},
                      diagnoses={"out": diagnoses})
        written = _written(bn_param)
        for key, before in (("running_mean", rm), ("running_var", rv)):
            if key not in written or np.shape(written[key]) != before.shape:
                raise CheckFailed(f"{label}: bn_param[{key!r}] is missing or has another shape after the call; "
                                  "test mode leaves the running averages as they are.")
            expect_close(f"{label}: bn_param[{key!r}] after the call", written[key], before, dtype,
                         "test mode must not change the running averages (only training updates them).")

    x, gamma, beta = _bn_inputs(rng, np.float64, 5, 3, 0.0, 1.0)
    for mode in ("eval", "Train"):
        try:
            _forward_train(batchnorm_forward, x, gamma, beta, _param_dict({"mode": mode}))
        except ValueError:
            continue
        except CheckFailed:
            raise
        except Exception as exc:
            raise CheckFailed(f"batchnorm_forward with mode={mode!r} raised {type(exc).__name__}; expected "
                              "ValueError.") from None
        raise CheckFailed(f"batchnorm_forward with mode={mode!r} did not raise ValueError: only 'train' and 'test' "
                          "are valid modes.")


def _expect_norm_backward(forward, backward, fwd_name, name, cases, seed, oracle_backward, forward_cell,
                          make_param, diagnoses_for):
    rng = case_rng(seed)
    for dtype, N, D, offset, scale in cases:
        x, gamma, beta = _bn_inputs(rng, dtype, N, D, offset, scale)
        dout = rng.standard_normal((N, D)).astype(dtype)
        out, cache = call_layer(forward, fwd_name, x, gamma, beta, make_param(),
                                names=("x", "gamma", "beta", "param"), returns=("out", "cache"))
        want_out, (dx, dgamma, dbeta) = oracle_backward(x, gamma, beta, dout)
        label = f"{name} ({describe_arrays(dtype, x=x, dout=dout)})"
        try:
            expect_close(f"{fwd_name}'s out", out, want_out, dtype)
        except CheckFailed as exc:
            raise CheckFailed(f"{label}: the output of your {fwd_name} is already wrong ({str(exc).splitlines()[0]})"
                              f"\nLikely cause: {name} is graded on the cache of your {fwd_name}: fix {fwd_name} "
                              f"first (test {forward_cell}).") from None
        got = call_layer(backward, name, dout, cache, names=("dout", "cache"), returns=("dx", "dgamma", "dbeta"))
        expect_arrays(label, dict(zip(("dx", "dgamma", "dbeta"), got)), {"dx": dx, "dgamma": dgamma, "dbeta": dbeta},
                      dtype, kind="gradient",
                      hints={"dx": {"shape": "dx has the shape of x, (N, D).",
                                    "values": "follow every path from x to out in the graph of the forward pass: x "
                                              "reaches out directly, through the mean and through the variance."},
                             "dgamma": {"shape": "dgamma has the shape of gamma, (D,): sum over the examples.",
                                        "values": "gamma multiplies the normalised x."},
                             "dbeta": {"shape": "dbeta has the shape of beta, (D,): sum over the examples.",
                                       "values": "beta is added to every example."}},
                      diagnoses={"dx": diagnoses_for(x, gamma, beta, dout, dx)})


def _bn_dx_diagnoses(x, gamma, beta, dout, dx):
    eps = 1e-5
    _, (no_mean, _, _) = oracle.batchnorm_explicit(x, gamma, beta, eps, dout, mean_path=False)
    _, (no_var, _, _) = oracle.batchnorm_explicit(x, gamma, beta, eps, dout, var_path=False)
    return [("dx misses the path through the minibatch MEAN: the mean depends on every x of its column, so its "
             "gradient flows back to all of them.", no_mean),
            ("dx misses the path through the minibatch VARIANCE: the variance depends on every x of its column.",
             no_var),
            ("dx has the wrong sign: check every + and - along the paths.", -dx)]


_BN_BACKWARD_CASES = [(np.float64, 9, 5, 3.0, 2.0), (np.float32, 16, 3, -1.0, 0.5), (np.float64, 4, 7, 0.0, 5.0),
                      (np.float64, 2, 3, 1.0, 1.0)]


def _bn_oracle_backward(x, gamma, beta, dout):
    want = oracle.batchnorm_train(x, gamma, beta, 1e-5, dout=dout)
    return want["out"], (want["dx"], want["dgamma"], want["dbeta"])


@hidden_test("assignment2", "bn_backward", points=3,
             uses=["cs231n.layers:batchnorm_forward", "cs231n.layers:batchnorm_backward"])
def bn_backward(batchnorm_forward, batchnorm_backward):
    """dx, dgamma, dbeta of batchnorm_backward (on the cache of a train-mode batchnorm_forward) match
    torch autograd through F.batch_norm."""
    _expect_norm_backward(batchnorm_forward, batchnorm_backward, "batchnorm_forward", "batchnorm_backward",
                          _BN_BACKWARD_CASES, 4303, _bn_oracle_backward, "bn_forward_train",
                          lambda: _param_dict({"mode": "train"}), _bn_dx_diagnoses)


@hidden_test("assignment2", "bn_backward_alt", points=2,
             uses=["cs231n.layers:batchnorm_forward", "cs231n.layers:batchnorm_backward_alt"])
def bn_backward_alt(batchnorm_forward, batchnorm_backward_alt):
    """dx, dgamma, dbeta of batchnorm_backward_alt (on the cache of a train-mode batchnorm_forward) match
    torch autograd through F.batch_norm."""
    _expect_norm_backward(batchnorm_forward, batchnorm_backward_alt, "batchnorm_forward", "batchnorm_backward_alt",
                          _BN_BACKWARD_CASES, 4404, _bn_oracle_backward, "bn_forward_train",
                          lambda: _param_dict({"mode": "train"}), _bn_dx_diagnoses)


# --------------------------------------------------------------------------- layer normalization

_LN_CASES = [(np.float64, 5, 8, 2.0, 3.0), (np.float32, 7, 3, -1.0, 0.5), (np.float64, 1, 6, 0.0, 2.0),
             (np.float32, 10, 9, 5.0, 1.0)]


def _ln_unbiased(x, gamma, beta, eps):
    """Layer norm with the unbiased variance of each row (a diagnosis): batchnorm of x.T, then gamma, beta."""
    xhat = oracle.batchnorm_explicit(np.asarray(x).T, np.ones(len(x)), np.zeros(len(x)), eps, ddof=1).T
    return xhat * np.asarray(gamma, dtype=np.float64) + np.asarray(beta, dtype=np.float64)


@hidden_test("assignment2", "bn_layernorm_forward", points=2, uses=["cs231n.layers:layernorm_forward"])
def bn_layernorm_forward(layernorm_forward):
    """layernorm_forward matches F.layer_norm: each example normalised over its features (biased
    variance, eps from ln_param, default 1e-5), then gamma and beta."""
    rng = case_rng(4505)
    for i, (dtype, N, D, offset, scale) in enumerate(_LN_CASES):
        x, gamma, beta = _bn_inputs(rng, dtype, N, D, offset, scale)
        x = x + (rng.standard_normal((N, 1)) * scale).astype(dtype)  # rows with different means
        values = {} if i % 2 == 0 else {"eps": 1e-3}
        eps = values.get("eps", 1e-5)
        out, _ = call_layer(layernorm_forward, "layernorm_forward", x, gamma, beta, _param_dict(values),
                            names=("x", "gamma", "beta", "ln_param"), returns=("out", "cache"))
        want = oracle.layernorm(x, gamma, beta, eps)
        diagnoses = [("the variance is the unbiased one (dividing by D - 1); layer normalization uses the biased "
                      "variance of each example's features.", _ln_unbiased(x, gamma, beta, eps))] if D > 1 else []
        if N > 1:
            diagnoses.append(("each FEATURE is normalised over the minibatch (that is batch normalization): layer "
                              "normalization normalises each example (row) over its own features.",
                              oracle.batchnorm_train(x, gamma, beta, eps)["out"]))
        expect_arrays(f"layernorm_forward ({describe_arrays(dtype, x=x, **values)})", {"out": out}, {"out": want},
                      dtype, hints={"out": "each EXAMPLE (row) is normalised with the mean and variance of its own "
                                           "features (axis 1), eps inside the square root, then scaled by gamma and "
                                           "shifted by beta (one entry per feature)."},
                      diagnoses={"out": diagnoses})


def _ln_oracle_backward(x, gamma, beta, dout):
    out, grads = oracle.layernorm(x, gamma, beta, 1e-5, dout)
    return out, grads


def _ln_dx_diagnoses(x, gamma, beta, dout, dx):
    return [("dx has the wrong sign: check every + and - along the paths.", -dx)]


@hidden_test("assignment2", "bn_layernorm_backward", points=3,
             uses=["cs231n.layers:layernorm_forward", "cs231n.layers:layernorm_backward"])
def bn_layernorm_backward(layernorm_forward, layernorm_backward):
    """dx, dgamma, dbeta of layernorm_backward (on layernorm_forward's cache) match torch autograd
    through F.layer_norm."""
    _expect_norm_backward(layernorm_forward, layernorm_backward, "layernorm_forward", "layernorm_backward",
                          _LN_CASES, 4606, _ln_oracle_backward, "bn_layernorm_forward",
                          lambda: _param_dict({}), _ln_dx_diagnoses)
