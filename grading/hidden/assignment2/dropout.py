"""Hidden tests of the dropout layer of ``Dropout.ipynb``: ``dropout_forward`` and ``dropout_backward``.

``p`` is the probability of KEEPING a unit (inverted dropout: kept units are scaled by ``1 / p``).
With ``dropout_param["seed"]`` the API reseeds numpy's global RNG on every call and draws the
mask with ``np.random.rand`` over ``x``'s shape, keeping a unit where the draw is below ``p``; the
reference mask is rebuilt on the trusted side with ``np.random.RandomState(seed)``
(``grading.oracles.layers.dropout_mask``).  Without a seed, the student's RNG is seeded through
``student_object("numpy.random:seed")`` and only the statistics are checked (entries 0 or x / p,
the kept fraction near p).

``dropout_backward`` is graded against the student's OWN forward pass: dx must be dout times the
factor the forward applied to x (``out / x``, with no zeros in x) and dout itself in test mode, so
a forward bug (say, a missing ``1 / p``) costs only ``dropout_forward`` (and the net's cell).
"""

from __future__ import annotations

import numpy as np

from cs231n_lib.checks import CheckFailed
from grading.hidden.core import case_rng, hidden_test, student_object
from grading.hidden.kit import away_from_zero, call_layer, describe_arrays, expect_arrays, expect_close
from grading.oracles import layers as oracle

#: (dtype, shape, p)
_CASES = [(np.float64, (6, 9), 0.7), (np.float32, (4, 3, 5), 0.4), (np.float64, (1, 13), 0.5),
          (np.float32, (20, 7), 0.9)]


#: No input within this of 0, so a kept unit never looks dropped and out / x is well defined.
_ZERO_GAP = 0.1


def _forward(dropout_forward, x, dropout_param):
    return call_layer(dropout_forward, "dropout_forward", x, dict(dropout_param), names=("x", "dropout_param"),
                      returns=("out", "cache"))


@hidden_test("assignment2", "dropout_forward", points=3, uses=["cs231n.layers:dropout_forward"])
def dropout_forward(dropout_forward):
    """dropout_forward: with a seed, train mode gives x * mask / p with the API's mask
    (np.random.seed(seed); np.random.rand(*x.shape) < p), on every call; test mode is the identity;
    without a seed, entries are 0 or x / p and about a fraction p is kept."""
    rng = case_rng(5101)
    for dtype, shape, p in _CASES:
        x = away_from_zero(rng, shape, dtype, _ZERO_GAP)
        seed = int(rng.integers(0, 2 ** 31 - 1))
        param = {"mode": "train", "p": p, "seed": seed}
        label = f"dropout_forward, train mode ({describe_arrays(dtype, x=x, p=p)}, with a seed)"
        u = np.random.RandomState(seed).rand(*shape)
        mask = oracle.dropout_mask(seed, shape, p)
        want = oracle.dropout(x, mask, p)
        x64 = x.astype(np.float64)
        diagnoses = [("the kept units are not scaled by 1 / p: inverted dropout divides the kept activations by the "
                      "keep probability, so the expected output equals the input.", x64 * mask),
                     ("p is the probability of KEEPING a unit (not of dropping it).", x64 * (u < 1 - p) / (1 - p)),
                     ("p is the probability of KEEPING a unit (not of dropping it), and the kept units are scaled by "
                      "1 / p.", x64 * (u < 1 - p) / p),
                     ("the mask keeps the units whose draw is ABOVE 1 - p; the API keeps a unit where its "
                      "np.random.rand draw is below p (seeded masks must match the convention).",
                      x64 * (u > 1 - p) / p)]
        hints = {"out": {"shape": "out has the shape of x.",
                         "values": "with dropout_param['seed'] numpy's RNG is reseeded on every call and the mask is "
                                   "drawn with np.random.rand over the shape of x, keeping a unit where the draw is "
                                   "below p; kept units are scaled by 1 / p."}}
        for call in (1, 2):  # reseeded on every call: the same mask twice
            out, _ = _forward(dropout_forward, x, param)
            expect_arrays(label if call == 1 else f"{label}, second call", {"out": out}, {"out": want}, dtype,
                          hints=hints, diagnoses={"out": diagnoses})

        test_param = {"mode": "test", "p": p, "seed": seed}
        out, _ = _forward(dropout_forward, x, test_param)
        expect_arrays(f"dropout_forward, test mode ({describe_arrays(dtype, x=x, p=p)})", {"out": out}, {"out": x64},
                      dtype, hints={"out": "test mode is the identity: inverted dropout did the scaling in training, "
                                           "so nothing is dropped or scaled at test time."},
                      diagnoses={"out": [("test mode scales the output by p: with inverted dropout the test-time "
                                          "output is x itself.", x64 * p),
                                         ("test mode still drops units: it must return x unchanged.", want)]})

    # Without a seed: the statistics of the mask.
    student_object("numpy.random:seed")(int(rng.integers(0, 2 ** 31 - 1)))
    for dtype, p in ((np.float64, 0.3), (np.float32, 0.8)):
        x = np.ones((200, 50), dtype=dtype)
        out, _ = _forward(dropout_forward, x, {"mode": "train", "p": p})
        out = np.asarray(out, dtype=np.float64)
        label = f"dropout_forward, train mode without a seed ({describe_arrays(dtype, x=x, p=p)}, x all ones)"
        if out.shape != x.shape:
            raise CheckFailed(f"{label}: out has shape {out.shape} but expected {x.shape}.")
        kept = out != 0
        if kept.any() and not np.allclose(out[kept], 1 / p, rtol=1e-5):
            raise CheckFailed(f"{label}: the kept entries are not 1 / p = {1 / p:.4g} (one is "
                              f"{float(out[kept][0]):.4g}); kept units are scaled by 1 / p.")
        fraction, sd = float(kept.mean()), float(np.sqrt(p * (1 - p) / x.size))
        if abs(fraction - p) > 6 * sd:
            raise CheckFailed(f"{label}: {fraction:.3f} of the units are kept; expected about p = {p} "
                              "(p is the probability of KEEPING a unit).")


@hidden_test("assignment2", "dropout_backward", points=2,
             uses=["cs231n.layers:dropout_forward", "cs231n.layers:dropout_backward"])
def dropout_backward(dropout_forward, dropout_backward):
    """dropout_backward on dropout_forward's cache: dx is dout times the factor the forward applied to x
    (its mask and scale) in train mode, and dout in test mode."""
    rng = case_rng(5202)
    for dtype, shape, p in _CASES:
        x = away_from_zero(rng, shape, dtype, _ZERO_GAP)
        dout = rng.standard_normal(shape).astype(dtype)
        seed = int(rng.integers(0, 2 ** 31 - 1))
        for mode in ("train", "test"):
            out, cache = _forward(dropout_forward, x, {"mode": mode, "p": p, "seed": seed})
            label = f"dropout_backward, {mode} mode ({describe_arrays(dtype, x=x, dout=dout, p=p)})"
            out = np.asarray(out, dtype=np.float64)
            if out.shape != x.shape:
                raise CheckFailed(f"{label}: dropout_forward's out has shape {out.shape} but expected {x.shape}; "
                                  "fix dropout_forward first (test dropout_forward).")
            factor = out / x.astype(np.float64)  # what the student's forward applied to each entry
            want = dout.astype(np.float64) * factor
            dx = call_layer(dropout_backward, "dropout_backward", dout, cache, names=("dout", "cache"))
            diagnoses = [("dx is dout unchanged: the units the forward pass dropped get no gradient, and the kept ones "
                          "the forward's scale.", dout.astype(np.float64))] if mode == "train" else []
            if mode == "train":
                diagnoses.append(("dx is masked but not scaled: the forward pass scaled the kept units, so their "
                                  "gradient is scaled the same way.", dout.astype(np.float64) * (factor != 0)))
            expect_arrays(label, {"dx": dx}, {"dx": want}, dtype, kind="gradient",
                          hints={"dx": {"shape": "dx has the shape of x.",
                                        "values": "dx is dout times what the forward pass multiplied x by: use the "
                                                  "mask kept in the cache."}},
                          diagnoses={"dx": diagnoses})
