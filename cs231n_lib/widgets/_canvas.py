"""Canvas views for the demos: anywidget models drawn by the small ES module ``canvas.js``.

``PlaneView`` shows a label grid as tinted regions plus points, line segments (optionally with an
arrow head), rings around chosen points and a probe star. With ``interactive`` set, points can be
dragged with the mouse and a click on empty space reports its position; the view calls
``on_drag(index, x, y, done)`` and ``on_click(x, y)``. While a point is dragged the browser moves it
at once and keeps one position message in flight (the next goes when the kernel has handled the
last), so the regions follow as fast as the kernel computes them and never lag behind a queue. ``CurveView`` draws line plots on axes whose
limits and ticks the kernel chooses. The browser draws; the kernel computes every value it is sent.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import anywidget
import traitlets as t

from ._render import CLASS_COLORS

_ESM = Path(__file__).with_name("canvas.js")
if not _ESM.is_file():  # a wheel built without package data
    raise ImportError(f"{_ESM} is missing: install cs231n-lib editable (pip install -e .) or build it with "
                      "package data cs231n_lib.widgets/*.js")


class _CanvasView(anywidget.AnyWidget):
    _esm = _ESM
    width = t.Int(420).tag(sync=True)
    height = t.Int(440).tag(sync=True)
    title = t.Unicode("").tag(sync=True)

    def state_digest(self):
        """SHA-256 of everything the view draws (tests use it as "the picture")."""
        state = {name: getattr(self, name) for name in self.trait_names(sync=True) if not name.startswith("_")}
        blob = {k: (v.hex() if isinstance(v, bytes) else v) for k, v in state.items()}
        return hashlib.sha256(json.dumps(blob, sort_keys=True, default=str).encode()).hexdigest()


class PlaneView(_CanvasView):
    _view = t.Unicode("plane").tag(sync=True)
    bounds = t.List([-1.0, 1.0]).tag(sync=True)
    regions = t.Bytes(b"").tag(sync=True)          # label grid from _render.label_bytes
    grid = t.Int(0).tag(sync=True)                 # its side length
    tints = t.List([]).tag(sync=True)              # region colour per label
    tie_color = t.Unicode("#ffffff").tag(sync=True)
    smooth = t.Bool(False).tag(sync=True)          # interpolate the region image when scaling it
    points = t.List([]).tag(sync=True)             # [[x, y, class], ...]
    colors = t.List(list(CLASS_COLORS)).tag(sync=True)
    point_radius = t.Int(6).tag(sync=True)
    rings = t.List([]).tag(sync=True)              # indices of ringed points
    segments = t.List([]).tag(sync=True)           # [{x0, y0, x1, y1, color, width, arrow}, ...]
    star = t.Dict(None, allow_none=True).tag(sync=True)  # {x, y, color}
    show_index = t.Bool(False).tag(sync=True)
    interactive = t.Bool(False).tag(sync=True)

    def __init__(self, on_drag=None, on_click=None, **kwargs):
        super().__init__(**kwargs)
        self.on_drag, self.on_click = on_drag, on_click
        self.on_msg(self._receive)

    def _receive(self, _widget, content, _buffers):
        event = content.get("event")
        if event == "drag":
            if self.on_drag is not None:
                self.on_drag(int(content["index"]), float(content["x"]), float(content["y"]), bool(content["done"]))
            self.send({"event": "drag-handled"})  # the browser sends the next position only after this
        elif event == "click" and self.on_click is not None:
            self.on_click(float(content["x"]), float(content["y"]))


class CurveView(_CanvasView):
    _view = t.Unicode("curve").tag(sync=True)
    height = t.Int(300).tag(sync=True)
    series = t.List([]).tag(sync=True)             # [{x: [...], y: [...], color, width, dash, marker, label}, ...]
    xlim = t.List([0.0, 1.0]).tag(sync=True)
    ylim = t.List([0.0, 1.0]).tag(sync=True)
    xticks = t.List([]).tag(sync=True)
    yticks = t.List([]).tag(sync=True)
    xlabel = t.Unicode("").tag(sync=True)
    ylabel = t.Unicode("").tag(sync=True)
