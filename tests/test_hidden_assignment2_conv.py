"""The hidden tests of ConvolutionalNetworks.ipynb (``grading/hidden/assignment2/{conv,spatial_norm,cnn}.py``):
each passes on the solution package under both input salts, on the real objects and over the data-only wire
(``tests/hidden_harness.py``), fast enough for naive loops (well under 2 s on one core); the grade-id table of
``grading/hidden/assignment2/__init__.py`` gives the notebook its 30 points.

``tests/test_hidden_assignment2.py`` runs every assignment-2 test the same way; this file adds the time
bound and the notebook's own table, and is what to run while working on the conv tests alone."""

import re

import pytest

from grading.hidden import core
from hidden_harness import SALTS, run_on_solution, served, solution_importer

import grading.hidden.assignment2 as package

TESTS = {gid: t for gid, t in core.load_assignment("assignment2").items() if gid.startswith("conv_")}
_solution = solution_importer("assignment2")
#: Seconds one hidden test may take on the solution (measured well below on the shared 2-core VM).
BUDGET_S = 2.0


@pytest.fixture(scope="module")
def remote():
    """The wire's peer, after one call of each torch op the oracles use (torch's first call of an op pays a
    one-off set-up that is not the test's time)."""
    import numpy as np

    from grading.oracles import conv as oracle
    x = np.ones((1, 2, 4, 4))
    oracle.conv(x, np.ones((1, 2, 3, 3)), np.ones(1), 1, 1, dout=np.ones((1, 1, 4, 4)))
    oracle.max_pool(x, 2, 2, 2, dout=np.ones((1, 2, 2, 2)))
    oracle.spatial_groupnorm(x, np.ones((1, 2, 1, 1)), np.zeros((1, 2, 1, 1)), 2, dout=x)
    with served(_solution) as peer:
        yield peer


def _notebook_table():
    """grade id -> points in the docstring's ConvolutionalNetworks.ipynb table."""
    doc = package.__doc__
    section = doc[doc.index("ConvolutionalNetworks.ipynb (30 points)"):].split("\n\n")[0]
    return {m.group(1): int(m.group(2)) for m in re.finditer(r"^(conv_\w+)\s+(\d+)\s", section, re.M)}


def test_the_notebook_table_holds_the_ten_conv_cells_and_30_points():
    table = _notebook_table()
    assert set(table) == set(TESTS) and len(table) == 10
    assert sum(table.values()) == 30 == sum(t.points for t in TESTS.values())
    assert {t.func.__module__.rsplit(".", 1)[1] for t in TESTS.values()} == {"conv", "spatial_norm", "cnn"}


@pytest.mark.parametrize("over", ["objects", "wire"])
@pytest.mark.parametrize("salt", sorted(SALTS))
@pytest.mark.parametrize("gid", sorted(TESTS))
def test_conv_hidden_test_passes_on_the_solution_in_time(remote, gid, salt, over):
    outcome = run_on_solution(TESTS[gid], _solution, remote, salt, over)
    assert outcome.passed, outcome.message
    if over == "objects":
        assert outcome.seconds < BUDGET_S, f"{gid} took {outcome.seconds:.2f} s on the solution"
