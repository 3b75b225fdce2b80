"""cs231n_lib.widgets.graph_math: forward values and backward gradients against torch autograd
(the lecture's graphs and random graphs, hypothesis), the gates' backward rules, and bad graphs."""

import math

import pytest
import torch
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from cs231n_lib.widgets import graph_math as gm

VALUES = st.floats(-5, 5, allow_nan=False, allow_infinity=False)

# The lecture's functions written directly in torch: the oracle knows nothing of the graphs.
TORCH_FUNCTIONS = {
    "add_mul": lambda v: (v["x"] + v["y"]) * v["z"],
    "neuron": lambda v: 1 / (1 + torch.exp(-(v["w0"] * v["x0"] + v["w1"] * v["x1"] + v["w2"]))),
    "neuron_sigmoid": lambda v: torch.sigmoid(v["w0"] * v["x0"] + v["w1"] * v["x1"] + v["w2"]),
    "max_copy": lambda v: torch.maximum(v["x"], v["y"]) * v["x"],
}


def _torch_gradients(fn, inputs):
    leaves = {k: torch.tensor(float(v), dtype=torch.float64, requires_grad=True) for k, v in inputs.items()}
    out = fn(leaves)
    out.backward()
    return float(out.detach()), {k: float(t.grad) for k, t in leaves.items()}


# ----- the lecture's numbers ---------------------------------------------------------------------
def test_lecture_numbers_for_x_plus_y_times_z():
    ex = gm.EXAMPLES["add_mul"]
    ev = gm.evaluate(ex.graph, ex.inputs)  # x = -2, y = 5, z = -4
    assert ev.values["q"] == 3 and ev.output == -12
    assert (ev.grads["x"], ev.grads["y"], ev.grads["z"], ev.grads["q"]) == (-4, -4, 3, -4)


def test_lecture_numbers_for_the_sigmoid_neuron():
    for key in ("neuron", "neuron_sigmoid"):
        ex = gm.EXAMPLES[key]
        ev = gm.evaluate(ex.graph, ex.inputs)
        assert ev.output == pytest.approx(0.73, abs=0.005)
        got = [round(ev.grads[n], 2) for n in ("w0", "x0", "w1", "x1", "w2")]
        assert got == [-0.2, 0.39, -0.39, -0.59, 0.2]
        assert ev.grads["dot"] == pytest.approx(0.2, abs=0.005)  # (1 - 0.73) * 0.73


def test_the_neuron_gate_by_gate_passes_the_lecture_gradients_back():
    ev = gm.evaluate(gm.EXAMPLES["neuron"].graph, gm.EXAMPLES["neuron"].inputs)
    assert [round(ev.grads[n], 2) for n in ("plus1", "exp", "neg", "dot")] == [-0.53, -0.53, -0.2, 0.2]


# ----- gradients against torch autograd ----------------------------------------------------------
@pytest.mark.parametrize("key", list(gm.EXAMPLES))
@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_example_gradients_equal_torch_autograd(key, data):
    ex = gm.EXAMPLES[key]
    inputs = {name: data.draw(VALUES, label=name) for name in ex.graph.input_names}
    if key == "max_copy":
        assume(abs(inputs["x"] - inputs["y"]) > 1e-9)  # torch.maximum splits a tie; the max gate routes it
    ev = gm.evaluate(ex.graph, inputs)
    want_f, want = _torch_gradients(TORCH_FUNCTIONS[key], inputs)
    assert ev.output == pytest.approx(want_f, rel=1e-9, abs=1e-12)
    for name in ex.graph.input_names:
        assert ev.grads[name] == pytest.approx(want[name], rel=1e-9, abs=1e-12), name


_TORCH_GATES = {  # a torch version of each gate, for the random graphs (ties of max go to the first input)
    "add": lambda xs, c: xs[0] + xs[1], "mul": lambda xs, c: xs[0] * xs[1],
    "max": lambda xs, c: torch.where(xs[0] >= xs[1], xs[0], xs[1]), "copy": lambda xs, c: xs[0] * 1,
    "scale": lambda xs, c: c * xs[0], "add_const": lambda xs, c: xs[0] + c,
    "exp": lambda xs, c: torch.exp(xs[0]), "inv": lambda xs, c: 1 / xs[0],
    "sigmoid": lambda xs, c: torch.sigmoid(xs[0]),
}
_BOUNDED_GATES = ["add", "mul", "max", "copy", "scale", "add_const", "sigmoid"]  # no overflow, no division by ~0


@st.composite
def random_graphs(draw):
    """A random graph of up to 8 gates on 1-3 inputs; each gate reads any earlier nodes (fan-out included)."""
    names = [f"in{i}" for i in range(draw(st.integers(1, 3)))]
    nodes = [gm.Node(n) for n in names]
    for i in range(draw(st.integers(1, 8))):
        op = draw(st.sampled_from(_BOUNDED_GATES))
        inputs = tuple(draw(st.sampled_from(names)) for _ in range(gm.GATES[op].arity))
        const = draw(st.sampled_from([-1.0, 0.5, 2.0]))
        nodes.append(gm.Node(f"g{i}", op, inputs, const))
        names.append(f"g{i}")
    inputs = {n.name: draw(st.floats(-2, 2)) for n in nodes if n.op == "input"}
    return gm.Graph(tuple(nodes), names[-1]), inputs


@settings(max_examples=60, deadline=None)
@given(random_graphs())
def test_random_graph_gradients_equal_torch_autograd(graph_and_inputs):
    graph, inputs = graph_and_inputs
    ev = gm.evaluate(graph, inputs)
    tensors = {}
    for node in graph.nodes:
        if node.op == "input":
            tensors[node.name] = torch.tensor(inputs[node.name], dtype=torch.float64, requires_grad=True)
        else:
            tensors[node.name] = _TORCH_GATES[node.op]([tensors[s] for s in node.inputs], node.const)
            tensors[node.name].retain_grad()
    out = tensors[graph.output]
    out.backward()
    for node in graph.nodes:
        assert ev.values[node.name] == pytest.approx(float(tensors[node.name].detach()), rel=1e-9, abs=1e-12)
        want = 0.0 if tensors[node.name].grad is None else float(tensors[node.name].grad)
        if node.name == graph.output:
            want = 1.0
        assert ev.grads[node.name] == pytest.approx(want, rel=1e-9, abs=1e-9), node.name


# ----- the backward rules --------------------------------------------------------------------------
def _one_gate(op, n_inputs, const=0.0):
    names = ["a", "b"][:n_inputs]
    return gm.Graph(tuple(gm.Node(n) for n in names) + (gm.Node("g", op, tuple(names), const),), "g")


def _upstream_graph(op, n_inputs, upstream):
    """The gate ``g`` followed by ``* upstream``, so its upstream gradient is ``upstream``."""
    g = _one_gate(op, n_inputs)
    return gm.Graph(g.nodes + (gm.Node("u", "scale", ("g",), upstream),), "u")


@given(VALUES, VALUES, VALUES)
def test_add_distributes_the_upstream_gradient(a, b, upstream):
    ev = gm.evaluate(_upstream_graph("add", 2, upstream), {"a": a, "b": b})
    assert ev.grads["a"] == ev.grads["b"] == upstream


@given(VALUES, VALUES, VALUES)
def test_mul_swaps_the_inputs(a, b, upstream):
    ev = gm.evaluate(_upstream_graph("mul", 2, upstream), {"a": a, "b": b})
    assert ev.grads["a"] == upstream * b and ev.grads["b"] == upstream * a


@given(VALUES, VALUES, VALUES)
def test_max_routes_everything_to_the_larger_input(a, b, upstream):
    ev = gm.evaluate(_upstream_graph("max", 2, upstream), {"a": a, "b": b})
    winner, loser = ("a", "b") if a >= b else ("b", "a")
    assert ev.grads[winner] == upstream and ev.grads[loser] == 0.0


@given(VALUES, VALUES, VALUES)
def test_copy_sums_the_gradients_of_its_outputs(x, c1, c2):
    graph = gm.Graph((gm.Node("x"), gm.Node("x'", "copy", ("x",)), gm.Node("p", "scale", ("x'",), c1),
                      gm.Node("q", "scale", ("x'",), c2), gm.Node("f", "add", ("p", "q"))), "f")
    ev = gm.evaluate(graph, {"x": x})
    back = [ev.edge_grads[e] for e in graph.consumers("x'")]
    assert back == [c1, c2] and ev.grads["x'"] == ev.grads["x"] == c1 + c2


@given(VALUES)
def test_unary_gates_multiply_by_their_local_gradient(a):
    for op, const, local in [("scale", -1.0, -1.0), ("add_const", 1.0, 1.0), ("exp", 0.0, math.exp(a)),
                             ("sigmoid", 0.0, 1 / (1 + math.exp(-a)) * (1 - 1 / (1 + math.exp(-a))))]:
        ev = gm.evaluate(_one_gate(op, 1, const), {"a": a})
        assert ev.grads["a"] == pytest.approx(local, rel=1e-12, abs=1e-15), op
    assume(abs(a) > 0.1)
    assert gm.evaluate(_one_gate("inv", 1), {"a": a}).grads["a"] == pytest.approx(-1 / a ** 2)


@pytest.mark.parametrize("key", list(gm.EXAMPLES))
def test_edge_gradients_are_upstream_times_local_and_sum_into_nodes(key):
    ex = gm.EXAMPLES[key]
    ev = gm.evaluate(ex.graph, ex.inputs)
    for edge in ex.graph.edges:
        assert ev.edge_grads[edge] == ev.grads[edge.dst] * ev.local[edge]
    for node in ex.graph.nodes:
        if node.name != ex.graph.output:
            assert ev.grads[node.name] == pytest.approx(sum(ev.edge_grads[e] for e in ex.graph.consumers(node.name)))


def test_each_gate_has_a_rule_in_words():
    assert "distributes" in gm.GATES["add"].rule and "swaps" in gm.GATES["mul"].rule
    assert "routes" in gm.GATES["max"].rule and "sums" in gm.GATES["copy"].rule
    assert gm.Node("x").rule == gm.INPUT_RULE


def test_explain_shows_the_numbers_of_one_backward_step():
    ex = gm.EXAMPLES["max_copy"]  # x = 2, y = 3: m = 3, f = 6
    ev = gm.evaluate(ex.graph, ex.inputs)
    copy_lines = gm.explain(ev, "x'")
    assert "sums" in copy_lines[0] and "= 0 + 3 = 3" in copy_lines[1]
    max_lines = gm.explain(ev, "m")
    assert "routes" in max_lines[0] and max_lines[2].endswith("= 0") and max_lines[3].endswith("= 2")
    assert "df/df = 1" in gm.explain(ev, "f")[1]


@pytest.mark.parametrize("key", list(gm.EXAMPLES))
def test_every_example_places_each_node_once(key):
    ex = gm.EXAMPLES[key]
    assert set(ex.positions) == {n.name for n in ex.graph.nodes}
    assert len(set(ex.positions.values())) == len(ex.positions)
    assert set(ex.inputs) == set(ex.graph.input_names)


def test_bad_graphs_are_rejected():
    with pytest.raises(ValueError, match="unknown gate"):
        gm.Graph((gm.Node("a"), gm.Node("g", "pow", ("a",))), "g")
    with pytest.raises(ValueError, match="needs 2 input"):
        gm.Graph((gm.Node("a"), gm.Node("g", "mul", ("a",))), "g")
    with pytest.raises(ValueError, match="not an earlier node"):
        gm.Graph((gm.Node("g", "exp", ("a",)), gm.Node("a")), "g")
    with pytest.raises(ValueError, match="two nodes"):
        gm.Graph((gm.Node("a"), gm.Node("a")), "a")
    with pytest.raises(ValueError, match="no value for input"):
        gm.evaluate(gm.EXAMPLES["add_mul"].graph, {"x": 1.0})
