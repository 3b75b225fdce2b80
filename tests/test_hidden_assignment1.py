"""Every hidden test of assignment 1 passes on the solution package under both input salts
(the scorer's and the kernel's), on the real objects and on remote handles over the data-only
wire of ``grading.kernel.peer`` (the student's side served from a thread here, unsandboxed).

Over the wire every call and attribute read hands back data or another handle, and a function
the test sets on a student object becomes a callback, so a test that subclasses a student class,
checks an identity or the type of a student object fails here."""

import numpy as np
import pytest

from grading.hidden import core
from hidden_harness import SALTS, run_on_solution, served, solution_importer

TESTS = core.load_assignment("assignment1")
_solution = solution_importer("assignment1")


@pytest.fixture(scope="module")
def remote():
    """A trusted-side peer whose ``import`` requests a thread answers with the solution's objects."""
    with served(_solution) as peer:
        yield peer


@pytest.mark.parametrize("over", ["objects", "wire"])
@pytest.mark.parametrize("salt", sorted(SALTS))
@pytest.mark.parametrize("gid", sorted(TESTS))
def test_hidden_test_passes_on_the_solution(remote, gid, salt, over):
    outcome = run_on_solution(TESTS[gid], _solution, remote, salt, over)
    assert outcome.passed, outcome.message


def test_the_wire_refuses_what_the_rules_forbid(remote):
    K = remote.request("import", module="cs231n.classifiers.k_nearest_neighbor", name="KNearestNeighbor")
    with pytest.raises(TypeError):
        type("Sub", (K,), {})
    X = np.zeros((2, 3))
    clf = K()
    clf.train(X, np.arange(2))
    assert clf.X_train is not clf.X_train and np.array_equal(clf.X_train, X)
    assert not isinstance(clf, _solution("cs231n.classifiers.k_nearest_neighbor", "KNearestNeighbor"))
    remote.request("reset")
