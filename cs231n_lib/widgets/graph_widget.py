"""Interactive computational-graph explorer (CS231n lecture 4, backpropagation).

    from cs231n_lib.widgets import computational_graph_demo
    computational_graph_demo()

Choose one of the lecture's graphs (``f = (x + y) z``, the 2-D sigmoid neuron gate by gate or
with one sigmoid gate, ``f = max(x, y) x`` with a max and a copy gate), move the input sliders
(or type into their read-outs) and see every edge's forward value above it (green) and the
gradient ``df/d(that value)`` below it (red). "highlight gate" picks a gate: it is outlined in
the picture and its backward rule is spelled out with its numbers; hovering a gate shows its rule too.

The picture is inline SVG in an ``ipywidgets.HTML``; the math is in
:mod:`cs231n_lib.widgets.graph_math`. An update takes about a millisecond.
"""

from __future__ import annotations

import html
import time

import ipywidgets as widgets

from . import graph_math as gm
from ._render import svg_tag

__all__ = ["ComputationalGraphDemo", "computational_graph_demo", "graph_svg"]

VALUE_COLOR, GRAD_COLOR, HIGHLIGHT_COLOR = "#1a7f37", "#cf222e", "#e69500"
COLUMN_PX, ROW_PX, MARGIN_PX, GATE_RADIUS, INPUT_HALF_WIDTH = 150, 80, 45, 22, 24


def _num(v):
    """A number as the picture prints it: two decimals, or scientific notation when tiny."""
    return f"{v:.2f}" if v == 0 or abs(v) >= 0.01 else f"{v:.1e}"


def _center(example, name):
    col, row = example.positions[name]
    return MARGIN_PX + col * COLUMN_PX, MARGIN_PX + row * ROW_PX


def _edge_svg(start, end, value, grad, highlighted, start_gap, end_gap):
    """A line from ``start`` to ``end`` (arrow at the end), the value above its middle, the gradient below."""
    (x1, y1), (x2, y2) = start, end
    length = max(((x2 - x1) ** 2 + (y2 - y1) ** 2) ** 0.5, 1e-9)
    ux, uy = (x2 - x1) / length, (y2 - y1) / length
    mx, my = (x1 + x2) / 2, (y1 + y2) / 2
    text = dict(text_anchor="middle", font_size=12, font_family="monospace", stroke="white", stroke_width=3,
                paint_order="stroke")
    return svg_tag("g", "".join([
        svg_tag("line", x1=x1 + start_gap * ux, y1=y1 + start_gap * uy, x2=x2 - end_gap * ux, y2=y2 - end_gap * uy,
                stroke=HIGHLIGHT_COLOR if highlighted else "#555", stroke_width=3 if highlighted else 1.5,
                marker_end="url(#cs231n-graph-arrow)"),
        svg_tag("text", _num(value), x=mx, y=my - 6, fill=VALUE_COLOR, class_="cs231n-graph-value", **text),
        svg_tag("text", _num(grad), x=mx, y=my + 16, fill=GRAD_COLOR, class_="cs231n-graph-grad", **text),
    ]), class_="cs231n-graph-edge")


def _node_svg(node, center, highlighted):
    x, y = center
    label = svg_tag("text", html.escape(node.label), x=x, y=y + 5, text_anchor="middle", font_size=14,
                    font_family="sans-serif", font_weight="bold" if node.op != "input" else None)
    tooltip = svg_tag("title", html.escape(node.rule))
    if node.op == "input":
        shape = svg_tag("rect", x=x - INPUT_HALF_WIDTH, y=y - 13, width=2 * INPUT_HALF_WIDTH, height=26, rx=6,
                        fill="#eef2f7", stroke="#8a99ad")
    else:
        shape = svg_tag("circle", cx=x, cy=y, r=GATE_RADIUS, fill="#fff3c4" if highlighted else "white",
                        stroke=HIGHLIGHT_COLOR if highlighted else "#333", stroke_width=4 if highlighted else 1.5)
    return svg_tag("g", tooltip + shape + label, class_=f"cs231n-graph-node cs231n-graph-{node.op}")


def graph_svg(example, evaluation, highlight=None):
    """The whole picture of ``example`` evaluated as ``evaluation`` (inline SVG), gate ``highlight`` outlined."""
    graph = evaluation.graph
    gap = {n.name: (INPUT_HALF_WIDTH if n.op == "input" else GATE_RADIUS) + 2 for n in graph.nodes}
    parts = [svg_tag("defs", svg_tag("marker", svg_tag("path", d="M0,0 L9,4.5 L0,9 z", fill="#555"),
                                     id="cs231n-graph-arrow", markerWidth=9, markerHeight=9, refX=9, refY=4.5,
                                     orient="auto", markerUnits="userSpaceOnUse"))]
    for edge in graph.edges:
        parts.append(_edge_svg(_center(example, edge.src), _center(example, edge.dst),
                               evaluation.values[edge.src], evaluation.edge_grads[edge],
                               highlight in (edge.src, edge.dst), gap[edge.src], gap[edge.dst] + 3))
    out_x, out_y = _center(example, graph.output)
    parts.append(_edge_svg((out_x, out_y), (out_x + 0.8 * COLUMN_PX, out_y), evaluation.output, 1.0,
                           highlight == graph.output, gap[graph.output], 16))
    parts.append(svg_tag("text", "f", x=out_x + 0.8 * COLUMN_PX + 4, y=out_y + 6, font_size=16,
                         font_style="italic", font_family="serif"))
    parts += [_node_svg(n, _center(example, n.name), n.name == highlight) for n in graph.nodes]
    width = 2 * MARGIN_PX + max(c for c, _ in example.positions.values()) * COLUMN_PX + COLUMN_PX
    height = 2 * MARGIN_PX + max(r for _, r in example.positions.values()) * ROW_PX + 10
    return svg_tag("svg", "".join(parts), xmlns="http://www.w3.org/2000/svg", width=width, height=height,
                   viewBox=f"0 0 {width} {height}")


class ComputationalGraphDemo(widgets.VBox):
    """The computational-graph widget; itself a displayable ``VBox`` with public state for tests.

    ``example`` -- key of :data:`graph_math.EXAMPLES`; ``highlight`` -- gate to outline (default: the first).
    """

    def __init__(self, example="add_mul", highlight=None):
        if example not in gm.EXAMPLES:
            raise ValueError(f"computational_graph_demo: unknown example {example!r}; "
                             f"choose one of {sorted(gm.EXAMPLES)}")
        self.last_update_s = float("nan")
        self.input_w = {}
        self._loading = False
        self.example_w = widgets.Dropdown(options=[(ex.title, key) for key, ex in gm.EXAMPLES.items()], value=example,
                                          description="example", layout=widgets.Layout(width="380px"))
        self.highlight_w = widgets.Dropdown(description="highlight gate", style={"description_width": "95px"},
                                            layout=widgets.Layout(width="260px"))
        self.reset_btn = widgets.Button(description="lecture values", icon="undo",
                                        tooltip="put the inputs back to the numbers used in the lecture")
        self.formula_w = widgets.HTML()
        self.inputs_box = widgets.HBox(layout=widgets.Layout(flex_flow="row wrap"))
        self.figure_w = widgets.HTML()
        self.rule_w = widgets.HTML()
        self.status_w = widgets.HTML()
        legend = widgets.HTML(
            f"<span style='font-size:90%'>Above each edge, in <b style='color:{VALUE_COLOR}'>green</b>: the value "
            f"flowing forward. Below it, in <b style='color:{GRAD_COLOR}'>red</b>: the gradient of f with respect "
            "to that value, flowing backward (the output's gradient is 1). Hover a gate for its rule.</span>")
        for name, w in [("example", self.example_w), ("highlight", self.highlight_w), ("reset", self.reset_btn),
                        ("inputs", self.inputs_box), ("figure", self.figure_w), ("rule", self.rule_w),
                        ("status", self.status_w)]:
            w.add_class(f"cs231n-graph-{name}")
        super().__init__([widgets.HBox([self.example_w, self.highlight_w, self.reset_btn]), self.formula_w,
                          self.inputs_box, legend, self.figure_w, self.rule_w, self.status_w])
        self.add_class("cs231n-graph-demo")
        self.example_w.observe(lambda change: self._load_example(), names="value")
        self.highlight_w.observe(lambda change: self._loading or self.update(), names="value")
        self.reset_btn.on_click(lambda b: self.reset())
        self._load_example(highlight)

    @property
    def example(self):
        """The chosen :class:`graph_math.Example`."""
        return gm.EXAMPLES[self.example_w.value]

    @property
    def inputs(self):
        """The current input values, input name -> number."""
        return {name: w.value for name, w in self.input_w.items()}

    def _load_example(self, highlight=None):
        """New sliders and highlight options for the chosen example, then draw it."""
        ex = self.example
        self._loading = True
        try:
            self.input_w = {name: widgets.FloatSlider(value=value, min=-5, max=5, step=0.1, description=name,
                                                      readout_format=".2f", continuous_update=True,
                                                      style={"description_width": "30px"},
                                                      layout=widgets.Layout(width="240px"))
                            for name, value in ex.inputs.items()}
            for w in self.input_w.values():
                w.observe(lambda change: self._loading or self.update(), names="value")
            self.inputs_box.children = list(self.input_w.values())
            gates = [(f"{ex.graph.node(n).label}   ({n})", n) for n in ex.graph.gate_names]
            self.highlight_w.options = [("none", None)] + gates
            self.highlight_w.value = highlight if highlight is not None else gates[0][1]
            self.formula_w.value = f"<b>{html.escape(ex.formula)}</b>"
        finally:
            self._loading = False
        self.update()

    def reset(self):
        """Inputs back to the lecture's numbers."""
        self._loading = True
        try:
            for name, value in self.example.inputs.items():
                self.input_w[name].value = value
        finally:
            self._loading = False
        self.update()

    def update(self):
        """Forward and backward pass for the current inputs; redraw the picture and the rule panel."""
        t0 = time.perf_counter()
        ex, highlight = self.example, self.highlight_w.value
        self.evaluation = ev = gm.evaluate(ex.graph, self.inputs)
        self.figure_w.value = graph_svg(ex, ev, highlight)
        self.rule_w.value = self._rules(highlight)
        self.last_update_s = time.perf_counter() - t0
        grads = ", ".join(f"df/d{n} = {_num(ev.grads[n])}" for n in ex.graph.input_names)
        self.status_w.value = (f"<span style='font-size:90%'>f = <b>{_num(ev.output)}</b> &middot; {grads} "
                               f"&middot; updated in {1e3 * self.last_update_s:.1f} ms</span>")

    def _rules(self, highlight):
        """The highlighted gate's backward step with its numbers, then the rule of every kind of gate in the graph."""
        ex, ev = self.example, self.evaluation
        rows = []
        if highlight is not None:
            first, *rest = gm.explain(ev, highlight)
            rows.append(f"<div style='border-left:4px solid {HIGHLIGHT_COLOR}; padding-left:8px'>"
                        f"<b>{html.escape(first)}</b><br>" + "<br>".join(html.escape(r) for r in rest) + "</div>")
        kinds = dict.fromkeys(ex.graph.node(n).op for n in ex.graph.gate_names)
        chosen = ex.graph.node(highlight).op if highlight is not None else None
        items = "".join(f"<li style='{'background:#fff3c4' if op == chosen else ''}'>"
                        f"{html.escape(gm.GATES[op].rule)}</li>" for op in kinds)
        rows.append(f"<div style='font-size:90%'>Backward rules of the gates in this graph:<ul style='margin:2px 0'>"
                    f"{items}</ul></div>")
        return "".join(rows)


def computational_graph_demo(**kwargs):
    """Build the computational-graph widget; display it by making it the last expression of a cell.

    Keyword arguments go to :class:`ComputationalGraphDemo` (``example``, ``highlight``).
    """
    return ComputationalGraphDemo(**kwargs)
