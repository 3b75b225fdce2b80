"""grading.kernel.peer: remote objects over a socket, with a student side serving in a thread.

The trusted side imports the student's objects, reads and sets attributes and
calls them; callbacks it hands over are called back by the student's code
(nested requests); exceptions travel by type name, except those a trusted
callback raised, which come back as the very same object; the trusted side
answers nothing but calls of what it handed over; a budget turns a hang into
RemoteTimeout.
"""

from __future__ import annotations

import socket
import sys
import threading
import time
from types import SimpleNamespace

import numpy as np
import pytest

from grading.kernel.peer import STUDENT_OPS, TRUSTED_OPS, Peer, Remote, RemoteTimeout, StudentError
from grading.kernel.wire import PeerClosed, WireError


# ----------------------------------------------------------------------------- the "student's code"

class StudentsOwnError(Exception):
    pass


class Model:
    def __init__(self, scale=1.0):
        self.scale = scale
        self.W = np.zeros(3)
        self.calls = 0

    def loss(self, x):
        return float(np.sum(x)) * self.scale

    def train(self, x, steps=1):
        for _ in range(steps):
            self.W = self.W + 1
            self.calls += 1
            last = self.loss(x)  # replaced on the instance by the grader
        return last

    def predict(self, X):
        return X @ self.W

    def explode(self, kind):
        if kind == "value":
            raise ValueError("X has the wrong shape")
        if kind == "custom":
            raise StudentsOwnError("my own failure")
        if kind == "exit":
            sys.exit(3)
        if kind == "key":
            raise KeyError("missing")
        raise RuntimeError(kind)


def call_it(f, *args):
    return f(*args)


def call_and_swallow(f):
    try:
        f()
    except Exception as exc:
        return [type(exc).__name__, str(exc)]
    return None


def call_and_raise_other(f):
    try:
        f()
    except Exception:
        raise RuntimeError("student replaced the error")


def poke_trusted(f, op):
    """What the student's code sees when it asks the trusted side for more than a call."""
    try:
        if op == "getattr":
            f.__globals_copy
        elif op == "setattr":
            f.planted = 1
        elif op == "import":
            f._peer.request("import", module="os", name="system")
        elif op == "reset":
            f._peer.request("reset")
        elif op == "close":
            f._peer.request("close")
    except BaseException as exc:
        return [type(exc).__name__, getattr(exc, "type_name", None), str(exc)]
    return "allowed"


def is_same(a, b):
    return a is b


def kind_of(a):
    return type(a).__name__


def sleepy(seconds):
    time.sleep(seconds)
    return "woke"


def unsendable(kind):
    if kind == "object array":
        return np.array([object(), 1], dtype=object)
    if kind == "nested object array":
        return [1, np.array([object()], dtype=object)]
    return np.array(["text"])


def make_object():
    return Model(scale=2.0)


OBJECTS = {("student.models", name): obj for name, obj in [
    ("Model", Model), ("call_it", call_it), ("call_and_swallow", call_and_swallow),
    ("call_and_raise_other", call_and_raise_other), ("poke_trusted", poke_trusted), ("is_same", is_same),
    ("kind_of", kind_of), ("sleepy", sleepy), ("unsendable", unsendable), ("make_object", make_object)]}


def importer(module, name):
    try:
        return OBJECTS[(module, name)]
    except KeyError:
        raise ImportError(f"no {module}:{name}") from None


# ----------------------------------------------------------------------------- fixture

@pytest.fixture
def link():
    trusted_sock, student_sock = socket.socketpair()
    student = Peer(student_sock, STUDENT_OPS, importer=importer)
    errors: list = []

    def serve():
        try:
            student.serve()
        except BaseException as exc:
            errors.append(exc)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    trusted = Peer(trusted_sock, TRUSTED_OPS)
    trusted.set_budget(10)  # a broken peer fails the test instead of hanging it
    ns = SimpleNamespace(trusted=trusted, student=student, thread=thread, errors=errors, in_sync=True,
                         load=lambda name: trusted.request("import", module="student.models", name=name))
    yield ns
    if ns.in_sync:
        trusted.set_budget(5)
        trusted.request("close")
        thread.join(5)
        assert not thread.is_alive(), "the serving loop did not end on close"
        assert not errors, errors
    trusted_sock.close()
    student_sock.close()


# ----------------------------------------------------------------------------- objects

def test_import_construct_getattr_setattr_call(link):
    Model_ = link.load("Model")
    assert isinstance(Model_, Remote) and repr(Model_) == "<remote type>"
    clf = Model_(scale=3.0)
    assert isinstance(clf, Remote) and repr(clf) == "<remote Model>"
    assert clf.scale == 3.0
    np.testing.assert_array_equal(clf.W, np.zeros(3))
    clf.W = np.array([1.0, 2.0, 3.0])
    np.testing.assert_array_equal(clf.predict(np.eye(3)), [1.0, 2.0, 3.0])
    assert clf.loss(np.ones((2, 2), dtype=np.float32)) == 12.0
    assert clf.train(np.ones(2), steps=2) == 6.0
    np.testing.assert_array_equal(clf.W, [3.0, 4.0, 5.0])
    assert clf.calls == 2


def test_the_real_object_lives_on_the_student_side(link):
    clf = link.load("Model")()
    clf.scale = 7
    (real,) = [o for o in link.student.exported.values() if isinstance(o, Model)]
    assert real.scale == 7
    assert link.load("is_same")(clf, clf) is True
    assert link.load("kind_of")(clf) == "Model"  # a handle sent back is the student's own object again


def test_objects_returned_by_student_code_come_back_as_handles(link):
    obj = link.load("make_object")()
    assert isinstance(obj, Remote) and obj.scale == 2.0


def test_an_import_the_importer_refuses_is_an_import_error(link):
    with pytest.raises(ImportError, match="no student.models:Nope"):
        link.load("Nope")


def test_dunder_attributes_are_not_requested(link):
    clf = link.load("Model")()
    with pytest.raises(AttributeError):
        clf.__dict__
    assert clf.scale == 1.0  # the connection is still in order


def test_a_handle_of_another_connection_cannot_be_sent(link):
    a, b = socket.socketpair()
    foreign = Remote(Peer(a, TRUSTED_OPS), 1, "Model")
    try:
        with pytest.raises(WireError, match="another connection"):
            link.load("kind_of")(foreign)
    finally:
        a.close()
        b.close()
    assert link.load("kind_of")(1) == "int"  # nothing half-sent


# ----------------------------------------------------------------------------- callbacks (nested requests)

def test_student_code_calls_a_trusted_callback(link):
    seen = []

    def double(x):
        seen.append(x)
        return x * 2

    assert link.load("call_it")(double, np.arange(3)).tolist() == [0, 2, 4]
    assert len(seen) == 1 and isinstance(seen[0], np.ndarray)


def test_a_replaced_method_reads_the_remote_object_while_the_outer_call_runs(link):
    clf = link.load("Model")()
    seen_W = []

    def my_loss(x):
        W = clf.W  # a request to the student side, which is inside clf.train waiting for this reply
        seen_W.append(W)
        return float(W.sum()) * 100 + float(x.sum())

    clf.loss = my_loss
    result = clf.train(np.ones(2), steps=3)
    assert [w.tolist() for w in seen_W] == [[1, 1, 1], [2, 2, 2], [3, 3, 3]]
    assert result == 900 + 2
    assert clf.calls == 3


def test_callbacks_nest_several_levels(link):
    call_it = link.load("call_it")

    def level(n):
        return n if n == 0 else call_it(level, n - 1) + 1

    assert call_it(level, 5) == 5


# ----------------------------------------------------------------------------- exceptions

def test_a_builtin_exception_is_re_raised_as_itself_with_a_student_message(link):
    clf = link.load("Model")()
    with pytest.raises(ValueError, match="X has the wrong shape") as info:
        clf.explode("value")
    assert type(info.value) is ValueError
    assert info.value.student_message == "your code raised ValueError: X has the wrong shape"
    with pytest.raises(KeyError):
        clf.explode("key")
    assert clf.scale == 1.0


def test_a_custom_exception_becomes_student_error_with_its_type_name(link):
    clf = link.load("Model")()
    with pytest.raises(StudentError) as info:
        clf.explode("custom")
    assert info.value.type_name == "StudentsOwnError"
    assert str(info.value) == "my own failure"
    assert info.value.student_message == "your code raised StudentsOwnError: my own failure"
    assert not isinstance(info.value, StudentsOwnError)  # no class is rebuilt from the other side


def test_an_exception_of_a_trusted_callback_comes_back_as_the_same_object(link):
    class Mismatch(Exception):
        pass

    original = Mismatch("the oracle disagrees")

    def callback():
        raise original

    with pytest.raises(Mismatch) as info:
        link.load("call_it")(callback)
    assert info.value is original
    assert link.trusted.raised == {}  # handed back, not kept


def test_a_builtin_exception_of_a_trusted_callback_keeps_its_identity_too(link):
    original = ZeroDivisionError("trusted side divided by zero")

    def callback():
        raise original

    with pytest.raises(ZeroDivisionError) as info:
        link.load("call_it")(callback)
    assert info.value is original


def test_student_code_sees_the_callback_exception_by_type_name(link):
    def callback():
        raise ValueError("from the grader")

    assert link.load("call_and_swallow")(callback) == ["ValueError", "from the grader"]


def test_an_exception_the_student_raises_instead_is_not_mistaken_for_the_callbacks(link):
    def callback():
        raise ValueError("from the grader")

    with pytest.raises(RuntimeError, match="student replaced the error") as info:
        link.load("call_and_raise_other")(callback)
    assert not isinstance(info.value, ValueError)


def test_system_exit_in_student_code_does_not_stop_the_serving_loop(link):
    clf = link.load("Model")()
    with pytest.raises(StudentError) as info:
        clf.explode("exit")
    assert info.value.type_name == "SystemExit"
    assert link.thread.is_alive()
    assert clf.loss(np.ones(3)) == 3.0  # still serving


def test_an_unsendable_result_is_an_error_and_the_loop_keeps_serving(link):
    unsendable = link.load("unsendable")
    with pytest.raises(TypeError, match="dtype object"):
        unsendable("object array")
    with pytest.raises(TypeError, match="<U4"):
        unsendable("string array")
    with pytest.raises(StudentError) as info:  # caught while encoding the reply
        unsendable("nested object array")
    assert info.value.type_name == "WireError"
    assert link.load("call_it")(abs, -4) == 4


# ----------------------------------------------------------------------------- what the trusted side serves

@pytest.mark.parametrize("op", ["getattr", "setattr", "import", "reset", "close"])
def test_the_trusted_side_refuses_everything_but_calls(link, op):
    def callback():
        return "called"

    seen = link.load("poke_trusted")(callback, op)
    assert seen != "allowed"
    type_name, student_type_name, message = seen
    # PermissionError is not in the list of builtins rebuilt as themselves, so it arrives as a StudentError
    assert "PermissionError" in (type_name, student_type_name)
    assert f"operation {op!r} is not allowed" in message
    assert not hasattr(callback, "planted")
    assert not link.trusted.closed
    assert link.load("call_it")(callback) == "called"  # the connection is still in order


def test_the_student_side_serves_only_its_operations(link):
    with pytest.raises(PermissionError, match="operation 'finish' is not allowed"):
        link.trusted.request("finish", passed=True)


# ----------------------------------------------------------------------------- budget

def test_a_call_over_the_budget_raises_remote_timeout_quickly(link):
    sleepy = link.load("sleepy")
    link.trusted.set_budget(0.5)
    start = time.monotonic()
    with pytest.raises(RemoteTimeout) as info:
        sleepy(5)
    elapsed = time.monotonic() - start
    link.in_sync = False  # the student's reply is still to come
    assert 0.4 <= elapsed < 2.0
    assert "did not finish within" in info.value.student_message


def test_the_budget_covers_the_whole_test_not_each_reply(link):
    sleepy = link.load("sleepy")
    link.trusted.set_budget(0.6)
    sleepy(0.2)
    sleepy(0.2)
    with pytest.raises(RemoteTimeout):
        sleepy(0.4)  # 0.8 s in all
    link.in_sync = False


def test_an_expired_budget_fails_before_waiting(link):
    clf = link.load("Model")()
    link.trusted.set_budget(0.05)
    time.sleep(0.1)
    start = time.monotonic()
    with pytest.raises(RemoteTimeout):
        clf.loss(np.ones(1))
    assert time.monotonic() - start < 0.5
    link.in_sync = False


def test_no_budget_waits(link):
    link.trusted.set_budget(None)
    assert link.trusted.deadline is None
    assert link.load("sleepy")(0.3) == "woke"


# ----------------------------------------------------------------------------- ends

def test_reset_releases_the_student_sides_objects(link):
    link.load("Model")()
    assert link.student.exported
    link.trusted.request("reset")
    assert link.student.exported == {}


def test_a_closed_peer_refuses_requests():
    a, b = socket.socketpair()
    peer = Peer(a, TRUSTED_OPS)
    peer.closed = True
    with pytest.raises(PeerClosed):
        peer.request("call")
    a.close()
    b.close()


def test_the_other_side_going_away_while_waiting_is_peer_closed():
    a, b = socket.socketpair()
    peer = Peer(a, TRUSTED_OPS)
    peer.set_budget(5)
    threading.Timer(0.2, b.close).start()
    peer._send({"kind": "req", "id": 1, "op": "import"}, {"module": "m", "name": "n"})
    with pytest.raises(PeerClosed):
        peer._recv()
    a.close()


def test_a_request_to_a_side_that_went_away_is_peer_closed():
    a, b = socket.socketpair()
    peer = Peer(a, TRUSTED_OPS)
    peer.set_budget(5)
    b.close()
    try:
        with pytest.raises(PeerClosed):
            peer.request("import", module="m", name="n")
    finally:
        a.close()


def test_serve_returns_when_the_other_side_goes_away_before_the_reply():
    a, b = socket.socketpair()
    student = Peer(b, STUDENT_OPS, importer=importer)
    outcome: list = []

    def run():
        try:
            student.serve()
            outcome.append("returned")
        except BaseException as exc:
            outcome.append(exc)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    trusted = Peer(a, TRUSTED_OPS)
    trusted.set_budget(5)
    sleepy = trusted.request("import", module="student.models", name="sleepy")
    trusted._send({"kind": "req", "id": 99, "op": "call"}, {"target": sleepy, "args": [0.3], "kwargs": {}})
    a.close()
    thread.join(5)
    b.close()
    assert outcome == ["returned"]


def test_serve_returns_when_the_other_side_goes_away():
    a, b = socket.socketpair()
    peer = Peer(b, STUDENT_OPS, importer=importer)
    thread = threading.Thread(target=peer.serve, daemon=True)
    thread.start()
    a.close()
    thread.join(5)
    assert not thread.is_alive()
    b.close()
