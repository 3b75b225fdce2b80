"""cs231n_lib.widgets.graph_widget: the picture shows every edge's value and gradient, the controls
(example, inputs, highlight, reset) reach the math, and an update is instant (time printed, never asserted)."""

import re
import statistics
import time

import pytest

from cs231n_lib.widgets import ComputationalGraphDemo, computational_graph_demo
from cs231n_lib.widgets import graph_math as gm
from cs231n_lib.widgets.graph_widget import GRAD_COLOR, HIGHLIGHT_COLOR, VALUE_COLOR


def _texts(svg, kind):
    """The numbers printed as edge values (``kind="value"``) or gradients (``"grad"``), in drawing order."""
    return [float(t) for t in re.findall(rf'class="cs231n-graph-{kind}"[^>]*>([^<]+)<', svg)]


def test_starts_with_the_lecture_example_and_numbers():
    demo = computational_graph_demo()
    assert isinstance(demo, ComputationalGraphDemo)
    assert demo.inputs == {"x": -2.0, "y": 5.0, "z": -4.0}
    assert demo.evaluation.output == -12.0
    assert "f = <b>-12.00</b>" in demo.status_w.value and "df/dx = -4.00" in demo.status_w.value
    assert set(dict(demo.example_w.options).values()) == set(gm.EXAMPLES)


@pytest.mark.parametrize("key", list(gm.EXAMPLES))
def test_every_edge_shows_its_value_in_green_and_its_gradient_in_red(key):
    demo = computational_graph_demo(example=key)
    ev, svg = demo.evaluation, demo.figure_w.value
    edges = demo.example.graph.edges
    want_values = [round(ev.values[e.src], 2) for e in edges] + [round(ev.output, 2)]
    want_grads = [round(ev.edge_grads[e], 2) for e in edges] + [1.0]
    assert _texts(svg, "value") == pytest.approx(want_values, abs=0.006)
    assert _texts(svg, "grad") == pytest.approx(want_grads, abs=0.006)
    assert svg.count(f'fill="{VALUE_COLOR}"') == svg.count(f'fill="{GRAD_COLOR}"') == len(edges) + 1
    assert svg.count("cs231n-graph-node") == len(demo.example.graph.nodes)
    assert svg.startswith("<svg") and svg.count("<title>") == len(demo.example.graph.nodes)  # hover: the rule


def test_moving_an_input_recomputes_values_and_gradients():
    demo = computational_graph_demo()
    before = demo.figure_w.value
    demo.input_w["z"].value = 2.0
    assert demo.evaluation.output == pytest.approx(6.0) and demo.evaluation.grads["x"] == pytest.approx(2.0)
    assert demo.figure_w.value != before and "6.00" in demo.figure_w.value


def test_max_routes_and_copy_sums_in_the_widget():
    demo = computational_graph_demo(example="max_copy", highlight="m")
    assert demo.inputs == {"x": 2.0, "y": 3.0}
    assert demo.evaluation.grads["y"] == 2.0 and demo.evaluation.grads["x"] == 3.0
    assert "routes" in demo.rule_w.value
    demo.input_w["x"].value = 4.0  # now x wins the max: df/dx = m + x = 8, y gets nothing
    assert demo.evaluation.grads["x"] == pytest.approx(8.0) and demo.evaluation.grads["y"] == 0.0
    demo.highlight_w.value = "x'"
    assert "sums" in demo.rule_w.value and "= 4 + 4 = 8" in demo.rule_w.value


def test_highlighting_a_gate_outlines_it_and_explains_its_rule():
    demo = computational_graph_demo(example="neuron")
    demo.highlight_w.value = "inv"
    svg = demo.figure_w.value
    assert svg.count(f'stroke="{HIGHLIGHT_COLOR}"') == 3  # the gate and its two edges (in, and out to f)
    assert "1/x multiplies the gradient by -1/x" in demo.rule_w.value
    assert "background:#fff3c4'>1/x" in demo.rule_w.value  # its rule is marked in the list of rules
    demo.highlight_w.value = None
    assert f'stroke="{HIGHLIGHT_COLOR}"' not in demo.figure_w.value and "border-left" not in demo.rule_w.value


def test_changing_the_example_rebuilds_the_inputs_and_the_highlight_menu():
    demo = computational_graph_demo()
    demo.example_w.value = "neuron_sigmoid"
    assert list(demo.input_w) == ["w0", "x0", "w1", "x1", "w2"]
    assert [w.description for w in demo.inputs_box.children] == list(demo.input_w)
    assert [v for _, v in demo.highlight_w.options] == [None] + demo.example.graph.gate_names
    assert demo.evaluation.output == pytest.approx(0.7311, abs=1e-4) and "\u03c3" in demo.figure_w.value


def test_lecture_values_button_restores_the_inputs():
    demo = computational_graph_demo(example="neuron")
    demo.input_w["w0"].value = 4.5
    demo.reset_btn.click()
    assert demo.inputs == gm.EXAMPLES["neuron"].inputs
    assert demo.evaluation.output == pytest.approx(0.7311, abs=1e-4)


def test_update_is_instant():
    demo = computational_graph_demo(example="neuron")
    times = []
    for v in (-1.0, 0.5, 1.5, 3.0, -4.0) * 4:
        t0 = time.perf_counter()
        demo.input_w["x1"].value = v
        times.append(time.perf_counter() - t0)
    print(f"\ncomputational graph (sigmoid neuron, 9 gates): slider -> redrawn in median "
          f"{statistics.median(times) * 1e3:.2f} ms, max {max(times) * 1e3:.2f} ms; "
          f"widget says {demo.last_update_s * 1e3:.2f} ms")


def test_unknown_example_is_rejected():
    with pytest.raises(ValueError, match="unknown example"):
        computational_graph_demo(example="lstm")
