"""Pure math behind the receptive-field view: a stack of square convolutions and poolings on a square input.

A layer is a :class:`Layer` (``kind`` "conv" or "pool", kernel ``k``, stride ``s``, dilation ``d``); convs
pad "same" (``p = d(k-1)//2``), pools do not pad. For one spatial axis, with ``k_eff = d(k-1) + 1``, the
receptive field of a unit of each layer follows from the layer below (Dumoulin & Visin; Araujo et al.):

    n_out = (n_in + 2p - k_eff) // s + 1          units along the axis
    j_out = j_in * s                              jump: input pixels between neighbouring units
    r_out = r_in + (k_eff - 1) * j_in             receptive field size (theoretical)
    start_out = start_in + ((k_eff - 1)/2 - p) * j_in   centre of the first unit's field, input pixels

starting from the input: ``n = H, j = 1, r = 1, start = 0`` (pixel centres at 0, 1, ..., H - 1).

:func:`path_counts` gives, for one unit of the last layer, how many paths lead from each input pixel to
it (all weights one: the gradient of that unit with respect to the input through the same stack with
all-ones kernels and sum-pooling). Its nonzero set is the unit's receptive field inside the image; its
shape (peaked in the middle) is why the *effective* receptive field (:func:`effective_rf`, after Luo et
al. 2016) is smaller than the theoretical one. The backward pass reuses ``fast_layers.col2im``.
Nothing here imports ipywidgets.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from cs231n_lib import fast_layers

__all__ = ["Layer", "conv", "pool", "PRESETS", "LayerRow", "rf_table", "path_counts", "field_box",
           "centroid", "effective_rf", "stack_errors"]


@dataclass(frozen=True)
class Layer:
    kind: str = "conv"
    k: int = 3
    s: int = 1
    d: int = 1

    def __post_init__(self):
        if self.kind not in ("conv", "pool"):
            raise ValueError(f"a layer is 'conv' or 'pool', got {self.kind!r}")
        if min(self.k, self.s, self.d) < 1:
            raise ValueError(f"kernel, stride and dilation must be positive, got {self}")

    @property
    def extent(self):
        """``k_eff = d(k-1) + 1``: the input rows one window spans."""
        return self.d * (self.k - 1) + 1

    @property
    def pad(self):
        """Convolutions pad "same" (``d(k-1)//2``), poolings do not."""
        return self.d * (self.k - 1) // 2 if self.kind == "conv" else 0

    @property
    def label(self):
        what = f"conv {self.k}x{self.k}" if self.kind == "conv" else f"pool {self.k}x{self.k}"
        extra = [f"stride {self.s}"] + ([f"dilation {self.d}"] if self.d > 1 else [])
        return f"{what}, {', '.join(extra)}"


def conv(s=1, d=1, k=3):
    return Layer("conv", k, s, d)


def pool(k=2, s=2):
    return Layer("pool", k, s, 1)


#: Stacks to start from: name -> (label, layers).
PRESETS = {
    "three_convs": ("three 3x3 convs (VGG's 7x7 trick)", (conv(), conv(), conv())),
    "vgg": ("VGG-style: conv conv pool conv conv pool", (conv(), conv(), pool(), conv(), conv(), pool())),
    "strided": ("strided: conv/2 conv/2 conv/2", (conv(2), conv(2), conv(2))),
    "dilated": ("dilated: dilation 1, 2, 4, 8", (conv(d=1), conv(d=2), conv(d=4), conv(d=8))),
    "deep": ("ten 3x3 convs", tuple(conv() for _ in range(10))),
}


@dataclass(frozen=True)
class LayerRow:
    """One row of the table: the layer (None for the input) and its units' ``n``, ``j``, ``r``, ``start``."""

    layer: Layer | None
    n: int
    j: int
    r: int
    start: float


def rf_table(layers, size):
    """``[LayerRow, ...]``: the input, then every layer, by the formulas of the module doc. Raises
    ``ValueError`` naming the first layer whose window no longer fits (see :func:`stack_errors`)."""
    problems = stack_errors(layers, size)
    if problems:
        raise ValueError(problems[0])
    rows = [LayerRow(None, int(size), 1, 1, 0.0)]
    for layer in layers:
        prev = rows[-1]
        n = (prev.n + 2 * layer.pad - layer.extent) // layer.s + 1
        rows.append(LayerRow(layer, n, prev.j * layer.s, prev.r + (layer.extent - 1) * prev.j,
                             prev.start + ((layer.extent - 1) / 2 - layer.pad) * prev.j))
    return rows


def stack_errors(layers, size):
    """Plain-words reasons the stack does not fit an input of ``size`` (empty when it does)."""
    n = int(size)
    for i, layer in enumerate(layers, 1):
        if n + 2 * layer.pad < layer.extent:
            return [f"layer {i} ({layer.label}) needs {layer.extent} pixels but its input is only {n} wide "
                    f"(plus padding {layer.pad}): remove a layer or use a larger input"]
        n = (n + 2 * layer.pad - layer.extent) // layer.s + 1
    return []


def _back_through(layer, grad, n_in):
    """The gradient ``(n_in, n_in)`` of ``sum(grad * layer(x))`` w.r.t. ``x`` for all-ones weights: every
    window adds its output's gradient to each input pixel under one of its taps (fast_layers.col2im)."""
    e, n_out = layer.extent, grad.shape[0]
    taps = np.zeros((e, e), dtype=grad.dtype)
    taps[::layer.d, ::layer.d] = 1
    dcols = taps[None, None, :, :, None, None] * grad[None, None, None, None]
    padded = n_in + 2 * layer.pad
    dxp = fast_layers.col2im(dcols, (1, 1, padded, padded), layer.s)[0, 0]
    p = layer.pad
    return dxp[p:p + n_in, p:p + n_in] if p else dxp


def path_counts(layers, size, unit):
    """``(size, size)`` float64: the number of paths from each input pixel to unit ``(row, col)`` of the last
    layer (the input itself when there are no layers), i.e. the input gradient with all-ones weights."""
    rows = rf_table(layers, size)
    r, c = (int(v) for v in unit)
    n_last = rows[-1].n
    if not (0 <= r < n_last and 0 <= c < n_last):
        raise ValueError(f"unit {unit} is outside the last layer's {n_last} x {n_last} units")
    grad = np.zeros((n_last, n_last))
    grad[r, c] = 1.0
    for layer, below in zip(reversed(layers), reversed(rows[:-1])):
        grad = _back_through(layer, grad, below.n)
    return grad


def field_box(rows, unit):
    """The theoretical receptive field of unit ``(row, col)`` of the last layer, in input pixel indices:
    ``(top, left, bottom, right)`` inclusive, possibly outside the image (the padding)."""
    last = rows[-1]
    half = (last.r - 1) / 2
    cy, cx = last.start + unit[0] * last.j, last.start + unit[1] * last.j
    return (math.ceil(cy - half), math.ceil(cx - half), math.floor(cy + half), math.floor(cx + half))


def centroid(counts):
    """The path-weighted centre ``(row, col)`` of ``counts`` rounded to a pixel (``None`` without paths)."""
    w = np.asarray(counts, dtype=np.float64)
    total = w.sum()
    if total <= 0:
        return None
    ys, xs = np.indices(w.shape)
    return int(round((ys * w).sum() / total)), int(round((xs * w).sum() / total))


def effective_rf(counts, mass=0.95):
    """The side of the smallest square, centred on the counts' centroid (rounded to a pixel), that holds at
    least ``mass`` of all paths: an "effective" receptive field size. Also the paths' standard deviation
    (pixels, per axis, averaged). Returns ``(side, std)``; ``(0, 0.0)`` when there are no paths."""
    w = np.asarray(counts, dtype=np.float64)
    total = w.sum()
    if total <= 0:
        return 0, 0.0
    ys, xs = np.indices(w.shape)
    cy, cx = (ys * w).sum() / total, (xs * w).sum() / total
    std = float(np.sqrt(((((ys - cy) ** 2) + ((xs - cx) ** 2)) * w).sum() / total / 2))
    ry, rx = centroid(w)
    dist = np.maximum(np.abs(ys - ry), np.abs(xs - rx))  # Chebyshev distance: squares around the centre
    per_ring = np.bincount(dist.ravel(), weights=w.ravel())
    radius = int(np.searchsorted(np.cumsum(per_ring), mass * total - 1e-9 * total))
    return 2 * radius + 1, std
