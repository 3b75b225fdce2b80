"""Remote objects over the data-only wire: the trusted side calls the student's
code, which runs in another (sandboxed) process, and gets back only data.

Both ends are a :class:`Peer`.  Values travel by value (:mod:`.wire`); any other
object stays where it lives and the other side gets a :class:`Remote` handle:
reading an attribute, setting one or calling it is a request answered by the
owner.  Requests nest: while the trusted side waits for ``clf.train(...)``, the
student's code may call a function the trusted side passed in (a replaced
``clf.loss``), and that function may read ``clf.W`` -- each side serves the
other's requests while it waits for its own reply.

What each side may ask is limited by ``serves``:

- the student side (``STUDENT_OPS``) imports ``module:name`` for the grader and
  does attribute reads, writes and calls on its own objects;
- the trusted side (``TRUSTED_OPS``) only calls the functions it handed over.

An exception travels as its type name and message.  The receiver raises the
builtin of that name (``ValueError`` ...) or :class:`StudentError`; an exception
that a trusted callback raised comes back as the original object.
"""

from __future__ import annotations

import builtins
import itertools
import socket
import time

from .wire import PeerClosed, WireError, decode, encode, recv_message, send_message

STUDENT_OPS = frozenset({"import", "getattr", "setattr", "call", "reset", "close"})
TRUSTED_OPS = frozenset({"call"})

#: Builtin exceptions re-raised as themselves on the receiving side (tests catch e.g. ValueError).
_BUILTIN_ERRORS = {name: getattr(builtins, name) for name in (
    "ValueError", "TypeError", "IndexError", "KeyError", "AttributeError", "NotImplementedError",
    "ZeroDivisionError", "RuntimeError", "AssertionError", "ArithmeticError", "FloatingPointError",
    "OverflowError", "MemoryError", "RecursionError", "LookupError", "ImportError", "ModuleNotFoundError",
    "NameError", "UnboundLocalError", "OSError", "PermissionError", "FileNotFoundError", "SystemError")}


class StudentError(Exception):
    """An exception of a type that is not a builtin, raised by the other side."""

    def __init__(self, type_name: str, message: str):
        super().__init__(message)
        self.type_name = type_name
        self.student_message = f"your code raised {type_name}: {message}"


class RemoteTimeout(Exception):
    """No reply before the deadline (the student's code is still running)."""

    def __init__(self, seconds: float):
        super().__init__(f"no answer within {seconds:.0f} s")
        self.student_message = (f"your code did not finish within {seconds:.0f} s (an infinite loop, or far too "
                                "slow); it was stopped")


class Remote:
    """A handle on an object that lives on the other side."""

    __slots__ = ("_peer", "_id", "_type")

    def __init__(self, peer: "Peer", ident: int, type_name: str):
        object.__setattr__(self, "_peer", peer)
        object.__setattr__(self, "_id", ident)
        object.__setattr__(self, "_type", type_name)

    def __getattr__(self, name):
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(name)
        return self._peer.request("getattr", target=self, name=name)

    def __setattr__(self, name, value):
        self._peer.request("setattr", target=self, name=name, value=value)

    def __call__(self, *args, **kwargs):
        return self._peer.request("call", target=self, args=list(args), kwargs=dict(kwargs))

    def __repr__(self):
        return f"<remote {self._type}>"


class Peer:
    """One end of a connection; ``serves`` is the set of operations it answers."""

    def __init__(self, sock: socket.socket, serves: frozenset, importer=None):
        self.sock = sock
        self.serves = serves
        self.importer = importer  # (module, name) -> object, on the student side
        self.exported: dict[int, object] = {}
        self.raised: dict[int, BaseException] = {}
        self._ids = itertools.count(1)
        self.deadline: float | None = None  # time.monotonic() value; None waits forever
        self.closed = False

    # ------------------------------------------------------------------ encoding
    def _export(self, obj):
        if isinstance(obj, Remote):
            if obj._peer is not self:
                raise WireError("a remote object of another connection")
            return {"$": "yours", "id": obj._id}
        ident = next(self._ids)
        self.exported[ident] = obj
        return {"$": "obj", "id": ident, "type": type(obj).__name__[:80]}

    def _resolve(self, node):
        kind = node.get("$")
        if kind == "obj":
            return Remote(self, int(node["id"]), str(node.get("type", "object"))[:80])
        if kind == "yours":
            try:
                return self.exported[int(node["id"])]
            except KeyError:
                raise WireError("a reference to an object that was released") from None
        raise WireError(f"unknown value kind {kind!r}")

    def _send(self, header: dict, payload: dict) -> None:
        buffers: list = []
        header = dict(header, body={k: encode(v, buffers, self._export) for k, v in payload.items()})
        try:
            send_message(self.sock, header, buffers)
        except OSError as exc:  # the other side went away
            raise PeerClosed(str(exc)) from None

    def _recv(self):
        if self.deadline is None:
            self.sock.settimeout(None)
        else:
            remaining = self.deadline - time.monotonic()
            if remaining <= 0:
                raise RemoteTimeout(self._budget)
            self.sock.settimeout(remaining)
        try:
            header, buffers = recv_message(self.sock)
        except (socket.timeout, TimeoutError):
            raise RemoteTimeout(self._budget) from None
        except OSError as exc:
            raise PeerClosed(str(exc)) from None
        body = header.get("body", {})
        if not isinstance(body, dict):
            raise WireError("malformed message body")
        return header, {k: decode(v, buffers, self._resolve) for k, v in body.items()}

    _budget = 0.0

    def set_budget(self, seconds: float | None) -> None:
        """Replies must come within ``seconds`` from now (None: no limit)."""
        self._budget = seconds or 0.0
        self.deadline = None if seconds is None else time.monotonic() + seconds

    # ------------------------------------------------------------------ requests
    def request(self, op: str, **fields):
        """Send request ``op`` and wait for its reply, serving the other side's requests meanwhile."""
        if self.closed:
            raise PeerClosed("the connection is closed")
        rid = next(self._ids)
        self._send({"kind": "req", "id": rid, "op": op}, fields)
        while True:
            header, body = self._recv()
            if header.get("kind") == "reply" and header.get("id") == rid:
                return self._result(header, body)
            if header.get("kind") == "req":
                self._handle(header, body)
                continue
            raise WireError("unexpected message")

    def _result(self, header, body):
        error = header.get("error")
        if error is None:
            return body.get("value")
        token = error.get("token")
        if isinstance(token, int) and token in self.raised:
            raise self.raised.pop(token)
        type_name, message = str(error.get("type", "Exception"))[:80], str(error.get("message", ""))[:4000]
        cls = _BUILTIN_ERRORS.get(type_name)
        exc = cls(message) if cls is not None else StudentError(type_name, message)
        if cls is not None:
            exc.student_message = f"your code raised {type_name}: {message}"
        if isinstance(token, int):  # raised by the other side's callback: keep its identity on the way back
            exc._peer_token = token
        raise exc

    def serve(self) -> None:
        """Answer requests until the other side sends ``close`` or goes away."""
        while not self.closed:
            try:
                header, body = self._recv()
            except PeerClosed:
                return
            if header.get("kind") != "req":
                raise WireError("expected a request")
            try:
                self._handle(header, body)
            except PeerClosed:  # gone before our reply
                return

    def _handle(self, header, body) -> None:
        rid, op = header.get("id"), header.get("op")
        try:
            if op not in self.serves:
                raise PermissionError(f"operation {op!r} is not allowed")
            value = self._dispatch(op, body)
            self._send({"kind": "reply", "id": rid}, {"value": value})
        except (PeerClosed, RemoteTimeout):
            raise
        except BaseException as exc:  # the student's code may raise anything, even SystemExit
            if isinstance(exc, KeyboardInterrupt):
                raise
            token = getattr(exc, "_peer_token", None)
            if token is None and self.serves is TRUSTED_OPS:
                token = next(self._ids)
                self.raised[token] = exc
            error = {"type": type(exc).__name__, "message": _message(exc), "token": token}
            try:
                self._send({"kind": "reply", "id": rid, "error": error}, {})
            except WireError:
                self._send({"kind": "reply", "id": rid, "error": dict(error, message="(unreadable message)")}, {})

    def _dispatch(self, op, body):
        if op == "call":
            target = body["target"]
            result = target(*body.get("args", []), **body.get("kwargs", {}))
            if self.serves is STUDENT_OPS:
                _check_sendable(result)
            return result
        if op == "getattr":
            return getattr(body["target"], str(body["name"]))
        if op == "setattr":
            setattr(body["target"], str(body["name"]), body["value"])
            return None
        if op == "import":
            return self.importer(str(body["module"]), str(body["name"]))
        if op == "reset":
            self.exported.clear()
            return None
        if op == "close":
            self.closed = True
            return None
        raise PermissionError(f"unknown operation {op!r}")


def _message(exc: BaseException) -> str:
    try:
        return str(exc)[:4000]
    except Exception:
        return "(unprintable message)"


def _check_sendable(value) -> None:
    """Fail now, inside the student's call, rather than while encoding the reply."""
    import numpy as np
    if isinstance(value, np.ndarray) and value.dtype.kind not in "biufc":
        raise TypeError(f"the result is an array of dtype {value.dtype}; the grader reads only arrays of numbers")
