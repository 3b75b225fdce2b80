"""Pure math behind the weight-initialisation explorer (the lecture's experiment).

A stack of ``depth`` fully connected layers of ``width`` units, no biases: ``h_0 = X``, a seeded
batch of standard normal rows, and for each layer ``l = 1..depth``

    z_l = h_{l-1} @ W_l          (the pre-activation; standardised per unit first when batchnorm is on)
    h_l = nonlinearity(z_l)      (tanh or ReLU)

with ``W_l = scale * randn(width, width)``. The scales (:data:`INITS`): a constant 0.01, 0.05 or
1.0, Xavier ``1 / sqrt(fan_in)`` or Kaiming ``sqrt(2 / fan_in)``. The standard normal draws depend
only on ``(width, layer, seed)`` (and the batch on ``(batch, width, seed)``), so changing the
init, the nonlinearity or the depth rescales or extends the same random numbers: the pictures
differ only by what was changed.

With batchnorm on, each pre-activation is standardised over the batch (train-mode batch
normalisation with gamma = 1, beta = 0) by the private helper :func:`_standardize`, which exists only
for this picture (the graded batch-norm layer lives in the student's assignment-2 package).

Computations are in float32 (about 1.5 GFLOP for 6 layers of 500 units on a batch of 500).
Nothing here imports ipywidgets.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

__all__ = ["INITS", "NONLINEARITIES", "weight_scale", "input_batch", "standard_weights", "Forward", "forward",
           "layer_stats", "histogram_range", "histograms"]

#: Init key -> (label, scale as a function of fan_in).
INITS = {
    "0.01": ("0.01 \u00b7 randn (too small)", lambda fan_in: 0.01),
    "0.05": ("0.05 \u00b7 randn", lambda fan_in: 0.05),
    "1.0": ("1.0 \u00b7 randn (too large)", lambda fan_in: 1.0),
    "xavier": ("Xavier: randn / \u221afan_in", lambda fan_in: 1.0 / np.sqrt(fan_in)),
    "kaiming": ("Kaiming: randn \u00b7 \u221a(2 / fan_in)", lambda fan_in: np.sqrt(2.0 / fan_in)),
}

#: Nonlinearity key -> (label, function).
NONLINEARITIES = {
    "tanh": ("tanh", np.tanh),
    "relu": ("ReLU", lambda z: np.maximum(z, 0, dtype=z.dtype)),
}

BN_EPS = 1e-5


def _check(init=None, nonlinearity=None):
    if init is not None and init not in INITS:
        raise ValueError(f"unknown init {init!r}; choose one of {sorted(INITS)}")
    if nonlinearity is not None and nonlinearity not in NONLINEARITIES:
        raise ValueError(f"unknown nonlinearity {nonlinearity!r}; choose one of {sorted(NONLINEARITIES)}")


def weight_scale(init, fan_in):
    """The standard deviation of each weight for ``init`` (a key of :data:`INITS`) and ``fan_in`` inputs."""
    _check(init=init)
    return float(INITS[init][1](int(fan_in)))


@lru_cache(maxsize=16)
def _standard_normal(rows, cols, seed, stream):
    """A read-only float32 ``(rows, cols)`` standard normal array, the same for the same arguments."""
    a = np.random.default_rng([int(seed), int(stream)]).standard_normal((rows, cols), dtype=np.float32)
    a.flags.writeable = False
    return a


def input_batch(batch, width, seed=0):
    """The network's input ``X (batch, width)``: standard normal, seeded (read-only, cached)."""
    return _standard_normal(int(batch), int(width), seed, 0)


def standard_weights(width, layer, seed=0):
    """Layer ``layer``'s (1-based) unscaled weights ``(width, width)``: standard normal, seeded (read-only, cached)."""
    if layer < 1:
        raise ValueError(f"standard_weights: layers count from 1, got {layer}")
    return _standard_normal(int(width), int(width), seed, int(layer))


def _standardize(z, eps=BN_EPS):
    """Each column of ``z`` shifted and scaled to mean 0 and variance 1 over the batch (rows): what
    train-mode batch normalisation does with gamma = 1 and beta = 0. For the picture only."""
    mean, var = z.mean(axis=0), z.var(axis=0)
    return (z - mean) / np.sqrt(var + np.asarray(eps, dtype=z.dtype))


@dataclass(frozen=True)
class Forward:
    """One forward pass: ``pre[l]`` is what layer ``l + 1``'s nonlinearity receives (after standardising
    when batchnorm is on) and ``post[l]`` its output, each ``(batch, width)`` float32; ``scales[l]`` the weight std."""

    pre: list
    post: list
    scales: list


def forward(depth, width, nonlinearity="tanh", init="xavier", batchnorm=False, batch=500, seed=0):
    """The forward pass of the module doc's network; see :class:`Forward`."""
    _check(init, nonlinearity)
    depth, width, batch = int(depth), int(width), int(batch)
    if depth < 1 or width < 1 or batch < 2:
        raise ValueError(f"forward: need depth >= 1, width >= 1 and batch >= 2, got {depth}, {width}, {batch}")
    f = NONLINEARITIES[nonlinearity][1]
    h = input_batch(batch, width, seed)
    pre, post, scales = [], [], []
    for layer in range(1, depth + 1):
        scale = weight_scale(init, fan_in=width)
        z = h @ standard_weights(width, layer, seed)
        z *= np.float32(scale)
        if batchnorm:
            z = _standardize(z)
        h = f(z)
        pre.append(z)
        post.append(h)
        scales.append(scale)
    return Forward(pre, post, scales)


def layer_stats(arrays):
    """``[(mean, std, rms), ...]`` of each array over all its entries (rms = sqrt of the second moment)."""
    out = []
    for a in arrays:
        mean = float(a.mean(dtype=np.float64))
        second = float(np.square(a, dtype=np.float64).mean())
        out.append((mean, float(np.sqrt(max(second - mean * mean, 0.0))), float(np.sqrt(second))))
    return out


def histogram_range(arrays, nonlinearity=None):
    """One x range ``(lo, hi)`` shared by every layer's histogram, so shrinking or growing shows.

    ``(-1, 1)`` for tanh outputs (``nonlinearity="tanh"``); ``(0, hi)`` for ReLU outputs
    (``"relu"``); ``(-hi, hi)`` otherwise (pre-activations), ``hi`` reaching 4 standard deviations
    past the mean of the widest layer."""
    if nonlinearity == "tanh":
        return -1.0, 1.0
    hi = max((abs(m) + 4 * s for m, s, _ in layer_stats(arrays)), default=1.0)
    hi = hi if np.isfinite(hi) and hi > 0 else 1.0
    return (0.0, hi) if nonlinearity == "relu" else (-hi, hi)


def histograms(arrays, value_range, bins=40):
    """``(edges (bins + 1,), [fractions (bins,), ...])``: each array's share of entries per bin of ``value_range``
    (entries outside it count in the end bins, so every histogram sums to 1)."""
    lo, hi = map(float, value_range)
    if not hi > lo or bins < 1:
        raise ValueError(f"histograms: need lo < hi and bins >= 1, got {value_range}, {bins}")
    edges = np.linspace(lo, hi, bins + 1)
    out = []
    for a in arrays:
        index = np.clip(((a.ravel() - np.float32(lo)) * np.float32(bins / (hi - lo))).astype(np.int64), 0, bins - 1)
        out.append(np.bincount(index, minlength=bins) / max(a.size, 1))
    return edges, out
