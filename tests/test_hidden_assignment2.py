"""Every hidden test of assignment 2 passes on the solution package under both input salts
(the scorer's and the kernel's), on the real objects and on remote handles over the data-only
wire of ``grading.kernel.peer`` (the student's side served from a thread here, unsandboxed).

Over the wire every call and attribute read hands back data or another handle, and a function
the test sets on a student object becomes a callback, so a test that subclasses a student class,
checks an identity or the type of a student object, or expects a student's function to change a
dict it was given in the grader's process, fails here.  The grade-id table is the one of
``grading/hidden/assignment2/__init__.py``."""

import re

import pytest

from grading.hidden import core
from hidden_harness import SALTS, run_on_solution, served, solution_importer

import grading.hidden.assignment2 as package

TESTS = core.load_assignment("assignment2")
_solution = solution_importer("assignment2")


@pytest.fixture(scope="module")
def remote():
    """A trusted-side peer whose ``import`` requests a thread answers with the solution's objects."""
    with served(_solution) as peer:
        yield peer


def _table():
    """grade id -> (points, [object names]) from the docstring's table (the fixed source of truth)."""
    rows = {}
    for line in package.__doc__.splitlines():
        m = re.match(r"^(\w+)\s+(\d+)\s+(\S.*?)(?:\s{2,}\(.*\))?\s*$", line)
        if m and m.group(1) not in ("grade",):
            rows[m.group(1)] = (int(m.group(2)), [s.strip() for s in m.group(3).split(",")])
    return rows


def test_registry_matches_the_grade_id_table():
    table = _table()
    assert set(TESTS) == set(table)
    for gid, (points, uses) in table.items():
        assert TESTS[gid].points == points, gid
        assert list(TESTS[gid].uses) == uses, gid
        assert TESTS[gid].description, f"{gid} has no docstring"


@pytest.mark.parametrize("over", ["objects", "wire"])
@pytest.mark.parametrize("salt", sorted(SALTS))
@pytest.mark.parametrize("gid", sorted(TESTS))
def test_hidden_test_passes_on_the_solution(remote, gid, salt, over):
    outcome = run_on_solution(TESTS[gid], _solution, remote, salt, over)
    assert outcome.passed, outcome.message


def test_a_student_side_dict_sees_what_batchnorm_writes_back_over_the_wire(remote):
    """Why the normalization tests pass a ``collections.UserDict`` made on the student's side: a plain dict
    travels by value, so what the student's function writes into it stays in the student's process."""
    import numpy as np

    forward = remote.request("import", module="cs231n.layers", name="batchnorm_forward")
    user_dict = remote.request("import", module="collections", name="UserDict")
    x, gamma, beta = np.arange(12.0).reshape(4, 3), np.ones(3), np.zeros(3)
    plain_param = {"mode": "train"}
    forward(x, gamma, beta, plain_param)
    assert "running_mean" not in plain_param
    remote_param = user_dict({"mode": "train"})
    forward(x, gamma, beta, remote_param)
    assert np.allclose(remote_param.data["running_mean"], 0.1 * x.mean(axis=0))
    remote.request("reset")


def test_kit_layer_helpers():
    import numpy as np

    from cs231n_lib.checks import CheckFailed
    from grading.hidden import kit

    x = np.zeros((3, 4, 5), dtype=np.float32)
    assert kit.describe_arrays(np.float32, x=x, p=0.5) == "float32 inputs, x (3, 4, 5), p=0.5"
    assert kit.call_layer(lambda a, b: (a + b, None), "f", x, x, returns=("out", "cache"))[0].shape == x.shape
    with pytest.raises(CheckFailed, match=r"f must return a tuple \(out, cache\); got ndarray"):
        kit.call_layer(lambda a: a, "f", x, returns=("out", "cache"))
    want = {"dx": np.ones(3), "db": np.ones(2)}
    kit.expect_arrays("layer", {"dx": np.ones(3, np.float32), "db": np.ones(2, np.float32)}, want, np.float32)
    with pytest.raises(CheckFailed, match=r"layer: db has dtype float64 but expected float32"):
        kit.expect_arrays("layer", {"dx": np.ones(3, np.float32), "db": np.ones(2)}, want, np.float32)
    with pytest.raises(CheckFailed, match=r"layer: dx: .*\nLikely cause: halved"):
        kit.expect_arrays("layer", {"dx": 0.5 * np.ones(3), "db": np.ones(2)}, want, np.float64, keep_dtype=False,
                          diagnoses={"dx": [("halved", 0.5 * np.ones(3))]})
