"""A sandboxed process holding one submission's code, driven from the trusted side.

    with StudentProcess(folder, sandbox) as student:
        KNN = student.load("cs231n.classifiers.k_nearest_neighbor:KNearestNeighbor")
        clf = KNN(); clf.train(X, y)          # runs over there; arrays come back

``folder`` holds the submission (its ``cs231n`` package and data files) and is
the process's working directory.  The process is started on first use and
again after it died or was stopped for running too long, so one infinite loop
costs only the test that ran into it.
"""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
from pathlib import Path

from cs231n_lib.student import Unavailable
from grading.hidden.core import SCORER_SALT, Session
from grading.kernel.peer import TRUSTED_OPS, Peer, RemoteTimeout
from grading.kernel.wire import WireError

from grading.sandbox.run import kill

from .sandboxing import sandbox_env


class StudentProcess:
    def __init__(self, folder: Path, sandbox, salt: int = SCORER_SALT):
        self.folder = Path(folder)
        self.sandbox = sandbox
        self.salt = salt
        self.proc: subprocess.Popen | None = None
        self.peer: Peer | None = None
        self.events: list[str] = []

    # --------------------------------------------------------------- lifecycle
    def start(self) -> None:
        parent, child = socket.socketpair()
        self.proc = self.sandbox.popen(
            [sys.executable, "-m", "grading.kernel.serve", str(child.fileno())],
            env=sandbox_env(), cwd=self.folder, pass_fds=[child.fileno()],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        child.close()
        self.peer = Peer(parent, TRUSTED_OPS)

    def ensure_started(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            self.stop()
            self.start()

    def stop(self) -> None:
        if self.peer is not None:
            try:
                self.peer.sock.close()
            except OSError:
                pass
        if self.proc is not None and self.proc.poll() is None:
            kill(self.proc)
        if self.proc is not None:
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                pass
        self.proc, self.peer = None, None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()

    # --------------------------------------------------------------- use
    def session(self) -> Session:
        return Session(self.salt, self.load)

    def load(self, spec: str):
        """``module:name`` from the student's process, or :class:`Unavailable` saying why not."""
        module, _, name = spec.partition(":")
        try:
            return self.peer.request("import", module=module, name=name)
        except ImportError as exc:
            return Unavailable(name, str(exc))
        except Exception as exc:  # the process died or hung while importing
            return Unavailable(name, self.failure(exc) or f"your code could not be loaded ({exc})")

    def failure(self, exc: BaseException | None = None) -> str | None:
        """Plain words for what went wrong with the process (None when it is fine)."""
        if isinstance(exc, RemoteTimeout):
            return exc.student_message
        if self.proc is None:
            return None
        try:
            code = self.proc.wait(timeout=2 if exc is not None else 0.01)
        except subprocess.TimeoutExpired:
            return None if not isinstance(exc, WireError) else f"your code sent data the grader cannot read ({exc})"
        return describe_exit(code)


def describe_exit(code: int | None) -> str:
    if code is None:
        return "the process running your code stopped"
    if code < 0:
        sig = -code
        if sig == signal.SIGXCPU:
            return "the process running your code used up its CPU-time limit and was stopped"
        if sig == signal.SIGKILL:
            return ("the process running your code was killed (out of memory, too many processes, or over its "
                    "time limit)")
        if sig == signal.SIGXFSZ:
            return "the process running your code wrote a file over the size limit and was stopped"
        return f"the process running your code was killed by signal {signal.Signals(sig).name}"
    return (f"the process running your code exited with code {code} while being tested "
            "(os._exit, sys.exit or a crash in your code)")
