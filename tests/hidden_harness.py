"""Hidden tests run on an assignment's solution package inside the test process: on its objects
directly, or on remote handles over the data-only wire of ``grading.kernel.peer`` (the student's side
served from a thread here, unsandboxed).  Over the wire every call and attribute read hands back data
or another handle, and a function the test sets on a student object becomes a callback, so a test that
breaks the rules of ``grading.hidden.core`` fails there."""

from __future__ import annotations

import importlib
import socket
import threading
from contextlib import contextmanager

from grading.hidden import core
from grading.kernel.peer import STUDENT_OPS, TRUSTED_OPS, Peer
from notebook_checks import solution_object

#: The two input salts: the trusted scorer's and the grading kernel's.
SALTS = {"scorer": core.SCORER_SALT, "kernel": core.KERNEL_SALT}


def solution_importer(assignment: str):
    """The student's side of ``assignment``: ``(module, name)`` -> the solution package's object for
    ``cs231n...`` modules, anything else (numpy, probes, collections) imported."""
    def load(module: str, name: str):
        if module.split(".")[0] == "cs231n":
            return solution_object(module, name, assignment=assignment)
        return getattr(importlib.import_module(module), name)
    return load


@contextmanager
def served(importer):
    """A trusted-side peer whose ``import`` requests a thread answers with ``importer``'s objects."""
    ours, theirs = socket.socketpair()
    server = threading.Thread(target=Peer(theirs, STUDENT_OPS, importer=importer).serve, daemon=True)
    server.start()
    peer = Peer(ours, TRUSTED_OPS)
    try:
        yield peer
    finally:
        peer.request("close")
        server.join(timeout=10)
        ours.close()
        theirs.close()


def run_on_solution(test, importer, peer, salt: str, over: str) -> core.Outcome:
    """``test`` under ``SALTS[salt]``, its objects loaded directly (``over="objects"``) or over the wire
    (``over="wire"``, after which the peer's handles are reset)."""
    def load(spec):
        module, _, name = spec.partition(":")
        return peer.request("import", module=module, name=name) if over == "wire" else importer(module, name)

    outcome = core.execute(test, None, core.Session(SALTS[salt], load))
    if over == "wire":
        peer.request("reset")
    return outcome
