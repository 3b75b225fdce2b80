"""Off-screen drawing shared by the widgets: a matplotlib Figure rendered with
the Agg backend to PNG bytes for an ``ipywidgets.Image``.

No pyplot state is touched, so widgets never open windows or leak figures.
"""

from __future__ import annotations

import io

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import to_rgb
from matplotlib.figure import Figure

#: One colour per class (up to 5 classes), as in the Stanford demos: red, green, blue, ...
CLASS_COLORS = ["#e6194b", "#3cb44b", "#4363d8", "#f58231", "#911eb4"]


def new_figure(width_in, height_in, dpi=80):
    """A Figure attached to an Agg canvas (no pyplot)."""
    fig = Figure(figsize=(width_in, height_in), dpi=dpi)
    FigureCanvasAgg(fig)
    return fig


def figure_to_png(fig):
    """PNG bytes of ``fig``."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return buf.getvalue()


def label_image(labels, num_classes, tie_color="white", lighten=0.6):
    """RGB image ``(H, W, 3)`` for a label grid ``(H, W)``: each class a light tint, -1 (tie) ``tie_color``."""
    labels = np.asarray(labels)
    palette = np.array([to_rgb(CLASS_COLORS[c % len(CLASS_COLORS)]) for c in range(num_classes)])
    palette = palette + (1.0 - palette) * lighten
    out = np.empty(labels.shape + (3,))
    out[...] = to_rgb(tie_color)
    known = labels >= 0
    out[known] = palette[labels[known]]
    return out
