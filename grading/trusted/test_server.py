"""Serves ``run_hidden`` for a grading kernel (see :mod:`grading.kernel.client`).

Listens on a unix socket inside the worker's private folder.  For each
connection: read the test's name, run it here with the kernel's objects as
remote handles (kernel salt: other inputs than the authoritative scorer's),
send the outcome back.  Records what it told the kernel, and every float the
kernel was sent (so feedback can drop output that prints hidden inputs).
"""

from __future__ import annotations

import os
import socket
import threading
from pathlib import Path

import numpy as np

from grading.hidden.core import KERNEL_SALT, Outcome, Session, UnknownHiddenTest, execute, find
from grading.kernel.peer import TRUSTED_OPS, Peer
from grading.kernel.wire import WireError

from .student_process import Unavailable

#: Keep at most this many distinct input values for the output scan.
MAX_TRACKED = 200_000


class _TrackingPeer(Peer):
    def __init__(self, sock, sink: list):
        super().__init__(sock, TRUSTED_OPS)
        self.sink = sink

    def _send(self, header, payload):
        _collect(payload, self.sink)
        super()._send(header, payload)


def _collect(value, sink: list) -> None:
    if isinstance(value, np.ndarray) and value.dtype.kind in "fc" and value.size:
        sink.append(np.asarray(value.real, dtype=np.float64).ravel()[:MAX_TRACKED])
    elif isinstance(value, (list, tuple)):
        for v in value:
            _collect(v, sink)
    elif isinstance(value, dict):
        for v in value.values():
            _collect(v, sink)


class TestServer:
    def __init__(self, socket_path: Path, assignment: str, seconds_per_test: float):
        self.path = Path(socket_path)
        self.assignment = assignment
        self.seconds = seconds_per_test
        self.outcomes: dict[str, list[Outcome]] = {}
        self._sent: list[np.ndarray] = []
        self._sock: socket.socket | None = None
        self._thread: threading.Thread | None = None

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.stop()

    def start(self) -> None:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        _bind(sock, self.path)
        os.chmod(self.path, 0o777)  # the sandbox runs as another uid
        sock.listen(4)
        self._sock = sock
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        if self._sock is not None:
            try:
                self._sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            self._sock.close()
            self._sock = None
        if self._thread is not None:
            self._thread.join(timeout=5)

    def sent_values(self) -> np.ndarray:
        """Every float input the kernel was sent, sorted and unique."""
        if not self._sent:
            return np.zeros(0)
        return np.unique(np.concatenate(self._sent)[: 4 * MAX_TRACKED])

    def _accept(self) -> None:
        while self._sock is not None:
            try:
                conn, _ = self._sock.accept()
            except OSError:
                return
            with conn:
                try:
                    self._serve(conn)
                except Exception:  # a kernel that hangs up or talks nonsense gets nothing more
                    pass

    def _serve(self, conn: socket.socket) -> None:
        peer = _TrackingPeer(conn, self._sent)
        peer.set_budget(30)
        header, body = peer._recv()
        name = str(body.get("test", "")) if header.get("kind") == "hello" else ""
        try:
            test = find(name if "/" in name else f"{self.assignment}/{name}")
            if test.assignment != self.assignment:
                raise UnknownHiddenTest(f"{name} is not a test of {self.assignment}")
        except (UnknownHiddenTest, ImportError) as exc:
            peer.request("finish", passed=False, message=f"hidden test {name}: {exc}")
            return
        peer.set_budget(self.seconds)
        outcome = execute(test, None, Session(KERNEL_SALT, lambda spec: _load(peer, spec)))
        self.outcomes.setdefault(test.grade_id, []).append(outcome)
        peer.set_budget(30)
        peer.request("finish", passed=outcome.passed, message=outcome.message)


def _load(peer: Peer, spec: str):
    module, _, name = spec.partition(":")
    try:
        return peer.request("import", module=module, name=name)
    except ImportError as exc:
        return Unavailable(name, str(exc))
    except (WireError, Exception) as exc:
        return Unavailable(name, f"the notebook's kernel did not provide {name} ({exc})")


def _bind(sock: socket.socket, path: Path) -> None:
    """Bind to ``path`` even when it is longer than a unix socket name may be (108 bytes):
    through ``/proc/self/fd/<the folder>`` (no chdir: other students are graded in other threads)."""
    if len(str(path)) < 100:
        sock.bind(str(path))
        return
    fd = os.open(path.parent, os.O_RDONLY | os.O_DIRECTORY)
    try:
        sock.bind(f"/proc/self/fd/{fd}/{path.name}")
    finally:
        os.close(fd)
