"""Pure math behind the convolution explorer: output sizes, sliding windows, im2col, a filter bank.

A square input of side ``H`` (``C_in`` channels), square filters of side ``F``, stride ``S``, zero
padding ``P`` on every side and dilation ``D`` (``D - 1`` zeros between the filter's taps). The
output side is

    H_out = (H + 2P - D(F - 1) - 1) / S + 1

which must be a positive integer. PyTorch floors the division (``torch.nn.functional.conv2d``) and
raises only when the result is not positive; CS231n's layers (and ``cs231n_lib.fast_layers``) also
refuse a division that is not exact, because the last windows would not reach the input's far edge.
:func:`geometry` says which of these holds and :func:`suggest_fixes` which value to change.

The whole-image convolution reuses :mod:`cs231n_lib.fast_layers` (a dilated filter is the filter with
``D - 1`` zeros inserted between its taps: :func:`dilate_filter`), and :func:`im2col_matrix` keeps the
rows of ``fast_layers.im2col``'s matrix that meet a tap. Nothing here is a graded function and
nothing imports ipywidgets.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from cs231n_lib import fast_layers

__all__ = ["Geometry", "geometry", "suggest_fixes", "slide_windows", "window_positions", "conv_output_cell",
           "dilate_filter", "im2col_matrix", "convolve", "small_example", "FILTERS", "filter_kernel",
           "sample_images", "to_levels"]


@dataclass(frozen=True)
class Geometry:
    """One setting and what it gives.

    ``span = H + 2P - D(F-1) - 1`` (how far the window's first tap can travel), ``out`` the output side
    as PyTorch computes it (``span // S + 1``, 0 when torch refuses), ``remainder = span % S`` (the rows
    the last window misses), ``errors`` the reasons PyTorch raises (in words) and ``valid`` whether the
    setting is usable by CS231n's layers (no errors and an exact division).
    """

    size: int
    field: int
    stride: int
    pad: int
    dilation: int
    span: int
    out: int
    remainder: int
    errors: tuple = ()

    @property
    def extent(self):
        """The dilated filter's side ``D(F-1) + 1``: the input rows one window covers."""
        return self.dilation * (self.field - 1) + 1

    @property
    def valid(self):
        return not self.errors and self.remainder == 0

    def formula(self):
        """The output-size formula with this setting's numbers, e.g. ``(7 + 2*1 - 1*(3-1) - 1)/2 + 1 = 4``."""
        h, f, s, p, d = self.size, self.field, self.stride, self.pad, self.dilation
        lhs = f"({h} + 2\u00b7{p} - {d}\u00b7({f}-1) - 1)/{s} + 1"
        if self.stride < 1:
            return f"{lhs}: undefined (stride {s})"
        value = self.span / s + 1
        if self.errors:
            return f"{lhs} = {self.span}/{s} + 1: no window fits (the output would be {self.span // s + 1})"
        shown = f"{value:g}" if self.remainder == 0 else f"{value:.3g} (not an integer)"
        return f"{lhs} = {self.span}/{s} + 1 = {shown}"

    def problems(self):
        """Plain-words reasons this setting does not work (empty when it does)."""
        if self.errors:
            return list(self.errors)
        if self.remainder:
            return [f"{self.span}/{self.stride} is not an integer: the windows do not tile the padded input "
                    f"(the last {self.remainder} row(s) and column(s) are never reached; PyTorch would silently "
                    f"drop them, CS231n's conv layers refuse)"]
        return []


def geometry(size, field, stride=1, pad=0, dilation=1):
    """The :class:`Geometry` of one setting; never raises for integer arguments."""
    h, f, s, p, d = (int(v) for v in (size, field, stride, pad, dilation))
    errors = []
    if h < 1:
        errors.append(f"the input size must be positive, got {h}")
    if f < 1:
        errors.append(f"the filter size must be positive, got {f}")
    if s < 1:
        errors.append(f"the stride must be a positive integer, got {s}")
    if p < 0:
        errors.append(f"the padding cannot be negative, got {p}")
    if d < 1:
        errors.append(f"the dilation must be a positive integer, got {d}")
    span = h + 2 * p - d * (f - 1) - 1
    if not errors and span < 0:
        errors.append(f"the dilated filter covers {d * (f - 1) + 1} pixels but the padded input has only "
                      f"{h + 2 * p}, so no window fits and the output size is not positive")
    out = span // s + 1 if not errors else 0
    remainder = span % s if s >= 1 and not errors else 0
    return Geometry(h, f, s, p, d, span, out, remainder, tuple(errors))


def suggest_fixes(g):
    """For an unusable :class:`Geometry`: ``[(control, value, words), ...]``, the smallest changes of one value
    (stride, padding, input size, filter size or dilation) that make it usable. Empty for a usable one."""
    if g.valid:
        return []
    h, f, s, p, d = g.size, g.field, max(g.stride, 1), max(g.pad, 0), max(g.dilation, 1)
    fixes = []
    if g.span >= 0:  # only the division is not exact
        # a stride that divides span (1 always does)
        for s2 in sorted(range(1, g.span + 2), key=lambda v: (abs(v - s), v)):
            if geometry(h, f, s2, p, d).valid:
                fixes.append(("stride", s2, f"set the stride to {s2}"))
                break
    for what, make, start in (("pad", lambda v: (h, f, s, v, d), p), ("size", lambda v: (v, f, s, p, d), h)):
        candidates = sorted(range(max(0 if what == "pad" else 1, start - 3 * s - 2 * d * f),
                                  start + 3 * s + 2 * d * f + 2), key=lambda v: (abs(v - start), v))
        for v in candidates:
            if v != start and geometry(*make(v)).valid:
                fixes.append((what, v, f"set the {'padding' if what == 'pad' else 'input size'} to {v}"))
                break
    for what, make, start in (("field", lambda v: (h, v, s, p, d), f), ("dilation", lambda v: (h, f, s, p, v), d)):
        for v in range(start - 1, 0, -1):  # smaller windows fit more often
            if geometry(*make(v)).valid:
                fixes.append((what, v, f"set the {'filter size' if what == 'field' else 'dilation'} to {v}"))
                break
    return fixes


def slide_windows(out_h, out_w):
    """The output cells in the order the window slides: row by row, ``[(row, col), ...]``."""
    return [(r, c) for r in range(int(out_h)) for c in range(int(out_w))]


def window_positions(row, col, field, stride, dilation):
    """The padded-input coordinates ``(rows (F,), cols (F,))`` of the taps of output cell ``(row, col)``."""
    taps = np.arange(int(field)) * int(dilation)
    return row * stride + taps, col * stride + taps


def conv_output_cell(xp, w, b, row, col, stride, dilation):
    """One output value of every filter at cell ``(row, col)``, as a dot product spelled out.

    ``xp (C, Hp, Wp)`` is the padded input, ``w (K, C, F, F)`` the filters, ``b (K,)``. Returns
    ``(values (K,), window (C, F, F), products (K, C, F, F))`` with ``values = products.sum + b``.
    """
    rows, cols = window_positions(row, col, w.shape[-1], stride, dilation)
    window = xp[:, rows[:, None], cols[None, :]]
    products = w * window[None]
    return products.reshape(len(w), -1).sum(axis=1) + b, window, products


def dilate_filter(w, dilation):
    """Filters ``w (..., F, F)`` with ``dilation - 1`` zeros between taps: ``(..., D(F-1)+1, D(F-1)+1)``."""
    d = int(dilation)
    if d == 1:
        return w
    f = w.shape[-1]
    out = np.zeros(w.shape[:-2] + (d * (f - 1) + 1,) * 2, dtype=w.dtype)
    out[..., ::d, ::d] = w
    return out


def _padded(x, pad):
    return np.pad(x, [(0, 0)] * (x.ndim - 2) + [(pad, pad), (pad, pad)]) if pad else x


def im2col_matrix(x, field, stride=1, pad=0, dilation=1):
    """The im2col matrix of one image ``x (C, H, H)``: ``(C*F*F, H_out*H_out)``, column ``k`` the window of
    output cell ``slide_windows(...)[k]`` flattened in ``(channel, tap row, tap col)`` order, so that
    ``w.reshape(K, -1) @ im2col_matrix(x, ...)`` is the convolution. Uses PyTorch's (floored) output size."""
    g = geometry(x.shape[-1], field, stride, pad, dilation)
    if g.errors:
        raise ValueError("im2col_matrix: " + "; ".join(g.errors))
    c, e = x.shape[0], g.extent
    cols = fast_layers.im2col(_padded(x[None], pad), e, e, stride, g.out, g.out, x.dtype)[0]
    cols = cols.reshape(c, e, e, -1)[:, ::dilation, ::dilation]  # keep the rows that meet a tap
    return np.ascontiguousarray(cols.reshape(c * field * field, -1))


def convolve(x, w, b=None, stride=1, pad=0, dilation=1):
    """The whole-image convolution of ``x (C, H, H)`` with ``w (K, C, F, F)`` through ``fast_layers`` (exact
    settings only, as CS231n's layers): ``(K, H_out, H_out)``."""
    g = geometry(x.shape[-1], w.shape[-1], stride, pad, dilation)
    if not g.valid:
        raise ValueError("convolve: " + "; ".join(g.problems()))
    b = np.zeros(len(w), dtype=w.dtype) if b is None else b
    out, _ = fast_layers.conv_forward_fast(x[None], dilate_filter(w, dilation), b, {"stride": stride, "pad": pad})
    return out[0]


def small_example(size, channels_in=1, channels_out=1, field=3, seed=0):
    """A small integer input ``(C_in, size, size)`` in 0..9 and filters ``(C_out, C_in, F, F)`` in -1..2 with
    biases ``(C_out,)`` in -1..1, seeded, as float64: numbers short enough to read in a dot product."""
    rng = np.random.default_rng(int(seed))
    x = rng.integers(0, 10, (channels_in, size, size)).astype(np.float64)
    w = rng.integers(-1, 3, (channels_out, channels_in, field, field)).astype(np.float64)
    b = rng.integers(-1, 2, channels_out).astype(np.float64)
    return x, w, b


#: Filter bank for the real image: name -> (label, 3x3 kernel, or None for a seeded random one).
FILTERS = {
    "edge": ("edge (Laplacian)", np.array([[0, -1, 0], [-1, 4, -1], [0, -1, 0]], dtype=np.float64)),
    "blur": ("blur (box 3x3)", np.full((3, 3), 1 / 9)),
    "sharpen": ("sharpen", np.array([[0, -1, 0], [-1, 5, -1], [0, -1, 0]], dtype=np.float64)),
    "sobel_x": ("Sobel x (vertical edges)", np.array([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]], dtype=np.float64)),
    "sobel_y": ("Sobel y (horizontal edges)", np.array([[-1, -2, -1], [0, 0, 0], [1, 2, 1]], dtype=np.float64)),
    "random": ("random (seeded normal)", None),
}


def filter_kernel(name, seed=0):
    """The 3x3 kernel of filter ``name`` (a key of :data:`FILTERS`); "random" is standard normal, seeded."""
    if name not in FILTERS:
        raise ValueError(f"unknown filter {name!r}; choose one of {list(FILTERS)}")
    k = FILTERS[name][1]
    return np.random.default_rng(int(seed)).standard_normal((3, 3)) if k is None else k.copy()


def _fallback_images():
    """A synthetic 28x28 picture (a bright ring and a bar) when no dataset is on this machine."""
    yy, xx = np.mgrid[:28, :28]
    ring = np.abs(np.hypot(yy - 13.5, xx - 13.5) - 8) < 2
    img = np.where(ring, 230.0, 0.0)
    img[5:23, 12:16] = 150.0
    return img[None]


def sample_images(count=32, loader=None):
    """``(images (n, H, W) float64 in 0..255, captions [str], message)``: the first ``count`` Fashion-MNIST test
    images (grayscale; a colour dataset is averaged over channels) through :mod:`cs231n_lib.data`, or, when
    no dataset is available, one synthetic picture and a message that says so and how to fetch the data."""
    from cs231n_lib import data
    loader = data.load_dataset if loader is None else loader
    try:
        _, _, X_test, y_test, names = loader("fashion_mnist")
    except (data.DatasetError, OSError, ValueError) as e:
        return _fallback_images(), ["synthetic ring"], (f"Fashion-MNIST is not available here ({e}); showing a "
                                                        f"synthetic picture. Fetch the data with `make data`.")
    images = np.asarray(X_test[:count], dtype=np.float64).mean(axis=-1)
    return images, [f"test image {i}: {names[int(y)]}" for i, y in enumerate(y_test[:count])], ""


def to_levels(values, levels, signed=None):
    """Map values to integers ``0..levels-1`` for a colour scale: ``signed`` (default: when a value is
    negative) puts 0 in the middle level and scales by the largest magnitude, otherwise min..max.
    Returns ``(levels array, lo, hi)``: the value range the scale spans."""
    v = np.asarray(values, dtype=np.float64)
    signed = bool((v < 0).any()) if signed is None else signed
    if signed:
        m = float(np.abs(v).max()) if v.size else 0.0
        lo, hi = -m, m
    else:
        lo, hi = (float(v.min()), float(v.max())) if v.size else (0.0, 0.0)
    if hi <= lo:
        return np.full(v.shape, (levels - 1) // 2 if signed else 0, dtype=np.int64), lo, hi
    idx = np.floor((v - lo) / (hi - lo) * levels).astype(np.int64)
    return np.clip(idx, 0, levels - 1), lo, hi
