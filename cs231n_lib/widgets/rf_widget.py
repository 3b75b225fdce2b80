"""Interactive receptive-field view: which input pixels one unit of a conv/pool stack sees.

    from cs231n_lib.widgets import receptive_field_demo
    receptive_field_demo()               # or receptive_field_demo(preset="dilated", size=48)

Start from a preset stack (three 3x3 convs, VGG-style conv-conv-pool, strided, dilated, ten convs),
add layers (3x3 convs with stride 1 or 2 or dilation 2 or 4, 2x2 poolings) or remove the last one, and
choose the input size. Click a unit of the last layer (right picture): the left picture shades every
input pixel by the number of paths that lead from it to the unit (all weights one, so this is the
gradient of the unit with respect to the input), outlines the theoretical receptive field (orange;
it may reach into the padding) and the square that holds 95% of the paths (green, the effective
receptive field). The table gives every layer's units ``n``, jump ``j``, receptive field ``r`` and
start (the centre of the first unit's field, in input pixels), each computed from the layer below with
``r_out = r_in + (k-1) j_in``, ``j_out = j_in s`` and ``start_out = start_in + ((k-1)/2 - pad) j_in``.

Two canvas views (``_canvas.PlaneView``) and an HTML table; the math is in
:mod:`cs231n_lib.widgets.rf_math`. The status line shows how long the last update took.
"""

from __future__ import annotations

import html
import time

import ipywidgets as widgets
import numpy as np
from matplotlib import colormaps
from matplotlib.colors import to_hex

from . import rf_math as rm
from ._canvas import PlaneView
from ._render import label_bytes

__all__ = ["ReceptiveFieldDemo", "receptive_field_demo", "layer_table_html"]

LEVELS, MASS = 48, 0.95
#: Label 0 = no path (white), then LEVELS shades of growing path count.
PATH_TINTS = ["#ffffff"] + [to_hex(colormaps["Blues"](v)[:3]) for v in np.linspace(0.2, 1.0, LEVELS)]
UNIT_TINTS = ["#eeeeee", "#dddddd", "#e6194b"]  # checkerboard of units, the chosen one
THEORY_COLOR, EFFECTIVE_COLOR = "#f58231", "#3cb44b"
ADDABLE = {
    "conv": ("conv 3x3, stride 1", rm.conv()),
    "conv_s2": ("conv 3x3, stride 2", rm.conv(s=2)),
    "conv_d2": ("conv 3x3, dilation 2", rm.conv(d=2)),
    "conv_d4": ("conv 3x3, dilation 4", rm.conv(d=4)),
    "pool": ("pool 2x2, stride 2", rm.pool()),
}


def _fmt(v):
    return f"{v:g}"


def layer_table_html(rows):
    """The per-layer table of :func:`rf_math.rf_table` rows, each value with the formula that gave it."""
    head = ("<tr><th>#</th><th>layer</th><th>k<sub>eff</sub></th><th>pad</th><th>units n</th>"
            "<th>jump j = j<sub>in</sub>&middot;s</th><th>receptive field r = r<sub>in</sub> + (k<sub>eff</sub>-1)"
            "&middot;j<sub>in</sub></th><th>start = start<sub>in</sub> + ((k<sub>eff</sub>-1)/2 - pad)&middot;j<sub>in</sub>"
            "</th></tr>")
    body = [f"<tr><td>0</td><td>input</td><td></td><td></td><td>{rows[0].n}</td><td>1</td><td>1</td><td>0</td></tr>"]
    for i, (prev, row) in enumerate(zip(rows, rows[1:]), 1):
        layer = row.layer
        body.append(
            f"<tr class='cs231n-rf-row'><td>{i}</td><td>{html.escape(layer.label)}</td><td>{layer.extent}</td>"
            f"<td>{layer.pad}</td><td>{row.n}</td><td>{prev.j}&middot;{layer.s} = {row.j}</td>"
            f"<td>{prev.r} + {layer.extent - 1}&middot;{prev.j} = <b>{row.r}</b></td>"
            f"<td>{_fmt(prev.start)} + ({_fmt((layer.extent - 1) / 2)} - {layer.pad})&middot;{prev.j} = "
            f"{_fmt(row.start)}</td></tr>")
    return ("<table style='border-collapse:collapse; font-size:90%' border='1' cellpadding='3'>"
            + head + "".join(body) + "</table>")


class ReceptiveFieldDemo(widgets.VBox):
    """The receptive-field view; itself a displayable ``VBox`` with public state for tests.

    ``layers`` is the stack, ``rows`` its :func:`rf_math.rf_table`, ``unit`` the chosen unit of the last
    layer, ``counts`` its path counts over the input, ``effective`` the ``(side, std)`` of
    :func:`rf_math.effective_rf`; ``last_update_s`` how long the last update took.
    """

    def __init__(self, preset="vgg", size=32, layers=None, unit=None, view_px=360):
        if preset not in rm.PRESETS:
            raise ValueError(f"receptive_field_demo: unknown preset {preset!r}; choose one of {list(rm.PRESETS)}")
        self.layers = list(rm.PRESETS[preset][1] if layers is None else layers)
        self.unit = unit
        self.last_update_s = float("nan")
        self.rows, self.counts, self.effective = [], None, (0, 0.0)
        style = {"description_width": "80px"}
        self.preset_w = widgets.Dropdown(options=[(label, key) for key, (label, _) in rm.PRESETS.items()],
                                         value=preset, description="start from", style=style,
                                         layout=widgets.Layout(width="380px"))
        self.size_w = widgets.IntSlider(value=size, min=8, max=64, description="input size", style=style,
                                        continuous_update=False)
        self.add_kind_w = widgets.Dropdown(options=[(label, key) for key, (label, _) in ADDABLE.items()],
                                           value="conv", description="new layer", style=style)
        self.add_btn = widgets.Button(description="add layer", icon="plus")
        self.remove_btn = widgets.Button(description="remove last", icon="minus")
        self.message_w = widgets.HTML()
        self.table_w = widgets.HTML()
        self.input_view = PlaneView(width=view_px, height=view_px + 20, tints=PATH_TINTS)
        self.output_view = PlaneView(width=view_px, height=view_px + 20, tints=UNIT_TINTS, interactive=True,
                                     on_click=self._on_click)
        self.status_w = widgets.HTML()
        for name, w in [("preset", self.preset_w), ("size", self.size_w), ("add-kind", self.add_kind_w),
                        ("add", self.add_btn), ("remove", self.remove_btn), ("message", self.message_w),
                        ("table", self.table_w), ("input-view", self.input_view),
                        ("output-view", self.output_view), ("status", self.status_w)]:
            w.add_class(f"cs231n-rf-{name}")
        legend = widgets.HTML(
            f"<span style='font-size:90%'>left: input pixels shaded by the number of paths to the chosen unit; "
            f"<span style='color:{THEORY_COLOR}; font-weight:bold'>theoretical receptive field</span>, "
            f"<span style='color:{EFFECTIVE_COLOR}; font-weight:bold'>square holding {MASS:.0%} of the paths "
            f"(effective)</span>. Right: the last layer's units; click one.</span>")
        super().__init__([
            widgets.HBox([self.preset_w, self.size_w]),
            widgets.HBox([self.add_kind_w, self.add_btn, self.remove_btn]),
            self.message_w, self.table_w, legend,
            widgets.HBox([self.input_view, self.output_view]),
            self.status_w,
        ])
        self.add_class("cs231n-rf-demo")
        self.preset_w.observe(self._on_preset, names="value")
        self.size_w.observe(self._on_size, names="value")
        self.add_btn.on_click(lambda b: self.add_layer(ADDABLE[self.add_kind_w.value][1]))
        self.remove_btn.on_click(lambda b: self.remove_layer())
        self.update()

    # ----- state -----------------------------------------------------------------------------------
    def _on_preset(self, change):
        self.layers = list(rm.PRESETS[change.new][1])
        self.unit = None
        self.update()

    def _on_size(self, change):
        self.unit = None  # the centre unit of the new size
        self.update()

    def add_layer(self, layer):
        """Put ``layer`` on top of the stack, unless it no longer fits the input (then say so)."""
        problems = rm.stack_errors(self.layers + [layer], self.size_w.value)
        if problems:
            self.message_w.value = f"<span style='color:#cf222e'>not added: {html.escape(problems[0])}</span>"
            return
        self.layers.append(layer)
        self.unit = None
        self.update(message=f"added {layer.label}")

    def remove_layer(self):
        if self.layers:
            removed = self.layers.pop()
            self.unit = None
            self.update(message=f"removed {removed.label}")

    def _on_click(self, x, y):
        n = self.rows[-1].n if self.rows else 0
        if n:
            self.select(n - 1 - min(int(y), n - 1), min(int(x), n - 1))

    def select(self, row, col):
        """Show unit ``(row, col)`` of the last layer."""
        self.unit = (int(row), int(col))
        self.update()

    # ----- compute and draw ------------------------------------------------------------------------
    def update(self, message=""):
        t0 = time.perf_counter()
        size = self.size_w.value
        self.remove_btn.disabled = not self.layers
        problems = rm.stack_errors(self.layers, size)
        if problems:
            self.rows, self.counts, self.effective = [], None, (0, 0.0)
            self.message_w.value = f"<span style='color:#cf222e'>{html.escape(problems[0])}</span>"
            self.table_w.value = ""
            with self.input_view.hold_sync(), self.output_view.hold_sync():
                self.input_view.regions = self.output_view.regions = b""
                self.input_view.segments = []
            self.status_w.value = "<span style='font-size:90%'>the stack does not fit this input</span>"
            return
        self.message_w.value = f"<span style='font-size:90%'>{html.escape(message)}</span>" if message else ""
        self.rows = rows = rm.rf_table(self.layers, size)
        n = rows[-1].n
        if self.unit is None or not (0 <= self.unit[0] < n and 0 <= self.unit[1] < n):
            self.unit = (n // 2, n // 2)
        self.counts = rm.path_counts(self.layers, size, self.unit)
        self.effective = rm.effective_rf(self.counts, MASS)
        self.table_w.value = layer_table_html(rows)
        self._draw(size, n)
        self.last_update_s = time.perf_counter() - t0
        self._status(size, n)

    def _draw(self, size, n):
        peak = self.counts.max()
        shade = np.where(self.counts > 0, 1 + np.minimum((self.counts / peak * LEVELS).astype(int), LEVELS - 1), 0)
        box = rm.field_box(self.rows, self.unit)
        side = self.effective[0]
        cy, cx = rm.centroid(self.counts)
        half = (side - 1) // 2
        effective_box = (cy - half, cx - half, cy + half, cx + half)
        with self.input_view.hold_sync():
            self.input_view.bounds = [0.0, float(size)]
            self.input_view.grid = size
            self.input_view.regions = label_bytes(shade[::-1])
            self.input_view.segments = (self._square(box, size, THEORY_COLOR, 2.5)
                                        + self._square(effective_box, size, EFFECTIVE_COLOR, 2))
            self.input_view.title = f"input {size}x{size}: paths to unit {self.unit}"
        units = (np.add.outer(np.arange(n), np.arange(n)) % 2).astype(int)
        units[self.unit] = 2
        with self.output_view.hold_sync():
            self.output_view.bounds = [0.0, float(n)]
            self.output_view.grid = n
            self.output_view.regions = label_bytes(units[::-1])
            self.output_view.title = f"layer {len(self.layers)}: {n}x{n} units, click one"

    @staticmethod
    def _square(box, size, color, width):
        """The four sides of pixel box ``(top, left, bottom, right)`` (inclusive) in plot coordinates, clipped."""
        top, left, bottom, right = box
        x0, x1 = max(left, 0), min(right + 1, size)
        y0, y1 = size - min(bottom + 1, size), size - max(top, 0)
        if x0 >= x1 or y0 >= y1:
            return []
        corners = [(x0, y0), (x1, y0), (x1, y1), (x0, y1), (x0, y0)]
        return [{"x0": float(a[0]), "y0": float(a[1]), "x1": float(b[0]), "y1": float(b[1]), "color": color,
                 "width": width} for a, b in zip(corners[:-1], corners[1:])]

    def _status(self, size, n):
        last = self.rows[-1]
        top, left, bottom, right = rm.field_box(self.rows, self.unit)
        inside = np.count_nonzero(self.counts)
        side, std = self.effective
        clipped = top < 0 or left < 0 or bottom >= size or right >= size
        self.status_w.value = (
            f"<span style='font-size:90%'>unit (row {self.unit[0]}, col {self.unit[1]}) of {n}x{n} &middot; "
            f"theoretical receptive field {last.r}x{last.r} (rows {top}..{bottom}, cols {left}..{right}"
            f"{', partly in the padding' if clipped else ''}) &middot; {inside} input pixels reach it, "
            f"up to {int(self.counts.max())} paths each &middot; effective: {MASS:.0%} of the paths within "
            f"{side}x{side} (std {std:.2f} px), {side / last.r:.0%} of the theoretical side &middot; "
            f"updated in {1e3 * self.last_update_s:.0f} ms</span>")


def receptive_field_demo(**kwargs):
    """Build the receptive-field view; display it by making it the last expression of a cell.

    Keyword arguments go to :class:`ReceptiveFieldDemo` (``preset``, ``size``, ``layers``, ``unit``).
    """
    return ReceptiveFieldDemo(**kwargs)
