"""Interactive weight-initialisation explorer (the lecture's experiment).

    from cs231n_lib.widgets import weight_init_demo
    weight_init_demo()

A seeded batch goes through ``depth`` fully connected layers of ``width`` units. Choose the
nonlinearity (tanh, ReLU), how the weights are drawn (0.01, 0.05 or 1.0 times randn, Xavier,
Kaiming) and whether each layer's pre-activation is batch-normalised. One histogram per layer
shows the activations (or the pre-activations), all on the same x range, each with its mean
and standard deviation; a line under the controls says by how much one layer scales the spread.

The histograms are inline SVG in an ``ipywidgets.HTML``; the math is in
:mod:`cs231n_lib.widgets.init_math`. An update takes well under 0.3 s at the default sizes
(6 layers of 500 units, batch 500) on a laptop CPU; the status line shows the measured time.
"""

from __future__ import annotations

import html
import time

import ipywidgets as widgets
import numpy as np

from . import init_math as im
from ._render import nice_ticks, svg_tag

__all__ = ["WeightInitDemo", "weight_init_demo", "histograms_svg"]

PANEL_W, PANEL_H, PANELS_PER_ROW, BAR_COLOR = 180, 150, 5, "#4363d8"
_PLOT_TOP, _PLOT_BOTTOM, _PLOT_SIDE = 38, 128, 12  # the bars' box inside a panel


def _panel(index, fractions, edges, stats, x0, y0, clip_first):
    """One layer's histogram at ``(x0, y0)``: title, mean and std, bars scaled to the panel's tallest, x ticks.

    With ``clip_first`` the heights are scaled to the tallest bar but the first, which is cut at the top
    and labelled with its share (ReLU's spike of exact zeros would flatten everything else)."""
    mean, std, _ = stats
    rest = fractions[1:] if clip_first and len(fractions) > 1 else fractions
    lo, hi, top = float(edges[0]), float(edges[-1]), max(float(rest.max()), 1e-12)
    plot_w, plot_h = PANEL_W - 2 * _PLOT_SIDE, _PLOT_BOTTOM - _PLOT_TOP
    to_x = lambda v: x0 + _PLOT_SIDE + (v - lo) / (hi - lo) * plot_w
    bar_w = plot_w / len(fractions)
    parts = [svg_tag("text", f"layer {index}", x=x0 + PANEL_W / 2, y=y0 + 14, text_anchor="middle", font_size=13,
                     font_weight="bold"),
             svg_tag("text", f"mean {mean:+.3g}  std {std:.3g}", x=x0 + PANEL_W / 2, y=y0 + 29, text_anchor="middle",
                     font_size=10, font_family="monospace", class_="cs231n-init-stats")]
    if clip_first and fractions[0] > top:
        parts.append(svg_tag("text", f"first bar (cut): {100 * fractions[0]:.0f}%", x=x0 + PANEL_W - _PLOT_SIDE,
                             y=y0 + _PLOT_TOP + 10, text_anchor="end", font_size=10, fill="#444",
                             class_="cs231n-init-clipped"))
    for i, f in enumerate(fractions):
        if f > 0:
            h = min(f / top, 1.0) * plot_h
            parts.append(svg_tag("rect", x=round(x0 + _PLOT_SIDE + i * bar_w, 2), y=round(y0 + _PLOT_BOTTOM - h, 2),
                                 width=round(bar_w - 0.5, 2), height=round(h, 2), fill=BAR_COLOR))
    parts.append(svg_tag("line", x1=x0 + _PLOT_SIDE, y1=y0 + _PLOT_BOTTOM, x2=x0 + PANEL_W - _PLOT_SIDE,
                         y2=y0 + _PLOT_BOTTOM, stroke="#333"))
    for tick in nice_ticks(lo, hi, max_ticks=5):
        parts.append(svg_tag("text", f"{tick:g}", x=round(to_x(tick), 2), y=y0 + _PLOT_BOTTOM + 13,
                             text_anchor="middle", font_size=10, fill="#444"))
    return svg_tag("g", "".join(parts), class_="cs231n-init-panel")


def histograms_svg(edges, fractions, stats, clip_first=False):
    """All layers' histograms (``init_math.histograms`` output and ``init_math.layer_stats``) as one SVG;
    ``clip_first``: see :func:`_panel`."""
    rows = -(-len(fractions) // PANELS_PER_ROW)
    width, height = min(len(fractions), PANELS_PER_ROW) * PANEL_W, rows * PANEL_H
    panels = [_panel(i + 1, f, edges, s, (i % PANELS_PER_ROW) * PANEL_W, (i // PANELS_PER_ROW) * PANEL_H,
                     clip_first) for i, (f, s) in enumerate(zip(fractions, stats))]
    return svg_tag("svg", "".join(panels), xmlns="http://www.w3.org/2000/svg", width=width, height=height,
                   viewBox=f"0 0 {width} {height}", font_family="sans-serif")


class WeightInitDemo(widgets.VBox):
    """The weight-initialisation widget; itself a displayable ``VBox`` with public state for tests.

    ``batch`` rows go through the network; ``seed`` fixes the input and the random weights.
    """

    def __init__(self, depth=6, width=500, nonlinearity="tanh", init="0.01", batchnorm=False, batch=500, seed=0,
                 bins=40):
        if init not in im.INITS or nonlinearity not in im.NONLINEARITIES:
            raise ValueError(f"weight_init_demo: init must be one of {sorted(im.INITS)} and nonlinearity one of "
                             f"{sorted(im.NONLINEARITIES)}; got {init!r}, {nonlinearity!r}")
        self.batch, self.seed, self.bins = int(batch), int(seed), int(bins)
        self.last_update_s = float("nan")
        style = {"description_width": "110px"}
        buttons = {"description_width": "110px", "button_width": "auto"}
        self.depth_w = widgets.IntSlider(value=depth, min=1, max=10, description="layers", style=style,
                                         continuous_update=False)
        self.width_w = widgets.IntSlider(value=width, min=50, max=1000, step=50, description="units per layer",
                                         style=style, continuous_update=False)
        self.nonlinearity_w = widgets.ToggleButtons(options=[(label, key)
                                                             for key, (label, _) in im.NONLINEARITIES.items()],
                                                    value=nonlinearity, description="nonlinearity", style=buttons)
        self.init_w = widgets.Dropdown(options=[(label, key) for key, (label, _) in im.INITS.items()], value=init,
                                       description="weights", style=style, layout=widgets.Layout(width="330px"))
        self.batchnorm_w = widgets.Checkbox(value=batchnorm, indent=False, layout=widgets.Layout(width="auto"),
                                            description="batchnorm: standardise each layer's input to its nonlinearity")
        self.show_w = widgets.ToggleButtons(options=[("activations (after the nonlinearity)", "post"),
                                                     ("pre-activations (before it)", "pre")],
                                            value="post", description="histograms of", style=buttons)
        self.explain_w = widgets.HTML()
        self.figure_w = widgets.HTML()
        self.status_w = widgets.HTML()
        for name, w in [("depth", self.depth_w), ("width", self.width_w), ("nonlinearity", self.nonlinearity_w),
                        ("init", self.init_w), ("batchnorm", self.batchnorm_w), ("show", self.show_w),
                        ("explain", self.explain_w), ("figure", self.figure_w), ("status", self.status_w)]:
            w.add_class(f"cs231n-init-{name}")
        super().__init__([widgets.HBox([self.depth_w, self.width_w]),
                          widgets.HBox([self.nonlinearity_w, self.init_w]),
                          widgets.HBox([self.batchnorm_w]), self.show_w, self.explain_w, self.figure_w,
                          self.status_w])
        self.add_class("cs231n-init-demo")
        for w in (self.depth_w, self.width_w, self.nonlinearity_w, self.init_w, self.batchnorm_w):
            w.observe(lambda change: self.update(), names="value")
        self.show_w.observe(lambda change: self.draw(), names="value")
        self.update()

    def update(self):
        """Run the forward pass for the current controls, then draw."""
        t0 = time.perf_counter()
        self.forward = im.forward(self.depth_w.value, self.width_w.value, self.nonlinearity_w.value,
                                  self.init_w.value, self.batchnorm_w.value, self.batch, self.seed)
        self.draw(t0)

    def draw(self, t0=None):
        """Histograms, statistics and explanation of the last forward pass (the chosen kind of values)."""
        t0 = time.perf_counter() if t0 is None else t0
        which = self.show_w.value
        arrays = self.forward.post if which == "post" else self.forward.pre
        self.stats = im.layer_stats(arrays)
        value_range = im.histogram_range(arrays, self.nonlinearity_w.value if which == "post" else None)
        edges, fractions = im.histograms(arrays, value_range, self.bins)
        relu_outputs = which == "post" and self.nonlinearity_w.value == "relu"
        self.figure_w.value = histograms_svg(edges, fractions, self.stats, clip_first=relu_outputs)
        self.explain_w.value = self._explanation()
        self.last_update_s = time.perf_counter() - t0
        stds = [s for _, s, _ in self.stats]
        self.status_w.value = (f"<span style='font-size:90%'>{'activations' if which == 'post' else 'pre-activations'}"
                               f": std layer 1 &rarr; layer {len(stds)}: {stds[0]:.3g} &rarr; {stds[-1]:.3g} &middot; "
                               f"batch of {self.batch} &middot; same x range in every panel, bar heights scaled per "
                               f"panel &middot; updated in {1e3 * self.last_update_s:.0f} ms</span>")

    def _explanation(self):
        """One plain-words line: the weights' std and by how much a layer scales the spread of its input."""
        width, scale = self.width_w.value, self.forward.scales[0]
        gain = scale * np.sqrt(width)
        if self.batchnorm_w.value:
            verdict = ("but batchnorm rescales every layer's input to its nonlinearity to mean 0, std 1, "
                       "so it no longer matters")
        elif gain < 0.9:
            verdict = "below 1, so the activations shrink layer after layer (and so do the gradients)"
        elif gain > 1.5:
            verdict = ("above 1, so the activations grow: tanh saturates at &plusmn;1 (gradient ~0)"
                       if self.nonlinearity_w.value == "tanh" else "above 1, so the activations grow layer after layer")
        else:
            verdict = "close to 1, so the spread stays about the same"
        relu = (" ReLU zeroes half of its inputs, which halves the second moment: Kaiming's extra &radic;2 makes up "
                "for it." if self.nonlinearity_w.value == "relu" and not self.batchnorm_w.value else "")
        return (f"<span style='font-size:90%'>Each weight has std <b>{scale:.4g}</b>; one layer multiplies the spread "
                f"of its input by about std &times; &radic;{width} = <b>{gain:.2f}</b>, {verdict}.{relu}</span>")


def weight_init_demo(**kwargs):
    """Build the weight-initialisation widget; display it by making it the last expression of a cell.

    Keyword arguments go to :class:`WeightInitDemo` (``depth``, ``width``, ``nonlinearity``, ``init``,
    ``batchnorm``, ``batch``, ``seed``, ``bins``).
    """
    return WeightInitDemo(**kwargs)
