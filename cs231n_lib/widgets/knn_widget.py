"""Interactive k-nearest-neighbour demo (after the Stanford CS231n web demo).

    from cs231n_lib.widgets import knn_demo
    knn_demo()                                  # built-in math
    knn_demo(classifier=KNearestNeighbor)       # your class from the kNN notebook

Controls: metric L1/L2, K (1-7), number of classes (2-5) and points (20-60),
regenerate; a query probe (x/y sliders) that shows its K nearest neighbours;
add a point of a chosen class at the probe, or remove the point nearest to it.
On the picture: drag a training point to move it, click empty space to add a
point of the class chosen in the dropdown. The left panel shades the plane by
predicted class (ties white); the right panel is the accuracy on held-out
points from the same clusters for every K.

The math is in :mod:`cs231n_lib.widgets.knn_math`; this file only wires
controls to it and draws.
"""

from __future__ import annotations

import html
import time

import ipywidgets as widgets
import numpy as np

from . import knn_math
from ._canvas import CurveView, PlaneView
from ._render import CLASS_COLORS, class_options, class_select_css, label_bytes, nice_ticks, tints

__all__ = ["KNNDemo", "knn_demo"]

K_VALUES = tuple(range(1, 8))


class _StudentPredictor:
    """Wraps a class (or instance) with the graded API: ``train(X, y)``, ``predict(X, k=1, num_loops=0)``."""

    def __init__(self, classifier):
        for name in ("train", "predict"):
            if not callable(getattr(classifier, name, None)):
                raise TypeError(f"knn_demo(classifier=...): {classifier!r} has no method {name}(); pass a class "
                                "with train(X, y) and predict(X, k=1, num_loops=0), e.g. your KNearestNeighbor")
        self.classifier = classifier
        self.name = getattr(classifier, "__name__", type(classifier).__name__)

    def __call__(self, X_query, X_train, y_train, k):
        model = self.classifier() if isinstance(self.classifier, type) else self.classifier
        model.train(X_train, y_train)
        pred = np.asarray(model.predict(X_query, k=k, num_loops=0))
        if pred.shape != (len(X_query),):
            raise ValueError(f"{self.name}.predict returned shape {pred.shape}, expected ({len(X_query)},)")
        return pred.astype(np.int64)


class KNNDemo(widgets.VBox):
    """The kNN widget. It is itself a displayable ``VBox``; its state is public for tests.

    ``classifier`` -- optional class with the graded ``KNearestNeighbor`` API
    (L2 only): it draws the L2 picture; L1 always uses the built-in math, and a
    note under the figure says which was used.
    """

    def __init__(self, classifier=None, num_points=40, num_classes=3, k=1, metric="L2", seed=0,
                 resolution=120, num_val=200):
        self._student = _StudentPredictor(classifier) if classifier is not None else None
        self.resolution = int(resolution)
        self.num_val = int(num_val)
        self.seed = int(seed)
        self.last_update_s = float("nan")
        self.note = ""

        style = {"description_width": "70px"}
        self.metric_w = widgets.ToggleButtons(options=["L1", "L2"], value=metric, style={"button_width": "60px"})
        self.k_w = widgets.IntSlider(value=k, min=1, max=7, description="K", style=style, continuous_update=False)
        self.classes_w = widgets.IntSlider(value=num_classes, min=2, max=5, description="classes", style=style,
                                           continuous_update=False)
        self.points_w = widgets.IntSlider(value=num_points, min=20, max=60, description="points", style=style,
                                          continuous_update=False)
        self.regen_w = widgets.Button(description="regenerate", icon="refresh")
        self.probe_w = widgets.Checkbox(value=False, description="show query probe", indent=False)
        self.px_w = widgets.FloatSlider(value=0.0, min=-1, max=1, step=0.02, description="probe x", style=style)
        self.py_w = widgets.FloatSlider(value=0.0, min=-1, max=1, step=0.02, description="probe y", style=style)
        self.add_class_w = widgets.Dropdown(description="new point", style=style,
                                            layout=widgets.Layout(width="200px"))
        self.add_w = widgets.Button(description="add point at probe", layout=widgets.Layout(width="160px"))
        self.remove_w = widgets.Button(description="remove point nearest probe", layout=widgets.Layout(width="220px"))
        self.plane_w = PlaneView(on_drag=self._on_drag, on_click=self._on_click, interactive=True,
                                 width=440, height=460)
        self.curve_w = CurveView(width=300, height=300, xlabel="K", ylabel="held-out accuracy (%)",
                                 xlim=[0.5, max(K_VALUES) + 0.5], ylim=[0, 100], xticks=list(K_VALUES),
                                 yticks=nice_ticks(0, 100))
        self.status_w = widgets.HTML()
        for name, w in [("metric", self.metric_w), ("k", self.k_w), ("classes", self.classes_w),
                        ("points", self.points_w), ("regenerate", self.regen_w), ("probe", self.probe_w),
                        ("probe-x", self.px_w), ("probe-y", self.py_w), ("add-class", self.add_class_w),
                        ("add", self.add_w), ("remove", self.remove_w), ("figure", self.plane_w),
                        ("accuracy", self.curve_w), ("status", self.status_w)]:
            w.add_class(f"cs231n-knn-{name}")  # stable selectors for the browser test

        controls = widgets.VBox([
            widgets.HBox([widgets.Label("metric", layout=widgets.Layout(width="74px")), self.metric_w, self.regen_w]),
            widgets.HBox([self.k_w, self.classes_w, self.points_w]),
            widgets.HBox([self.probe_w, self.px_w, self.py_w]),
            widgets.HBox([self.add_class_w, self.add_w, self.remove_w]),
            widgets.HTML(f"<style>{class_select_css('cs231n-knn-add-class')}</style>"
                         "<span style='font-size:90%'>On the picture: <b>drag</b> a point to move it; "
                         "<b>click</b> empty space to add a point of the class chosen in <i>new point</i>.</span>"),
        ])
        super().__init__([controls, widgets.HBox([self.plane_w, self.curve_w]), self.status_w])
        self.add_class("cs231n-knn-demo")

        self._generate()
        for w in (self.metric_w, self.k_w, self.probe_w, self.px_w, self.py_w):
            w.observe(lambda change: self.update(), names="value")
        for w in (self.classes_w, self.points_w):
            w.observe(lambda change: self._generate(), names="value")
        self.regen_w.on_click(lambda b: self.regenerate())
        self.add_w.on_click(lambda b: self.add_point())
        self.add_class_w.observe(self._show_chosen_class, names="value")
        self._show_chosen_class()
        self.remove_w.on_click(lambda b: self.remove_point())

    # ----- state changes -------------------------------------------------------------------------
    @property
    def num_classes(self):
        return self.classes_w.value

    def _generate(self):
        self.X, self.y, self.X_val, self.y_val = knn_math.make_points(
            self.points_w.value, self.num_classes, seed=self.seed, num_val=self.num_val)
        keep = self.add_class_w.value
        self.add_class_w.options = class_options(self.num_classes)
        self.add_class_w.value = keep if keep is not None and keep < self.num_classes else 0
        self.update()

    def regenerate(self):
        """New random points (next seed)."""
        self.seed += 1
        self._generate()

    def add_point(self, x=None, y=None, label=None):
        """Add a training point (default: at the probe, of the class chosen in the dropdown)."""
        x = self.px_w.value if x is None else float(x)
        y = self.py_w.value if y is None else float(y)
        label = self.add_class_w.value if label is None else int(label)
        if not 0 <= label < self.num_classes:
            raise ValueError(f"add_point: label must be in [0, {self.num_classes}), got {label}")
        self.X = np.vstack([self.X, [[x, y]]])
        self.y = np.append(self.y, label)
        self.update()

    def move_point(self, i, x, y):
        """Move training point ``i`` to ``(x, y)`` (kept inside the plane)."""
        self.X = knn_math.move_point(self.X, i, x, y)
        self.update()

    def remove_point(self):
        """Remove the training point nearest to the probe (keeps at least 8 points so K <= 7 works)."""
        if len(self.X) <= max(K_VALUES) + 1:
            self.note = "Not removed: the demo keeps at least 8 points."
            self._show_status()
            return
        probe = np.array([[self.px_w.value, self.py_w.value]])
        i = int(knn_math.nearest_neighbors(probe, self.X, 1, self.metric_w.value)[0][0, 0])
        self.X = np.delete(self.X, i, axis=0)
        self.y = np.delete(self.y, i)
        self.update()

    def _show_chosen_class(self, change=None):
        """Tag the dropdown with the chosen class, so the CSS from ``class_select_css`` shows its colour."""
        for c in range(len(CLASS_COLORS)):
            self.add_class_w.remove_class(f"cs231n-class-{c}")
        if self.add_class_w.value is not None:
            self.add_class_w.add_class(f"cs231n-class-{self.add_class_w.value}")

    def _on_drag(self, i, x, y, done):
        if 0 <= i < len(self.X):  # a drag message may race a removal
            self.move_point(i, x, y)

    def _on_click(self, x, y):
        self.add_point(x, y)

    # ----- math ----------------------------------------------------------------------------------
    def predict(self, X_query, k=None, metric=None):
        """Labels for ``X_query`` with the current data; returns ``(labels, note)``."""
        k = self.k_w.value if k is None else k
        metric = self.metric_w.value if metric is None else metric
        if self._student is not None and metric == "L2":
            try:
                return self._student(X_query, self.X, self.y, k), f"L2 picture from your {self._student.name} " \
                    "(its ties go to the smaller label, so no white)."
            except Exception as exc:  # a half-finished student class must not break the demo
                return (knn_math.predict(X_query, self.X, self.y, k, metric, self.num_classes),
                        f"Your {self._student.name} failed ({type(exc).__name__}: {exc}); "
                        "showing the built-in math instead.")
        note = ""
        if self._student is not None:
            note = f"Your {self._student.name} computes L2 distances only; L1 uses the built-in math."
        return knn_math.predict(X_query, self.X, self.y, k, metric, self.num_classes), note

    def update(self):
        """Recompute and redraw; records the time taken in ``last_update_s``."""
        t0 = time.perf_counter()
        xs, ys, grid = knn_math.make_grid(self.resolution)
        labels, self.note = self.predict(grid)
        self.region_labels = labels.reshape(len(ys), len(xs))
        self.val_accuracy = np.array([knn_math.accuracy(self.predict(self.X_val, k=k)[0], self.y_val)
                                      for k in K_VALUES])
        self._draw()
        self.last_update_s = time.perf_counter() - t0
        self._show_status()

    # ----- drawing -------------------------------------------------------------------------------
    def _draw(self):
        k, metric = self.k_w.value, self.metric_w.value
        segments, rings, star = [], [], None
        if self.probe_w.value:
            probe = np.array([[self.px_w.value, self.py_w.value]])
            rings = [int(i) for i in knn_math.nearest_neighbors(probe, self.X, k, metric)[0][0]]
            segments = [{"x0": probe[0, 0], "y0": probe[0, 1], "x1": float(self.X[i, 0]), "y1": float(self.X[i, 1]),
                         "color": "black", "width": 1} for i in rings]
            label = int(self.predict(probe)[0][0])
            star = {"x": probe[0, 0], "y": probe[0, 1], "color": "#ffffff" if label < 0 else CLASS_COLORS[label]}
        with self.plane_w.hold_sync():
            self.plane_w.grid = self.resolution
            self.plane_w.tints = tints(self.num_classes)
            self.plane_w.regions = label_bytes(self.region_labels)
            self.plane_w.points = [[float(px), float(py), int(c)] for (px, py), c in zip(self.X, self.y)]
            self.plane_w.segments, self.plane_w.rings, self.plane_w.star = segments, rings, star
            self.plane_w.title = f"{metric} distance, K = {k}, {len(self.X)} points (white: tie)"
        with self.curve_w.hold_sync():
            self.curve_w.series = [
                {"x": list(K_VALUES), "y": (100 * self.val_accuracy).tolist(), "color": "#555", "marker": 3},
                {"x": [k], "y": [100 * float(self.val_accuracy[k - 1])], "color": CLASS_COLORS[0], "marker": 7}]
            self.curve_w.title = f"{len(self.y_val)} held-out points ({metric})\nties count as wrong"

    def _show_status(self):
        acc = 100 * self.val_accuracy[self.k_w.value - 1]
        ties = 100 * float(np.mean(self.region_labels == knn_math.TIE))
        text = (f"held-out accuracy at K={self.k_w.value}: {acc:.1f}% &middot; tie area {ties:.1f}% "
                f"&middot; updated in {1e3 * self.last_update_s:.0f} ms")
        if self.note:
            text += f"<br><b>Note:</b> {html.escape(self.note)}"
        self.status_w.value = f"<span style='font-size: 90%'>{text}</span>"


def knn_demo(classifier=None, **kwargs):
    """Build the kNN widget; display it by making it the last expression of a cell.

    ``classifier`` -- your ``KNearestNeighbor`` class (API of assignment 1), or None for built-in math.
    Other keyword arguments go to :class:`KNNDemo` (``num_points``, ``num_classes``, ``k``, ``metric``, ``seed``).
    """
    return KNNDemo(classifier=classifier, **kwargs)
