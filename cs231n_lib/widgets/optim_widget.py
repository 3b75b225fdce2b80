"""Interactive optimizer playground: SGD, momentum, Nesterov, AdaGrad, RMSProp and Adam racing on a 2-D loss.

    from cs231n_lib.widgets import optimizer_demo
    optimizer_demo()                      # or optimizer_demo(surface="saddle", lr=0.05)

Controls: the surface (ravine, saddle, noisy minibatch least squares), which
optimizers race, the learning rate (log slider, 0.001 to 1), its schedule
(constant, step, cosine, linear warm-up, inverse sqrt), the number of steps,
the momentum ``mu`` (momentum and Nesterov), gradient noise (any surface), the
minibatch size (noisy surface) and a "new noise" button (another seed). Drag
the white start point, or click anywhere on the contour plot, to start the
race from there. "show step" (with a play button) replays the race step by step.

The left picture is the contour plot (bands of equal loss, finer near the
minimum, which is the gold star) with each optimizer's path; the right ones
are the loss against the iteration (log10 of the gap to the minimum, or the
loss itself) and the learning rate of each step. A path stops where it
diverged. Each change recomputes the whole race (a few ms to 20 ms for six
optimizers and 100 steps); the status line says how long the last update took.

The math is in :mod:`cs231n_lib.widgets.optim_math`; this file only wires controls to it and draws.
"""

from __future__ import annotations

import html
import time

import ipywidgets as widgets
import numpy as np
from matplotlib import colormaps
from matplotlib.colors import to_hex

from . import optim_math as om
from ._canvas import CurveView, PlaneView
from ._render import label_bytes, nice_ticks

__all__ = ["OptimizerDemo", "optimizer_demo"]

#: One colour per optimizer (the first five are the class colours of the other demos).
OPT_COLORS = {"sgd": "#e6194b", "momentum": "#3cb44b", "nesterov": "#4363d8", "adagrad": "#f58231",
              "rmsprop": "#911eb4", "adam": "#000000"}
NUM_LEVELS = 14
LOG_FLOOR = -8.0  # log10(loss - min) is drawn no lower than this
AXES = {"log": "log10(loss - min)", "linear": "loss"}


def _level_tints(n=NUM_LEVELS, lighten=0.55):
    cmap = colormaps["viridis"]
    return [to_hex(np.array(cmap(i / max(n - 1, 1))[:3]) * (1 - lighten) + lighten) for i in range(n)]


class OptimizerDemo(widgets.VBox):
    """The optimizer playground; itself a displayable ``VBox`` with public state for tests.

    ``results`` is the last :func:`optim_math.race` output; ``start`` the start point; ``last_update_s``
    how long the last recompute-and-draw took.
    """

    def __init__(self, surface="ravine", optimizers=("sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam"),
                 lr=None, schedule="constant", steps=100, start=None, mu=0.9, grad_noise=0.0, batch_size=10,
                 seed=0, plane_px=420):
        s = om.get_surface(surface)
        unknown = [o for o in optimizers if o not in om.OPTIMIZERS]
        if unknown:
            raise ValueError(f"optimizer_demo: unknown optimizers {unknown}; choose from {list(om.OPTIMIZERS)}")
        if schedule not in om.SCHEDULES:
            raise ValueError(f"optimizer_demo: unknown schedule {schedule!r}; choose from {list(om.SCHEDULES)}")
        self.resolution = int(plane_px)
        self.seed = int(seed)
        self.start = tuple(map(float, s.start if start is None else start))
        self.results = {}
        self.last_update_s = float("nan")
        self._contours = {}
        self._quiet = False

        style = {"description_width": "90px"}
        wide = widgets.Layout(width="330px")
        self.surface_w = widgets.Dropdown(options=[(v.label, k) for k, v in om.SURFACES.items()], value=surface,
                                          description="surface", style=style, layout=wide)
        self.lr_w = widgets.FloatLogSlider(value=s.lr if lr is None else lr, base=10, min=-3, max=0, step=0.05,
                                           description="learning rate", style=style, readout_format=".3",
                                           continuous_update=False, layout=wide)
        self.schedule_w = widgets.Dropdown(options=[(v, k) for k, v in om.SCHEDULES.items()], value=schedule,
                                           description="schedule", style=style, layout=wide)
        self.steps_w = widgets.IntSlider(value=steps, min=10, max=300, step=10, description="steps", style=style,
                                         continuous_update=False, layout=wide)
        self.mu_w = widgets.FloatSlider(value=mu, min=0.0, max=0.99, step=0.01, description="momentum",
                                        style=style, continuous_update=False, layout=wide)
        self.noise_w = widgets.FloatSlider(value=grad_noise, min=0.0, max=1.0, step=0.01, description="grad noise",
                                           style=style, continuous_update=False, layout=wide)
        self.batch_w = widgets.IntSlider(value=batch_size, min=1, max=om.SURFACES["noisy"].num_data,
                                         description="minibatch", style=style, continuous_update=False, layout=wide)
        self.reseed_btn = widgets.Button(description="new noise", icon="random")
        self.restart_btn = widgets.Button(description="default start", icon="undo")
        self.axis_w = widgets.ToggleButtons(options=[(v, k) for k, v in AXES.items()], value="log",
                                            style={"button_width": "140px"})
        self.opt_w = {k: widgets.Checkbox(value=k in optimizers, description=label, indent=False,
                                          layout=widgets.Layout(width="110px"))
                      for k, label in om.OPTIMIZERS.items()}
        swatch = lambda k: widgets.HTML(f"<span style='display:inline-block; width:18px; height:4px; "
                                        f"background:{OPT_COLORS[k]}; margin:14px 4px 0 0'></span>")
        self.frame_w = widgets.IntSlider(value=steps, min=0, max=steps, description="show step", style=style,
                                         layout=wide)
        self.play = widgets.Play(value=steps, min=0, max=steps, interval=60, show_repeat=False)
        widgets.jslink((self.play, "value"), (self.frame_w, "value"))
        self.plane_w = PlaneView(width=plane_px, height=plane_px + 20, grid=self.resolution, tints=_level_tints(),
                                 colors=["#ffffff"], point_radius=7, interactive=True,
                                 on_drag=self._on_drag, on_click=self._on_click)
        self.curve_w = CurveView(width=540, height=300, xlabel="iteration", title="loss")
        self.lr_curve_w = CurveView(width=540, height=150, xlabel="step", ylabel="lr", title="learning rate")
        self.status_w = widgets.HTML()
        for name, w in [("surface", self.surface_w), ("lr", self.lr_w), ("schedule", self.schedule_w),
                        ("steps", self.steps_w), ("mu", self.mu_w), ("noise", self.noise_w), ("batch", self.batch_w),
                        ("reseed", self.reseed_btn), ("restart", self.restart_btn), ("axis", self.axis_w),
                        ("frame", self.frame_w), ("play", self.play), ("figure", self.plane_w),
                        ("loss-curve", self.curve_w), ("lr-curve", self.lr_curve_w), ("status", self.status_w)]:
            w.add_class(f"cs231n-optim-{name}")
        for k, w in self.opt_w.items():
            w.add_class(f"cs231n-optim-use-{k}")

        super().__init__([
            widgets.HBox([widgets.VBox([self.surface_w, self.lr_w, self.schedule_w, self.steps_w]),
                          widgets.VBox([self.mu_w, self.noise_w, self.batch_w,
                                        widgets.HBox([self.reseed_btn, self.restart_btn])])]),
            widgets.HBox([widgets.HBox([swatch(k), w]) for k, w in self.opt_w.items()]),
            widgets.HBox([self.plane_w, widgets.VBox([self.axis_w, self.curve_w, self.lr_curve_w])]),
            widgets.HBox([self.frame_w, self.play]),
            self.status_w,
        ])
        self.add_class("cs231n-optim-demo")

        for w in [self.lr_w, self.schedule_w, self.steps_w, self.mu_w, self.noise_w, self.batch_w,
                  *self.opt_w.values()]:
            w.observe(lambda change: self.update(), names="value")
        self.surface_w.observe(self._on_surface, names="value")
        self.axis_w.observe(lambda change: self._draw(), names="value")
        self.frame_w.observe(lambda change: self._draw(), names="value")
        self.reseed_btn.on_click(lambda b: self.reseed())
        self.restart_btn.on_click(lambda b: self.set_start(*self.surface.start))
        self.update()

    # ----- state ---------------------------------------------------------------------------------
    @property
    def surface(self):
        return om.SURFACES[self.surface_w.value]

    @property
    def chosen(self):
        """The optimizers in the race, in :data:`optim_math.OPTIMIZERS` order."""
        return [k for k, w in self.opt_w.items() if w.value]

    def _on_surface(self, change):
        s = om.SURFACES[change.new]
        self.start = s.start
        self._quiet = True  # one update for the three changes
        try:
            self.lr_w.value = s.lr
        finally:
            self._quiet = False
        self.update()

    def _on_drag(self, index, x, y, done):
        self.set_start(x, y)

    def _on_click(self, x, y):
        self.set_start(x, y)

    def set_start(self, x, y):
        """Race from ``(x, y)`` (clamped to the plot)."""
        lo, hi = self.surface.bounds
        self.start = (float(np.clip(x, lo, hi)), float(np.clip(y, lo, hi)))
        self.update()

    def reseed(self):
        """Other minibatches and gradient noise."""
        self.seed += 1
        self.update()

    # ----- compute and draw ----------------------------------------------------------------------
    def update(self):
        """Rerun the race with the current controls and redraw everything."""
        if self._quiet:
            return
        t0 = time.perf_counter()
        s = self.surface
        self.batch_w.disabled = not s.stochastic
        self.reseed_btn.disabled = not (s.stochastic or self.noise_w.value > 0)
        steps = self.steps_w.value
        self.results = om.race(s, self.chosen, self.start, self.lr_w.value, self.schedule_w.value, steps,
                               seed=self.seed, batch_size=self.batch_w.value, grad_noise=self.noise_w.value,
                               mu=self.mu_w.value)
        self._quiet = True  # jump to the end of the new race without drawing twice
        try:
            self.frame_w.max = self.play.max = steps
            self.frame_w.value = self.play.value = steps
        finally:
            self._quiet = False
        self._draw()
        self.last_update_s = time.perf_counter() - t0
        self._status()

    def _contour(self, s):
        if s.key not in self._contours:
            lo, hi = s.bounds
            g = np.linspace(lo, hi, self.resolution)
            grid = np.stack(np.meshgrid(g, g), axis=-1)   # row 0 = bottom (y = lo)
            self._contours[s.key] = label_bytes(om.contour_levels(s.loss(grid), NUM_LEVELS))
        return self._contours[s.key]

    def _draw(self):
        if self._quiet:
            return
        s, frame = self.surface, self.frame_w.value
        lo, hi = s.bounds
        px = (hi - lo) / self.resolution
        segments = []
        for name, r in self.results.items():
            path = r["path"][:frame + 1]
            keep = path[om.thin_path(path, px)]
            color = OPT_COLORS[name]
            for a, b in zip(keep[:-1], keep[1:]):
                seg = om.clip_segment(a, b, lo, hi)
                if seg is not None:
                    segments.append({"x0": round(seg[0][0], 5), "y0": round(seg[0][1], 5), "x1": round(seg[1][0], 5),
                                     "y1": round(seg[1][1], 5), "color": color, "width": 2})
            end = path[-1]
            if lo <= end[0] <= hi and lo <= end[1] <= hi:  # a small cross where the optimizer is now
                d = 4 * px
                for ex, ey in ((d, d), (d, -d)):
                    segments.append({"x0": float(end[0] - ex), "y0": float(end[1] - ey), "x1": float(end[0] + ex),
                                     "y1": float(end[1] + ey), "color": color, "width": 2.5})
        with self.plane_w.hold_sync():
            self.plane_w.bounds = [lo, hi]
            self.plane_w.regions = self._contour(s)
            self.plane_w.segments = segments
            self.plane_w.points = [[self.start[0], self.start[1], 0]]
            self.plane_w.star = {"x": s.minimum[0], "y": s.minimum[1], "color": "#ffd700"}
            self.plane_w.title = f"{s.label}: drag the white start point or click"
        self._draw_curves(s, frame)

    def _draw_curves(self, s, frame):
        steps, log = self.steps_w.value, self.axis_w.value == "log"
        series, finite = [], []
        for name, r in self.results.items():
            loss = r["loss"][:frame + 1]
            y = np.log10(np.maximum(loss - s.min_loss, 10 ** LOG_FLOOR)) if log else loss
            finite.append(y[np.isfinite(y)])
            series.append({"x": list(range(len(y))), "y": [round(float(v), 6) for v in y], "color": OPT_COLORS[name],
                           "width": 2, "label": om.OPTIMIZERS[name]})
        start_loss = float(s.loss(np.array(self.start)))
        if log:
            allv = np.concatenate(finite) if finite else np.array([0.0])
            y0 = max(LOG_FLOOR, float(np.floor(allv.min()))) if allv.size else LOG_FLOOR
            y1 = float(np.ceil(np.log10(max(start_loss - s.min_loss, 10 ** LOG_FLOOR)) + 0.5))
            if y1 <= y0:
                y1 = y0 + 1
        else:
            y0, y1 = 0.0, 1.2 * max(start_loss, 1e-6)   # a diverging curve leaves through the top
        x1 = float(steps)
        with self.curve_w.hold_sync():
            self.curve_w.series = series
            self.curve_w.xlim, self.curve_w.ylim = [0.0, x1], [y0, y1]
            self.curve_w.xticks, self.curve_w.yticks = nice_ticks(0, x1), nice_ticks(y0, y1)
            self.curve_w.ylabel = AXES[self.axis_w.value]
        lrs = om.schedule_curve(self.schedule_w.value, self.lr_w.value, steps)
        top = 1.1 * float(lrs.max())
        with self.lr_curve_w.hold_sync():
            self.lr_curve_w.series = [{"x": list(range(steps)), "y": [float(v) for v in lrs], "color": "#333",
                                       "width": 2},
                                      {"x": [min(frame, steps - 1)], "y": [float(lrs[min(frame, steps - 1)])],
                                       "color": "#e6194b", "marker": 4, "width": 0}]
            self.lr_curve_w.xlim, self.lr_curve_w.ylim = [0.0, x1], [0.0, top]
            self.lr_curve_w.xticks, self.lr_curve_w.yticks = nice_ticks(0, x1), nice_ticks(0, top, 4)

    def _status(self):
        s = self.surface
        cells = []
        for name, r in self.results.items():
            gap = float(r["loss"][-1] - s.min_loss)
            what = (f"diverged at step {len(r['path'])}" if r["diverged"] else f"loss {r['loss'][-1]:.4g} "
                    f"(min + {gap:.2e})")
            cells.append(f"<span style='color:{OPT_COLORS[name]}; font-weight:bold'>{om.OPTIMIZERS[name]}</span> "
                         f"{html.escape(what)}")
        self.status_w.value = (
            f"<span style='font-size:90%'>start ({self.start[0]:.3f}, {self.start[1]:.3f}) &middot; "
            f"{self.steps_w.value} steps &middot; {' &middot; '.join(cells) or 'no optimizer chosen'} &middot; "
            f"updated in {1e3 * self.last_update_s:.0f} ms</span>")


def optimizer_demo(**kwargs):
    """Build the optimizer playground; display it by making it the last expression of a cell.

    Keyword arguments go to :class:`OptimizerDemo` (``surface``, ``optimizers``, ``lr``, ``schedule``, ``steps``,
    ``start``, ``mu``, ``grad_noise``, ``batch_size``, ``seed``).
    """
    return OptimizerDemo(**kwargs)
