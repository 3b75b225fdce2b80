"""Every hidden test of assignment 2 passes on the solution package under both input salts
(the scorer's and the kernel's), on the real objects and on remote handles over the data-only
wire of ``grading.kernel.peer`` (the student's side served from a thread here, unsandboxed).

Over the wire every call and attribute read hands back data or another handle, and a function
the test sets on a student object becomes a callback, so a test that subclasses a student class,
checks an identity or the type of a student object, or expects a student's function to change a
dict it was given in the grader's process, fails here.  The grade-id table is the one of
``grading/hidden/assignment2/__init__.py``."""

import importlib
import re
import socket
import threading

import pytest

from grading.hidden import core
from grading.kernel.peer import STUDENT_OPS, TRUSTED_OPS, Peer
from notebook_checks import solution_object

import grading.hidden.assignment2 as package

TESTS = core.load_assignment("assignment2")
SALTS = {"scorer": core.SCORER_SALT, "kernel": core.KERNEL_SALT}


def _solution(module: str, name: str):
    """The student's side: the solution package as ``cs231n``, anything else (numpy, probes) imported."""
    if module.split(".")[0] == "cs231n":
        return solution_object(module, name, assignment="assignment2")
    return getattr(importlib.import_module(module), name)


@pytest.fixture(scope="module")
def remote():
    """A trusted-side peer whose ``import`` requests a thread answers with the solution's objects."""
    ours, theirs = socket.socketpair()
    server = threading.Thread(target=Peer(theirs, STUDENT_OPS, importer=_solution).serve, daemon=True)
    server.start()
    peer = Peer(ours, TRUSTED_OPS)
    yield peer
    peer.request("close")
    server.join(timeout=10)
    ours.close()
    theirs.close()


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
    def load(spec):
        module, _, name = spec.partition(":")
        return remote.request("import", module=module, name=name) if over == "wire" else _solution(module, name)

    outcome = core.execute(TESTS[gid], None, core.Session(SALTS[salt], load))
    if over == "wire":
        remote.request("reset")
    assert outcome.passed, outcome.message
