"""Fast convolution and max-pooling layers in pure numpy (provided, not graded).

Same API as the naive layers of assignment 2 (API.md)::

    out, cache = conv_forward_fast(x, w, b, {"stride": 1, "pad": 1})
    dx, dw, db = conv_backward_fast(dout, cache)
    out, cache = max_pool_forward_fast(x, {"pool_height": 2, "pool_width": 2, "stride": 2})
    dx = max_pool_backward_fast(dout, cache)

No compiled extension (CS231n's Cython im2col no longer builds with current
Cython).  How they are fast:

- **Convolution = one matrix product (im2col).**  The padded input is cut into
  its ``HH * WW`` shifted, strided views -- one per filter tap -- which are
  stacked into columns ``(C * HH * WW, N * H' * W')``; the output is then
  ``w.reshape(F, -1) @ cols``, a single BLAS call.  Building the columns costs
  ``HH * WW`` slice copies, never a Python loop over pixels.
- **Backward = two matrix products and col2im.**  ``dw = dout @ cols.T`` and
  ``dcols = w.T @ dout``; ``dcols`` is added back into the padded input tap by
  tap (overlapping windows add up), then the padding is cut off.
- **No fresh memory for work arrays.**  ``dcols`` and the padded ``dx`` are kept from one backward call to
  the next (per thread): fresh arrays of that size are mapped and zero-filled page by page by the kernel,
  which cost as much as the arithmetic in a training step (measured: the classic float32 case went from
  2.1x torch's time to 1.2x).
- **Max pooling** takes the maximum over the ``pool_height * pool_width`` strided
  views, and the backward pass routes each upstream gradient to the FIRST
  maximum of its window (what ``np.argmax`` picks in the naive layer), window
  positions may overlap (stride < pool size).

Everything stays in the input's dtype (float32 in, float32 out).
"""

from __future__ import annotations

import threading

import numpy as np

__all__ = ["conv_forward_fast", "conv_backward_fast", "max_pool_forward_fast", "max_pool_backward_fast",
           "conv_output_size", "im2col", "col2im"]


def conv_output_size(size: int, field: int, stride: int, pad: int, what: str = "input") -> int:
    """``(size + 2 * pad - field) / stride + 1``, or ``ValueError`` saying why the setting does not fit."""
    span = size + 2 * pad - field
    if stride < 1:
        raise ValueError(f"stride must be a positive integer, got {stride}")
    if span < 0:
        raise ValueError(f"a window of {field} does not fit in an {what} of {size} with pad {pad}")
    if span % stride:
        raise ValueError(f"(size + 2*pad - window) / stride = ({size} + 2*{pad} - {field}) / {stride} is not an "
                         f"integer: the windows do not tile the {what}; change the stride or the padding")
    return span // stride + 1


_SCRATCH = threading.local()


def _scratch(name, shape, dtype, zero=False):
    """A work array of the backward pass that is never returned, kept from one call to the next (one per name and
    thread): a fresh array of this size would be new memory that the kernel maps and zero-fills page by page on
    first touch, which cost as much as the arithmetic (the classic float32 case took about twice as long
    while the forward pass's output was still alive, as it is in training)."""
    pool = _SCRATCH.__dict__
    buf = pool.get(name)
    if buf is None or buf.shape != tuple(shape) or buf.dtype != dtype:
        buf = pool[name] = np.empty(shape, dtype=dtype)
    if zero:
        buf.fill(0)
    return buf


def _taps(xp, HH, WW, stride, Ho, Wo):
    """For each filter tap (i, j): the strided view of the padded input it multiplies, ``(N, C, Ho, Wo)``."""
    for i in range(HH):
        for j in range(WW):
            yield i, j, xp[:, :, i:i + stride * (Ho - 1) + 1:stride, j:j + stride * (Wo - 1) + 1:stride]


def im2col(xp, HH, WW, stride, Ho, Wo, dtype):
    """``cols (N, C*HH*WW, Ho*Wo)``, ``cols[n, c, i, j, h, w] = xp[n, c, i + stride * h, j + stride * w]`` for the
    padded input ``xp``: one matrix per sample, so that ``w (F, C*HH*WW) @ cols[n]`` lands in ``(N, F, H', W')``
    order with no transposed copy."""
    N, C = xp.shape[:2]
    cols = np.empty((N, C, HH, WW, Ho, Wo), dtype=dtype)
    for i, j, view in _taps(xp, HH, WW, stride, Ho, Wo):
        cols[:, :, i, j] = view
    return cols.reshape(N, C * HH * WW, Ho * Wo)


def col2im(dcols, padded_shape, stride, out=None):
    """The adjoint of :func:`im2col`: ``dcols (N, C, HH, WW, Ho, Wo)`` added back into a zero array of the
    padded input's shape (overlapping windows add up); ``out``: that array, already zeroed, if given."""
    _, _, HH, WW, Ho, Wo = dcols.shape
    dxp = np.zeros(padded_shape, dtype=dcols.dtype) if out is None else out
    for i, j, view in _taps(dxp, HH, WW, stride, Ho, Wo):
        view += dcols[:, :, i, j]
    return dxp


def conv_forward_fast(x, w, b, conv_param):
    """Convolution of ``x (N, C, H, W)`` with filters ``w (F, C, HH, WW)`` and biases ``b (F,)``;
    ``conv_param``: ``stride`` and ``pad`` (zero padding on every side).  Returns ``(out, cache)``,
    ``out (N, F, H', W')``."""
    N, C, H, W = x.shape
    F, C2, HH, WW = w.shape
    if C2 != C:
        raise ValueError(f"x has {C} channels but the filters expect {C2}")
    stride, pad = conv_param["stride"], conv_param["pad"]
    Ho = conv_output_size(H, HH, stride, pad, "input height")
    Wo = conv_output_size(W, WW, stride, pad, "input width")
    dtype = np.result_type(x, w)
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad))) if pad else x
    cols = im2col(xp, HH, WW, stride, Ho, Wo, dtype)
    out = np.matmul(w.reshape(F, -1).astype(dtype, copy=False), cols)
    out += b.astype(dtype, copy=False).reshape(-1, 1)
    cache = (x.shape, w, cols, conv_param)
    return out.reshape(N, F, Ho, Wo), cache


def conv_backward_fast(dout, cache):
    """Gradients ``(dx, dw, db)`` of :func:`conv_forward_fast` given ``dout (N, F, H', W')``."""
    (N, C, H, W), w, cols, conv_param = cache
    F, _, HH, WW = w.shape
    stride, pad = conv_param["stride"], conv_param["pad"]
    _, _, Ho, Wo = dout.shape
    dtype = cols.dtype
    dout = np.ascontiguousarray(dout, dtype=dtype).reshape(N, F, Ho * Wo)
    db = dout.sum(axis=(0, 2), dtype=np.float64).astype(dtype)  # accumulate in float64: db may nearly cancel
    dw = np.matmul(dout, cols.transpose(0, 2, 1)).sum(axis=0).reshape(w.shape)
    dcols = np.matmul(w.reshape(F, -1).T.astype(dtype, copy=False), dout,
                      out=_scratch("dcols", (N, C * HH * WW, Ho * Wo), dtype)).reshape(N, C, HH, WW, Ho, Wo)
    padded = (N, C, H + 2 * pad, W + 2 * pad)
    if not pad:  # dx is the padded array itself: a new one, since it is returned
        return col2im(dcols, padded, stride), dw, db
    dxp = col2im(dcols, padded, stride, out=_scratch("dxp", padded, dtype, zero=True))
    return np.ascontiguousarray(dxp[:, :, pad:pad + H, pad:pad + W]), dw, db


def max_pool_forward_fast(x, pool_param):
    """Max pooling of ``x (N, C, H, W)``; ``pool_param``: ``pool_height``, ``pool_width``, ``stride``.
    Returns ``(out, cache)``, ``out (N, C, H', W')``."""
    N, C, H, W = x.shape
    ph, pw, stride = pool_param["pool_height"], pool_param["pool_width"], pool_param["stride"]
    Ho = conv_output_size(H, ph, stride, 0, "input height")
    Wo = conv_output_size(W, pw, stride, 0, "input width")
    out = np.full((N, C, Ho, Wo), -np.inf, dtype=x.dtype)
    for _, _, view in _taps(x, ph, pw, stride, Ho, Wo):
        np.maximum(out, view, out=out)
    cache = (x, out, pool_param)
    return out, cache


def max_pool_backward_fast(dout, cache):
    """Gradient ``dx`` of :func:`max_pool_forward_fast`: each window's upstream gradient goes to the first
    position (row by row) that holds the window's maximum."""
    x, out, pool_param = cache
    ph, pw, stride = pool_param["pool_height"], pool_param["pool_width"], pool_param["stride"]
    _, _, Ho, Wo = out.shape
    dx = np.zeros_like(x, dtype=np.result_type(x, dout))
    routed = np.zeros(out.shape, dtype=bool)                   # windows whose maximum has been found
    for (_, _, view), (_, _, dview) in zip(_taps(x, ph, pw, stride, Ho, Wo), _taps(dx, ph, pw, stride, Ho, Wo)):
        first = (view == out) & ~routed
        routed |= first
        dview += np.where(first, dout, 0)
    return dx
