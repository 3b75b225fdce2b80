"""Pure math behind the computational-graph explorer (CS231n lecture 4, backpropagation).

A :class:`Graph` is a tuple of :class:`Node` s in topological order: input nodes (``op="input"``)
and gates (``op`` a key of :data:`GATES`) that name the nodes feeding them. Every input of a gate
is one :class:`Edge` ``src -> dst`` (``slot`` = which input of ``dst`` it is).

:func:`evaluate` runs the forward pass (the value of every node, hence of every edge) and the
backward pass: the output's gradient is 1, and walking the nodes backwards each gate sends back
along each input edge ``upstream * local gradient``; a node's own gradient is the sum of what
comes back along its outgoing edges (the multivariable chain rule, which the copy gate makes
visible). :data:`GATES` holds, for each gate, its forward rule, its local gradients and the
one-line backward rule the lecture teaches ("add distributes", "mul swaps", "max routes",
"copy sums").

:data:`EXAMPLES` are the lecture's graphs, each with its default inputs and where to draw
every node. Plain Python floats; nothing here imports ipywidgets (or torch: tests use torch
autograd as the oracle).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Callable

__all__ = ["Gate", "GATES", "Node", "Edge", "Graph", "Evaluation", "evaluate", "explain", "Example", "EXAMPLES"]


@dataclass(frozen=True)
class Gate:
    """One kind of gate: ``forward(xs, c)`` -> output, ``local(xs, out, c)`` -> d out / d x_i for each input,
    ``arity`` (number of inputs), ``rule`` (the backward rule in words) and how to label it (``symbol``,
    with ``{c}`` standing for the node's constant)."""

    symbol: str
    arity: int
    forward: Callable
    local: Callable
    rule: str


def _sigmoid(a):
    return 1.0 / (1.0 + math.exp(-a)) if a >= 0 else math.exp(a) / (1.0 + math.exp(a))


def _max_local(xs, out, c):
    winner = 0 if xs[0] >= xs[1] else 1  # a tie goes to the first input, as argmax does
    return [1.0 if i == winner else 0.0 for i in range(2)]


#: Gate kind -> :class:`Gate`.
GATES = {
    "add": Gate("+", 2, lambda xs, c: xs[0] + xs[1], lambda xs, out, c: [1.0, 1.0],
                "add distributes the gradient: each input gets the upstream gradient unchanged"),
    "mul": Gate("\u00d7", 2, lambda xs, c: xs[0] * xs[1], lambda xs, out, c: [xs[1], xs[0]],
                "mul swaps the inputs: each input gets upstream \u00d7 the OTHER input's value"),
    "max": Gate("max", 2, lambda xs, c: max(xs[0], xs[1]), _max_local,
                "max routes the gradient: the larger input gets all of it, the other gets 0"),
    "copy": Gate("copy", 1, lambda xs, c: xs[0], lambda xs, out, c: [1.0],
                 "copy (fan-out) sums the gradients: its input gets the SUM of what comes back along its outputs"),
    "scale": Gate("\u00d7{c}", 1, lambda xs, c: c * xs[0], lambda xs, out, c: [c],
                  "\u00d7c scales the gradient by c (\u00d7-1 flips its sign)"),
    "add_const": Gate("+{c}", 1, lambda xs, c: xs[0] + c, lambda xs, out, c: [1.0],
                      "+c passes the gradient through unchanged (a constant needs no gradient)"),
    "exp": Gate("exp", 1, lambda xs, c: math.exp(xs[0]), lambda xs, out, c: [out],
                "exp multiplies the gradient by exp(input), which is its own output"),
    "inv": Gate("1/x", 1, lambda xs, c: 1.0 / xs[0], lambda xs, out, c: [-1.0 / (xs[0] * xs[0])],
                "1/x multiplies the gradient by -1/x\u00b2"),
    "sigmoid": Gate("\u03c3", 1, lambda xs, c: _sigmoid(xs[0]), lambda xs, out, c: [out * (1.0 - out)],
                    "sigmoid multiplies the gradient by \u03c3(x)(1 - \u03c3(x)), from its own output alone"),
}

INPUT_RULE = "an input: its gradient is the sum of what comes back along its edges"


@dataclass(frozen=True)
class Node:
    """A node: ``op`` is ``"input"`` or a key of :data:`GATES`; ``inputs`` name earlier nodes; ``const`` is
    the ``c`` of ``scale`` and ``add_const`` gates."""

    name: str
    op: str = "input"
    inputs: tuple = ()
    const: float = 0.0

    @property
    def label(self):
        """What the picture writes on the node: the input's name or the gate's symbol."""
        return self.name if self.op == "input" else GATES[self.op].symbol.format(c=f"{self.const:g}")

    @property
    def rule(self):
        """The node's backward rule in words."""
        return INPUT_RULE if self.op == "input" else GATES[self.op].rule


@dataclass(frozen=True)
class Edge:
    """Input number ``slot`` of node ``dst`` is the value of node ``src``."""

    src: str
    dst: str
    slot: int


@dataclass(frozen=True)
class Graph:
    """Nodes in topological order and the name of the output node; checked on construction."""

    nodes: tuple
    output: str
    edges: tuple = field(init=False)

    def __post_init__(self):
        seen = {}
        for node in self.nodes:
            if node.name in seen:
                raise ValueError(f"Graph: two nodes are named {node.name!r}")
            if node.op != "input":
                if node.op not in GATES:
                    raise ValueError(f"Graph: node {node.name!r} has unknown gate {node.op!r}; "
                                     f"choose one of {sorted(GATES)}")
                if len(node.inputs) != GATES[node.op].arity:
                    raise ValueError(f"Graph: gate {node.name!r} ({node.op}) needs {GATES[node.op].arity} "
                                     f"input(s), got {len(node.inputs)}")
            elif node.inputs:
                raise ValueError(f"Graph: input node {node.name!r} cannot have inputs")
            for src in node.inputs:
                if src not in seen:
                    raise ValueError(f"Graph: {node.name!r} reads {src!r}, which is not an earlier node")
            seen[node.name] = node
        if self.output not in seen:
            raise ValueError(f"Graph: the output {self.output!r} is not a node")
        object.__setattr__(self, "edges", tuple(Edge(src, n.name, i) for n in self.nodes
                                                for i, src in enumerate(n.inputs)))

    def node(self, name):
        """The node called ``name``."""
        return next(n for n in self.nodes if n.name == name)

    @property
    def input_names(self):
        """Names of the input nodes, in order."""
        return [n.name for n in self.nodes if n.op == "input"]

    @property
    def gate_names(self):
        """Names of the gates, in order."""
        return [n.name for n in self.nodes if n.op != "input"]

    def consumers(self, name):
        """The edges leaving node ``name``."""
        return [e for e in self.edges if e.src == name]


@dataclass(frozen=True)
class Evaluation:
    """Forward and backward pass of a graph.

    ``values[node]`` -- forward value (also the value on every edge leaving it);
    ``grads[node]`` -- d output / d node value;
    ``local[edge]`` -- local gradient d dst / d (this input);
    ``edge_grads[edge]`` -- gradient sent back along the edge: ``grads[dst] * local[edge]``.
    """

    graph: Graph
    values: dict
    grads: dict
    local: dict
    edge_grads: dict

    @property
    def output(self):
        """The value of the output node."""
        return self.values[self.graph.output]


def evaluate(graph, inputs):
    """Forward and backward pass of ``graph`` for ``inputs`` (input name -> number); see :class:`Evaluation`."""
    missing = set(graph.input_names) - set(inputs)
    if missing:
        raise ValueError(f"evaluate: no value for input(s) {sorted(missing)}")
    values, local = {}, {}
    for node in graph.nodes:
        if node.op == "input":
            values[node.name] = float(inputs[node.name])
            continue
        gate, xs = GATES[node.op], [values[src] for src in node.inputs]
        values[node.name] = float(gate.forward(xs, node.const))
        for slot, g in enumerate(gate.local(xs, values[node.name], node.const)):
            local[Edge(node.inputs[slot], node.name, slot)] = float(g)

    grads = {node.name: 0.0 for node in graph.nodes}
    grads[graph.output] = 1.0
    edge_grads = {}
    for node in reversed(graph.nodes):  # every consumer of a node comes after it
        for slot, src in enumerate(node.inputs):
            edge = Edge(src, node.name, slot)
            edge_grads[edge] = grads[node.name] * local[edge]
            grads[src] += edge_grads[edge]
    return Evaluation(graph, values, grads, local, edge_grads)


def explain(evaluation, name):
    """The backward step of node ``name`` with its numbers, as lines of plain text."""
    graph = evaluation.graph
    node, g = graph.node(name), evaluation.grads[name]
    lines = [f"{node.label}: {node.rule}."]
    outgoing = graph.consumers(name)
    if name == graph.output:
        lines.append(f"it is the output f, so its upstream gradient is df/df = {g:.4g}")
    else:
        parts = " + ".join(f"{evaluation.edge_grads[e]:.4g}" for e in outgoing)
        lines.append(f"upstream gradient = sum over its {len(outgoing)} outgoing edge(s) = {parts} = {g:.4g}"
                     if len(outgoing) > 1 else f"upstream gradient (from its outgoing edge) = {g:.4g}")
    for slot, src in enumerate(node.inputs):
        edge = Edge(src, name, slot)
        lines.append(f"to input {slot + 1} ({graph.node(src).label}, value {evaluation.values[src]:.4g}): "
                     f"upstream {g:.4g} \u00d7 local {evaluation.local[edge]:.4g} = {evaluation.edge_grads[edge]:.4g}")
    return lines


@dataclass(frozen=True)
class Example:
    """A graph to explore: ``title``, ``formula``, default ``inputs`` and ``positions`` (node -> (column, row),
    where the picture draws it)."""

    title: str
    formula: str
    graph: Graph
    inputs: dict
    positions: dict


def _node(name, op="input", *inputs, const=0.0):
    return Node(name, op, tuple(inputs), const)


_NEURON_INPUTS = {"w0": 2.0, "x0": -1.0, "w1": -3.0, "x1": -2.0, "w2": -3.0}  # the lecture's numbers


def _neuron(one_sigmoid_gate):
    """The 2-D sigmoid neuron of the lecture, its sigmoid as four gates or as one."""
    products = [_node(n, "input") for n in ("w0", "x0", "w1", "x1", "w2")] + [
        _node("w0*x0", "mul", "w0", "x0"), _node("w1*x1", "mul", "w1", "x1"),
        _node("sum", "add", "w0*x0", "w1*x1"), _node("dot", "add", "sum", "w2")]
    positions = {"w0": (0, 0), "x0": (0, 1), "w1": (0, 2), "x1": (0, 3), "w2": (2, 3.5),
                 "w0*x0": (1, 0.5), "w1*x1": (1, 2.5), "sum": (2, 1.5), "dot": (3, 2.0)}
    if one_sigmoid_gate:
        nodes = products + [_node("sigmoid", "sigmoid", "dot")]
        positions["sigmoid"] = (4, 2.0)
        return Example("sigmoid neuron, one sigmoid gate", "f(w, x) = \u03c3(w0 x0 + w1 x1 + w2)",
                       Graph(tuple(nodes), "sigmoid"), dict(_NEURON_INPUTS), positions)
    nodes = products + [_node("neg", "scale", "dot", const=-1.0), _node("exp", "exp", "neg"),
                        _node("plus1", "add_const", "exp", const=1.0), _node("inv", "inv", "plus1")]
    positions.update({"neg": (4, 2.0), "exp": (5, 2.0), "plus1": (6, 2.0), "inv": (7, 2.0)})
    return Example("sigmoid neuron, gate by gate", "f(w, x) = 1 / (1 + exp(-(w0 x0 + w1 x1 + w2)))",
                   Graph(tuple(nodes), "inv"), dict(_NEURON_INPUTS), positions)


#: Example key -> :class:`Example` (the lecture's graphs).
EXAMPLES = {
    "add_mul": Example(
        "f = (x + y) z", "f = (x + y) \u00b7 z",
        Graph((_node("x"), _node("y"), _node("q", "add", "x", "y"), _node("z"), _node("f", "mul", "q", "z")), "f"),
        {"x": -2.0, "y": 5.0, "z": -4.0},
        {"x": (0, 0), "y": (0, 1), "q": (1, 0.5), "z": (1, 1.5), "f": (2, 1.0)}),
    "neuron": _neuron(one_sigmoid_gate=False),
    "neuron_sigmoid": _neuron(one_sigmoid_gate=True),
    "max_copy": Example(
        "f = max(x, y) \u00b7 x (max and copy gates)", "f = max(x, y) \u00b7 x, where x is used twice",
        Graph((_node("x"), _node("x'", "copy", "x"), _node("y"), _node("m", "max", "x'", "y"),
               _node("f", "mul", "m", "x'")), "f"),
        {"x": 2.0, "y": 3.0},
        {"x": (0, 1.5), "x'": (1, 1.5), "y": (1, 0), "m": (2, 0.5), "f": (3, 1.25)}),
}
