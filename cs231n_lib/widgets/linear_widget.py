"""Interactive linear-classifier demo (after the Stanford CS231n web demo).

    from cs231n_lib.widgets import linear_classifier_demo
    linear_classifier_demo()

Three classes of 2-D points; ``W (3, 2)`` and ``b (3,)`` are editable and each
entry shows its current gradient. Choose the loss (Weston-Watkins, one-vs-all
or structured SVM, softmax), the step size and the L2 strength; take one
gradient step, run/stop continuous steps, randomize or reset the parameters.
The figure shows each class's score line ``w_c . x + b_c = 0`` (arrow: the
direction in which that score grows), the regions of the winning class, the
points (margin violators ringed) and the loss curve; the table lists every
point's scores and loss.

Step size and L2 strength are log-scale sliders. "Run" steps every
``interval_ms`` (100 ms) from a browser-side clock; the kernel only computes
(about 10 ms a step) and the browser draws the canvases (``canvas.js``), with the
regions computed at the canvas's own pixel resolution.

The math is in :mod:`cs231n_lib.widgets.linear_math` (gradients by torch
autograd); this file only wires controls to it and draws.
"""

from __future__ import annotations

import html
import time

import ipywidgets as widgets
import numpy as np

from . import linear_math as lm
from ._canvas import CurveView, PlaneView
from ._render import CLASS_COLORS, curve_limits, label_bytes, nice_ticks, tints
from .knn_math import make_grid

__all__ = ["LinearClassifierDemo", "linear_classifier_demo"]

BOUNDS = (-1.0, 1.0)

PARAM_NAMES = [f"W[{c},{d}]" for c in range(3) for d in range(2)] + [f"b[{c}]" for c in range(3)]


class LinearClassifierDemo(widgets.VBox):
    """The linear-classifier widget; itself a displayable ``VBox`` with public state for tests.

    ``X (N, 2)``, ``y (N,)`` -- the points (default: the Stanford demo's nine);
    ``W (3, 2)``, ``b (3,)`` -- starting parameters (default: the Stanford demo's).
    """

    def __init__(self, X=None, y=None, W=None, b=None, loss="svm_ww", step_size=0.1, reg=0.1,
                 interval_ms=100, plane_px=420, seed=0):
        self.X = np.array(lm.STANFORD_X if X is None else X, dtype=np.float64)
        self.y = np.array(lm.STANFORD_Y if y is None else y, dtype=np.int64)
        if self.X.ndim != 2 or self.X.shape[1] != 2 or self.y.shape != (len(self.X),):
            raise ValueError(f"linear_classifier_demo: X must be (N, 2) and y (N,); got {self.X.shape}, {self.y.shape}")
        if self.y.min() < 0 or self.y.max() > 2:
            raise ValueError("linear_classifier_demo: labels must be 0, 1 or 2 (three classes)")
        self._start = (np.array(lm.STANFORD_W if W is None else W, dtype=np.float64),
                       np.array(lm.STANFORD_B if b is None else b, dtype=np.float64))
        if self._start[0].shape != (3, 2) or self._start[1].shape != (3,):
            raise ValueError(f"linear_classifier_demo: W must be (3, 2) and b (3,); "
                             f"got {self._start[0].shape}, {self._start[1].shape}")
        self.W, self.b = self._start[0].copy(), self._start[1].copy()
        self.resolution = int(plane_px)  # one region cell per CSS pixel of the plot square
        self._grid = make_grid(self.resolution, BOUNDS)[2]
        self._rng = np.random.default_rng(seed)
        self.history = []
        self.iteration = 0
        self.last_update_s = float("nan")
        self._syncing = False
        self._interval_s = interval_ms / 1000
        self._last_tick_start = float("-inf")

        style = {"description_width": "80px"}
        self.loss_w = widgets.Dropdown(options=[(v, k) for k, v in lm.LOSSES.items()], value=loss,
                                       description="loss", style=style, layout=widgets.Layout(width="320px"))
        self.step_w = widgets.FloatLogSlider(value=step_size, base=10, min=-3, max=1, step=0.1,
                                             description="step size", style=style, readout_format=".3",
                                             continuous_update=False)
        self.reg_w = widgets.FloatLogSlider(value=reg, base=10, min=-4, max=1, step=0.1, description="L2 reg",
                                            style=style, readout_format=".3", continuous_update=False)
        self.step_btn = widgets.Button(description="single update", icon="step-forward")
        self.run_w = widgets.ToggleButton(value=False, description="run", icon="play")
        self.random_btn = widgets.Button(description="randomize", icon="random")
        self.reset_btn = widgets.Button(description="reset", icon="undo")
        # A Play widget is the clock for "run": its timer lives in the browser, each tick is one step.
        self.play = widgets.Play(value=0, min=0, max=10 ** 9, interval=int(interval_ms), show_repeat=False,
                                 layout=widgets.Layout(display="none"))
        self.param_w = [widgets.FloatText(step=0.1, layout=widgets.Layout(width="90px")) for _ in PARAM_NAMES]
        self.grad_w = [widgets.HTML() for _ in PARAM_NAMES]
        self.plane_w = PlaneView(width=plane_px, height=plane_px + 20, smooth=True, show_index=True,
                                 grid=self.resolution, tints=tints(3, lighten=0.75), point_radius=7)
        self.curve_w = CurveView(width=360, height=320, xlabel="iteration", ylabel="loss", title="loss curve")
        self.table_w = widgets.HTML()
        self.status_w = widgets.HTML()
        for name, w in [("loss", self.loss_w), ("step", self.step_w), ("reg", self.reg_w), ("update", self.step_btn),
                        ("run", self.run_w), ("randomize", self.random_btn), ("reset", self.reset_btn),
                        ("figure", self.plane_w), ("loss-curve", self.curve_w), ("table", self.table_w),
                        ("status", self.status_w)]:
            w.add_class(f"cs231n-linear-{name}")

        super().__init__([
            widgets.HBox([self.loss_w, self.step_w, self.reg_w]),
            widgets.HBox([self.step_btn, self.run_w, self.random_btn, self.reset_btn, self.play]),
            self._parameter_grid(),
            widgets.HBox([self.plane_w, self.curve_w]), self.status_w, self.table_w,
        ])
        self.add_class("cs231n-linear-demo")

        for i, w in enumerate(self.param_w):
            w.observe(lambda change, i=i: self._on_param_edit(i, change.new), names="value")
        self.loss_w.observe(lambda change: self._restart_history(), names="value")
        self.reg_w.observe(lambda change: self._restart_history(), names="value")
        self.step_btn.on_click(lambda b: self.step())
        self.random_btn.on_click(lambda b: self.randomize())
        self.reset_btn.on_click(lambda b: self.reset())
        self.run_w.observe(self._on_run, names="value")
        self.play.observe(lambda change: self._on_tick(), names="value")
        self._restart_history()

    def _parameter_grid(self):
        header = [widgets.HTML("<b>class</b>")] + [widgets.HTML(f"<b>{h}</b>") for h in ("W[c,0]", "W[c,1]", "b[c]")]
        cells = list(header)
        for c in range(3):
            color = CLASS_COLORS[c]
            cells.append(widgets.HTML(f"<span style='color:{color}; font-weight:bold'>class {c}</span>"))
            for i in (2 * c, 2 * c + 1, 6 + c):
                cells.append(widgets.VBox([self.param_w[i], self.grad_w[i]]))
        return widgets.GridBox(cells, layout=widgets.Layout(grid_template_columns="80px 110px 110px 110px",
                                                            grid_gap="2px 6px"))

    # ----- state changes -------------------------------------------------------------------------
    @property
    def params(self):
        """All nine parameters as one vector, in ``PARAM_NAMES`` order."""
        return np.concatenate([self.W.ravel(), self.b])

    def _set_params(self, vector):
        self.W, self.b = np.asarray(vector[:6]).reshape(3, 2).copy(), np.asarray(vector[6:]).copy()

    def _on_param_edit(self, i, value):
        if self._syncing:
            return
        p = self.params
        p[i] = float(value)
        self._set_params(p)
        self.update()

    def _on_run(self, change):
        self.run_w.description, self.run_w.icon = ("stop", "stop") if change.new else ("run", "play")
        self.play.playing = bool(change.new)

    def _on_tick(self):
        """One tick of the browser's Play clock while running: one step, unless the last step *started*
        less than half an interval ago (ticks that bunched up while the kernel or the browser was busy).

        Counting from the start, not the end, of the last step matters: the widget manager holds a
        tick back while the kernel is busy and sends it the moment the step ends, and such a tick is
        on time. Ticks after "stop" are ignored, so stop stops at once."""
        now = time.perf_counter()
        if not self.run_w.value or now - self._last_tick_start < 0.5 * self._interval_s:
            return
        self._last_tick_start = now
        self.step()

    def _restart_history(self):
        self.history = []
        self.iteration = 0
        self.update(record=True)

    def step(self, n=1):
        """``n`` gradient-descent steps with the current loss, step size and L2 strength."""
        for _ in range(int(n)):
            r = lm.objective(self.W, self.b, self.X, self.y, self.loss_w.value, self.reg_w.value)
            self.W, self.b = lm.sgd_step(self.W, self.b, r["dW"], r["db"], self.step_w.value)
            self.iteration += 1
        self.update(record=True)

    def randomize(self):
        """Random parameters; the loss curve restarts."""
        self.W, self.b = lm.random_parameters(seed=self._rng)
        self._restart_history()

    def reset(self):
        """Back to the starting parameters; the loss curve restarts."""
        self.W, self.b = self._start[0].copy(), self._start[1].copy()
        self._restart_history()

    # ----- compute and draw ----------------------------------------------------------------------
    def update(self, record=False):
        """Recompute loss and gradients, refresh every view; ``record`` appends to the loss curve."""
        t0 = time.perf_counter()
        kind = self.loss_w.value
        self.result = r = lm.objective(self.W, self.b, self.X, self.y, kind, self.reg_w.value)
        self.violators = lm.violators(r["scores"], self.y, kind, r["per_point"])
        if record:
            self.history.append((self.iteration, r["loss"], r["data_loss"]))
        grads = np.concatenate([r["dW"].ravel(), r["db"]])
        self._syncing = True
        try:
            for w, g, v, gv in zip(self.param_w, self.grad_w, self.params, grads):
                w.value = round(float(v), 4)
                g.value = f"<span style='font-size:85%; color:#555'>grad {gv:+.4f}</span>"
        finally:
            self._syncing = False
        self._draw()
        self.table_w.value = self._table()
        self.last_update_s = time.perf_counter() - t0
        acc = 100 * float(np.mean(np.argmax(r["scores"], axis=1) == self.y))
        self.status_w.value = (
            f"<span style='font-size:90%'>iteration {self.iteration} &middot; total loss <b>{r['loss']:.4f}</b> "
            f"= data {r['data_loss']:.4f} + L2 {r['reg_loss']:.4f} &middot; training accuracy {acc:.0f}% "
            f"&middot; {int(self.violators.sum())} of {len(self.y)} points violate "
            f"{'(misclassified)' if kind == 'softmax' else 'a margin'} &middot; updated in "
            f"{1e3 * self.last_update_s:.0f} ms</span>")

    def _draw(self):
        regions = lm.predict(self.W, self.b, self._grid).reshape(self.resolution, self.resolution)
        segments = []
        for c in range(3):
            seg = lm.boundary_segment(self.W[c], self.b[c], BOUNDS)
            if seg is None:
                continue
            mid, w = seg.mean(axis=0), self.W[c] / max(np.linalg.norm(self.W[c]), 1e-12)
            tip = mid + 0.15 * w
            segments += [{"x0": seg[0, 0], "y0": seg[0, 1], "x1": seg[1, 0], "y1": seg[1, 1],
                          "color": CLASS_COLORS[c], "width": 2},
                         {"x0": mid[0], "y0": mid[1], "x1": tip[0], "y1": tip[1], "color": CLASS_COLORS[c],
                          "width": 2, "arrow": True}]
        with self.plane_w.hold_sync():
            self.plane_w.regions = label_bytes(regions)
            self.plane_w.segments = [{k: (float(v) if isinstance(v, np.floating) else v) for k, v in s.items()}
                                     for s in segments]
            self.plane_w.points = [[float(px), float(py), int(c)] for (px, py), c in zip(self.X, self.y)]
            self.plane_w.rings = [int(i) for i in np.flatnonzero(self.violators)]
            self.plane_w.title = f"{lm.LOSSES[self.loss_w.value]}: rings = violators"

        it, total, data = (np.array(col, dtype=float) for col in zip(*self.history)) if self.history else ([],) * 3
        (x0, x1), (y0, y1) = curve_limits(it, total)
        with self.curve_w.hold_sync():
            self.curve_w.series = [
                {"x": list(map(float, it)), "y": list(map(float, total)), "color": "black", "marker": 2.5,
                 "label": "total"},
                {"x": list(map(float, it)), "y": list(map(float, data)), "color": "#888", "dash": True,
                 "label": "data"}]
            self.curve_w.xlim, self.curve_w.ylim = [x0, x1], [y0, y1]
            self.curve_w.xticks, self.curve_w.yticks = nice_ticks(x0, x1), nice_ticks(y0, y1)

    def _table(self):
        r = self.result
        head = "".join(f"<th style='padding:0 6px'>{h}</th>" for h in
                       ["#", "x1", "x2", "y", "s0", "s1", "s2", "loss L_i"])
        rows = []
        for i in range(len(self.y)):
            style = " style='background:#ffe0e0'" if self.violators[i] else ""
            cells = [str(i), f"{self.X[i, 0]:.2f}", f"{self.X[i, 1]:.2f}",
                     f"<span style='color:{CLASS_COLORS[self.y[i]]}; font-weight:bold'>{self.y[i]}</span>"]
            cells += [f"{s:.2f}" for s in r["scores"][i]] + [f"{r['per_point'][i]:.3f}"]
            rows.append(f"<tr{style}>" + "".join(f"<td style='padding:0 6px; text-align:right'>{c}</td>"
                                                  for c in cells) + "</tr>")
        caption = html.escape(f"mean data loss {r['data_loss']:.4f}; shaded rows: violators")
        return (f"<table style='font-family:monospace; font-size:85%'><caption>{caption}</caption>"
                f"<tr>{head}</tr>{''.join(rows)}</table>")


def linear_classifier_demo(**kwargs):
    """Build the linear-classifier widget; display it by making it the last expression of a cell.

    Keyword arguments go to :class:`LinearClassifierDemo` (``loss``, ``step_size``, ``reg``, ``X``, ``y``, ``W``, ``b``).
    """
    return LinearClassifierDemo(**kwargs)
