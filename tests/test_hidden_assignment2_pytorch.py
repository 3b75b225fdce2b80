"""The hidden tests of PyTorch.ipynb (``grading/hidden/assignment2/pytorch.py``): each passes on the solution's
``cs231n/torch_nets.py`` under both input salts, on the real objects and over the data-only wire (where tensors
cannot travel, so everything goes through the student-side adapter ``cs231n_lib.torch_bridge``); the grade-id
table of ``grading/hidden/assignment2/__init__.py`` gives the notebook its 9 points; broken copies of the solution
fail exactly the cells they should, with a fitting hint; the release's stubs fail every cell as not written yet.

``tests/test_hidden_assignment2.py`` also runs these tests on the solution; this file is what to run while
working on the PyTorch notebook's tests alone."""

from __future__ import annotations

import importlib
import re
import shutil

import pytest

from grading.hidden import core
from grading.tool.student_package import strip_tree
from hidden_harness import SALTS, run_on_solution, served, solution_importer
from test_hidden_assignment2_mutants import SOLUTION, _import_as, _mutant_package

import grading.hidden.assignment2 as package

TESTS = {gid: t for gid, t in core.load_assignment("assignment2").items() if gid.startswith("torch_")}
_solution = solution_importer("assignment2")
#: Seconds one hidden test may take on the solution (measured at most ~0.4 s after torch's warm-up on the shared
#: 2-core VM).
BUDGET_S = 2.0

#: name -> ((old, new) changes to torch_nets.py, {grade id it fails: [regexes its message must match]})
MUTANTS = {
    "relu_on_scores": (
        [("scores = hidden.mm(w2)", "scores = F.relu(hidden.mm(w2))")],
        {"torch_two_layer_fc": [r"two_layer_fc \(float64 inputs, x \(4, 3, 5, 2\).*: out:",
                                r"scores go through a ReLU"]}),
    "convnet_without_second_relu": (
        [("h2 = F.relu(F.conv2d(h1, conv_w2, conv_b2, padding=1))", "h2 = F.conv2d(h1, conv_w2, conv_b2, padding=1)")],
        {"torch_three_layer_convnet": [r"three_layer_convnet \(.*channel_1=4.*: out:",
                                       r"ReLU after the second convolution is missing"]}),
    "convnet_graph_cut": (
        [("scores = flatten(h2).mm(fc_w) + fc_b", "scores = flatten(h2.detach()).mm(fc_w) + fc_b")],
        {"torch_three_layer_convnet": [r"autograd gave no gradient for x", r"outside torch"]}),
    "module_default_init": (
        [("            nn.init.kaiming_normal_(layer.weight)\n", "")],
        {"torch_module_convnet": [r"as built: conv1\.weight has std .* Kaiming normal gives",
                                  r"PyTorch's default initialisation"]}),
    # flatten is used by every net, as in CS231n's notebook, so a flatten bug costs all four cells
    "flatten_permuted": (
        [("return x.reshape(N, -1)", "return x.reshape(-1, N).T")],
        {"torch_flatten": [r"flatten \(float64 inputs, x \(3, 2, 5, 4\)\): out:", r"another order"],
         "torch_two_layer_fc": [r"two_layer_fc .*: out:"],
         "torch_three_layer_convnet": [r"three_layer_convnet .*: out:"],
         "torch_module_convnet": [r"ThreeLayerConvNet\(3, 8, 6, 10.*: out:"]}),
}


@pytest.fixture(scope="module")
def remote():
    with served(_solution) as peer:
        yield peer


def _notebook_table():
    """grade id -> points in the docstring's PyTorch.ipynb table."""
    doc = package.__doc__
    section = doc[doc.index("PyTorch.ipynb (9 points)"):].split("\n\n")[0]
    return {m.group(1): int(m.group(2)) for m in re.finditer(r"^(torch_\w+)\s+(\d+)\s", section, re.M)}


def _run_torch_tests(root):
    """Every torch_ hidden test on the package imported as ``root``, with the scorer's inputs."""
    def load(spec):
        module, _, obj = spec.partition(":")
        if module.split(".")[0] == "cs231n":
            module = module.replace("cs231n", root, 1)
        return getattr(importlib.import_module(module), obj)

    return {gid: core.execute(test, None, core.Session(core.SCORER_SALT, load)) for gid, test in TESTS.items()}


def test_the_notebook_table_holds_the_four_torch_cells_and_9_points():
    table = _notebook_table()
    assert set(table) == set(TESTS) and len(table) == 4
    assert sum(table.values()) == 9 == sum(t.points for t in TESTS.values())
    assert {t.func.__module__ for t in TESTS.values()} == {"grading.hidden.assignment2.pytorch"}


@pytest.mark.parametrize("over", ["objects", "wire"])
@pytest.mark.parametrize("salt", sorted(SALTS))
@pytest.mark.parametrize("gid", sorted(TESTS))
def test_torch_hidden_test_passes_on_the_solution_in_time(remote, gid, salt, over):
    outcome = run_on_solution(TESTS[gid], _solution, remote, salt, over)
    assert outcome.passed, outcome.message
    if over == "wire":  # after the objects runs of the same test: torch's one-off op set-up is paid
        assert outcome.seconds < BUDGET_S, f"{gid} took {outcome.seconds:.2f} s on the solution"


@pytest.mark.parametrize("name", sorted(MUTANTS))
def test_mutant_fails_exactly_its_cells_with_a_fitting_message(tmp_path_factory, name):
    changes, expected = MUTANTS[name]
    outcomes = _run_torch_tests(_mutant_package(tmp_path_factory, f"torch_{name}", "torch_nets.py", changes))
    failed = {gid for gid, outcome in outcomes.items() if not outcome.passed}
    assert failed == set(expected), {gid: outcomes[gid].message for gid in failed ^ set(expected)}
    for gid, patterns in expected.items():
        message = outcomes[gid].message
        assert message.startswith(f"hidden test {gid} failed:"), message
        for pattern in patterns:
            assert re.search(pattern, message), f"{gid}: {pattern!r} not in\n{message}"
        assert "Likely cause:" in message, message
        assert "[[" not in message and "array(" not in message and "tensor(" not in message, message


def test_the_release_stubs_fail_every_torch_cell_as_not_written_yet(tmp_path):
    folder = tmp_path / "cs231n"
    shutil.copytree(SOLUTION, folder, ignore=shutil.ignore_patterns("__pycache__"))
    strip_tree(tmp_path, notebooks=SOLUTION.parent)
    text = (folder / "torch_nets.py").read_text()
    for stub in ("flatten", "two_layer_fc", "three_layer_convnet", "ThreeLayerConvNet.__init__",
                 "ThreeLayerConvNet.forward"):
        assert f'raise NotImplementedError("{stub} is not written yet; checked in ' in text, stub
    assert "SOLUTION" not in text and "F.conv2d(x, conv_w1" not in text
    outcomes = _run_torch_tests(_import_as(folder, "released_torch_stubs_cs231n"))
    for gid, outcome in outcomes.items():
        assert outcome.message == f"hidden test {gid}: not implemented yet (NotImplementedError)", outcome.message
