"""Pure helpers for drawing on the canvas views (``_canvas.py``) and in inline SVG: colours, label grids,
axis limits and ticks, SVG elements.

Nothing here touches widgets; everything returns plain Python or numpy values.
"""

from __future__ import annotations

import html
import math

import numpy as np
from matplotlib.colors import to_hex, to_rgb

#: One colour per class (up to 5 classes), as in the Stanford demos: red, green, blue, orange, purple.
CLASS_COLORS = ["#e6194b", "#3cb44b", "#4363d8", "#f58231", "#911eb4"]
#: A coloured disc per class for plain-text places (dropdown options), same order as ``CLASS_COLORS``.
CLASS_EMOJI = ["\U0001F534", "\U0001F7E2", "\U0001F535", "\U0001F7E0", "\U0001F7E3"]
CLASS_NAMES = ["red", "green", "blue", "orange", "purple"]
#: Byte value of a tied (no-class) cell in :func:`label_bytes`.
TIE_BYTE = 255


def class_options(num_classes):
    """Dropdown options ``[(label, class), ...]``, each label starting with the class's coloured disc."""
    return [(f"{CLASS_EMOJI[c]} {c} ({CLASS_NAMES[c]})", c) for c in range(int(num_classes))]


def class_select_css(scope):
    """CSS that colours a class ``<select>`` inside ``.scope``: each option in its class colour, and a
    swatch (thick left border) in the colour of the chosen class, set by the class name ``cs231n-class-C``."""
    rules = []
    for c, color in enumerate(CLASS_COLORS):
        rules.append(f".{scope} select option:nth-child({c + 1}) {{ color: {color}; font-weight: bold; }}")
        rules.append(f".{scope}.cs231n-class-{c} select {{ border-left: 14px solid {color}; }}")
    return "\n".join(rules)


def tints(num_classes, lighten=0.6):
    """Light background tint (hex) of each class colour: ``lighten`` of the way towards white."""
    out = []
    for c in range(int(num_classes)):
        rgb = np.array(to_rgb(CLASS_COLORS[c % len(CLASS_COLORS)]))
        out.append(to_hex(rgb + (1.0 - rgb) * lighten))
    return out


def label_bytes(labels):
    """A label grid ``(R, R)`` (row 0 = bottom, -1 = tie) as ``R*R`` bytes, ties :data:`TIE_BYTE`."""
    labels = np.asarray(labels)
    if labels.ndim != 2 or labels.shape[0] != labels.shape[1]:
        raise ValueError(f"label_bytes: need a square (R, R) grid, got shape {labels.shape}")
    if labels.size and (labels.max() >= TIE_BYTE or labels.min() < -1):
        raise ValueError("label_bytes: labels must be in [-1, 254]")
    return np.where(labels < 0, TIE_BYTE, labels).astype(np.uint8).tobytes()


def nice_ticks(lo, hi, max_ticks=6):
    """As many round ticks (multiples of 1, 2 or 5 times a power of ten) in ``[lo, hi]`` as fit in ``max_ticks`` (>= 3)."""
    lo, hi, max_ticks = float(lo), float(hi), int(max_ticks)
    if not (math.isfinite(lo) and math.isfinite(hi)) or hi <= lo or max_ticks < 3:
        raise ValueError(f"nice_ticks: need finite lo < hi and max_ticks >= 3, got {lo}, {hi}, {max_ticks}")
    power = 10.0 ** (math.floor(math.log10((hi - lo) / max_ticks)) - 1)
    for step in (m * power * 10 ** e for e in range(4) for m in (1, 2, 5)):
        first, last = math.ceil(lo / step - 1e-9), math.floor(hi / step + 1e-9)
        if last - first + 1 <= max_ticks:
            return [round(i * step, 12) for i in range(first, last + 1)]
    raise AssertionError("unreachable: the largest step exceeds the range")


def curve_limits(xs, ys, min_x_span=10):
    """Axis limits ``((0, x_max), (0, y_max))`` for a curve of non-negative values such as a loss.

    Sensible from the first point on: the x axis spans at least ``min_x_span`` (5% beyond the last
    point) and the y axis is a bit above the largest value (1 when there are no positive values), so one point is never degenerate.
    """
    xs, ys = np.asarray(xs, dtype=float), np.asarray(ys, dtype=float)
    x_max = max(float(min_x_span), 1.05 * float(xs.max()) if xs.size else 0.0)  # room for the last marker
    finite = ys[np.isfinite(ys)]
    top = float(finite.max()) if finite.size else 0.0
    return (0.0, x_max), (0.0, 1.1 * top if top > 0 else 1.0)


def svg_tag(tag, inner="", **attrs):
    """One SVG element as a string, for the widgets that draw inline SVG in an ``ipywidgets.HTML``.

    Attribute names use ``_`` for ``-`` (``font_size`` -> ``font-size``); a trailing ``_`` is dropped
    (``class_`` -> ``class``); ``None`` values are left out; values are escaped. ``inner`` is markup
    (other elements) and is NOT escaped: pass text through ``html.escape`` first.
    """
    parts = [tag] + [f'{k.rstrip("_").replace("_", "-")}="{html.escape(f"{v:g}" if isinstance(v, float) else str(v))}"'
                     for k, v in attrs.items() if v is not None]
    return f"<{' '.join(parts)}>{inner}</{tag}>" if inner else f"<{' '.join(parts)}/>"
