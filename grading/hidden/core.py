"""The hidden-test protocol.

A hidden test is a function of the student's objects only (functions or
classes), never of notebook state, so one definition serves both nbgrader's
hidden test cell and the trusted scorer outside the student's kernel::

    @hidden_test("assignment1", "knn_two_loops", points=2,
                 uses=["cs231n.classifiers.k_nearest_neighbor:KNearestNeighbor"])
    def knn_two_loops(KNearestNeighbor):
        rng = case_rng(101)                     # seeded inputs (the seed differs per run mode)
        ...                                     # call the student's objects, run the oracle
        raise_mismatch(...)                     # raises CheckFailed saying what differs

``uses`` names the student's objects the test receives, in order, as
``module:name``.  Where the test runs decides what they are: the real objects
(in-process, e.g. plain nbgrader), or proxies whose every call is executed in
a sandboxed student process and hands back only data (:mod:`grading.trusted`).
For that, a test keeps to these rules:

- inputs come from :func:`case_rng`, never ``np.random.default_rng`` directly:
  the authoritative scorer and the in-kernel run draw different inputs, so what
  a student's code sees (and may print) in the notebook is never what scores it;
- the student's global numpy RNG is seeded with ``student_object("numpy.random:seed")(n)``;
- a student class is never subclassed or type-checked: behaviour is replaced on
  an instance (``clf.loss = my_loss``);
- anything measured on the student's code (e.g. memory) is measured by a probe
  in :mod:`grading.kernel.probes`, called through :func:`student_object`.

Tests are keyed by ``(assignment, grade_id)``.  A notebook's hidden test cell
calls ``run_hidden("assignment1/knn_two_loops")``.  The test modules of an
assignment are the modules of the package ``grading.hidden.<assignment>``,
found by :func:`load_assignment`; one that does not import raises
:class:`HiddenTestImportError` naming it.

Failure messages say what differs (shape, dtype, max error, first bad index)
but never print the hidden inputs or the oracle's code.
"""

from __future__ import annotations

import contextvars
import importlib
import os
import pkgutil
import time
from dataclasses import dataclass
from typing import Callable

import numpy as np

from cs231n_lib.checks import CheckFailed
from cs231n_lib.student import Unavailable, load_object

REGISTRY: dict[tuple[str, str], "HiddenTest"] = {}

#: Printed before a hidden test runs: feedback keeps a test cell's output up to
#: this line (the visible checks) and drops what follows (the student's code may
#: print hidden inputs).
START_MARKER = "[hidden tests running]"

#: Set in a grading kernel: the unix socket of the trusted test server (see grading.kernel.client).
SOCKET_ENV = "CS231N_HIDDEN_SOCKET"

#: Input salts: the authoritative scorer and every in-kernel run draw different inputs.
SCORER_SALT, KERNEL_SALT = 0, 1


class HiddenTestFailed(CheckFailed):
    """Raised into the student's kernel when a hidden test fails."""


class HiddenTestImportError(ImportError):
    """A module of hidden tests does not import (an instructor's bug, reported loudly)."""


class UnknownHiddenTest(KeyError):
    def __str__(self):
        return str(self.args[0])


@dataclass(frozen=True)
class HiddenTest:
    assignment: str
    grade_id: str
    points: float
    func: Callable
    description: str = ""
    uses: tuple[str, ...] = ()

    @property
    def key(self) -> str:
        return f"{self.assignment}/{self.grade_id}"


@dataclass(frozen=True)
class Session:
    """Where a test runs: ``salt`` picks its inputs, ``load`` turns a ``module:name`` into an object."""
    salt: int
    load: Callable[[str], object]


def _load_local(spec: str):
    module, _, name = spec.partition(":")
    return load_object(module, name)


LOCAL = Session(KERNEL_SALT, _load_local)
_SESSION: contextvars.ContextVar[Session] = contextvars.ContextVar("hidden_test_session", default=LOCAL)


def case_rng(seed: int) -> np.random.Generator:
    """The generator of a test's inputs: ``seed`` mixed with the current run mode's salt."""
    return np.random.default_rng([seed, _SESSION.get().salt])


def student_object(spec: str):
    """``module:name`` from the student's side of the current session (e.g. ``numpy.random:seed``)."""
    return _SESSION.get().load(spec)


def hidden_test(assignment: str, grade_id: str, points: float, uses=()):
    """Register ``func`` as the hidden test for nbgrader cell ``grade_id`` of ``assignment``."""
    bad = [spec for spec in uses if spec.count(":") != 1]
    if bad:
        raise ValueError(f"hidden test {assignment}/{grade_id}: uses entries must be 'module:name', got {bad}")

    def register(func):
        key = (assignment, grade_id)
        if key in REGISTRY and REGISTRY[key].func.__qualname__ != func.__qualname__:
            raise ValueError(f"hidden test {assignment}/{grade_id} is defined twice "
                             f"({REGISTRY[key].func.__module__} and {func.__module__})")
        REGISTRY[key] = HiddenTest(assignment, grade_id, points, func, (func.__doc__ or "").strip(), tuple(uses))
        return func

    return register


def assignments() -> list[str]:
    """The assignments that have a package of hidden tests (``grading.hidden.<name>``)."""
    here = os.path.dirname(__file__)
    return sorted(m.name for m in pkgutil.iter_modules([here]) if m.ispkg)


def load_assignment(assignment: str) -> dict[str, HiddenTest]:
    """Import every module of ``grading.hidden.<assignment>``; its tests by grade_id."""
    package = f"{__package__}.{assignment}"
    try:
        pkg = importlib.import_module(package)
    except ModuleNotFoundError as exc:
        if exc.name != package:
            raise HiddenTestImportError(f"{package} does not import: {exc}") from exc
        pkg = None
    if pkg is not None:
        for module in pkgutil.iter_modules(pkg.__path__):
            name = f"{package}.{module.name}"
            try:
                importlib.import_module(name)
            except Exception as exc:
                raise HiddenTestImportError(
                    f"hidden tests {name.replace('.', '/')}.py do not import: {type(exc).__name__}: {exc}") from exc
    return {gid: t for (a, gid), t in REGISTRY.items() if a == assignment}


def find(test: str) -> HiddenTest:
    """``assignment/grade_id`` (or a bare grade_id defined by exactly one assignment) -> its test."""
    assignment, _, grade_id = test.rpartition("/")
    if assignment:
        if (assignment, grade_id) not in REGISTRY:
            load_assignment(assignment)
        if (assignment, grade_id) in REGISTRY:
            return REGISTRY[(assignment, grade_id)]
        raise UnknownHiddenTest(f"no hidden test {grade_id!r} in {assignment}")
    for name in assignments():  # all of them: another assignment may define the same grade_id
        load_assignment(name)
    owners = sorted(a for a, gid in REGISTRY if gid == grade_id)
    if len(owners) != 1:
        raise UnknownHiddenTest(f"no hidden test named {grade_id!r}" if not owners else
                                f"hidden test {grade_id!r} exists in {', '.join(owners)}: name it as "
                                f"'{owners[0]}/{grade_id}'")
    return REGISTRY[(owners[0], grade_id)]


@dataclass
class Outcome:
    """What one run of a hidden test found: passed, or the message saying what differs."""
    passed: bool
    message: str
    seconds: float = 0.0


def execute(test: HiddenTest, objects=None, session: Session = LOCAL) -> Outcome:
    """Run ``test`` on ``objects`` (default: its ``uses``, loaded through ``session``).

    Every failure becomes an :class:`Outcome` with a message for the student;
    nothing the student's code raises escapes."""
    token = _SESSION.set(session)
    start = time.monotonic()
    try:
        passed, message = _execute(test, objects, session)
    finally:
        _SESSION.reset(token)
    return Outcome(passed, f"hidden test {test.grade_id}{message}", time.monotonic() - start)


def _execute(test: HiddenTest, objects, session: Session) -> tuple[bool, str]:
    if objects is None:
        try:
            objects = [session.load(spec) for spec in test.uses]
        except CheckFailed as exc:
            return False, f": {exc}"
    if any(obj is None for obj in objects):
        return False, ": the function or class under test is not defined"
    broken = [obj for obj in objects if isinstance(obj, Unavailable)]
    if broken:
        return False, f": {broken[0].reason}"
    try:
        test.func(*objects)
    except CheckFailed as exc:
        return False, f" failed: {exc}"
    except NotImplementedError:
        return False, ": not implemented yet (NotImplementedError)"
    except Exception as exc:  # the student's code crashed on the hidden inputs (or its process died)
        message = getattr(exc, "student_message", None) or f"your code raised {type(exc).__name__}: {exc}"
        return False, f": {message}"
    return True, ": passed"


def run_hidden(test: str, *student_objects) -> None:
    """Run hidden test ``test`` (``"assignment1/knn_two_loops"``) on the student's objects.

    In a grading kernel (``$CS231N_HIDDEN_SOCKET`` set) the trusted test server
    runs it, calling back into this kernel for the student's objects; elsewhere
    it runs in this process.  Prints a one-line pass message; on failure raises
    :class:`HiddenTestFailed` whose message says what differs, without the inputs.
    """
    print(START_MARKER, flush=True)
    socket_path = os.environ.get(SOCKET_ENV)
    if socket_path and not student_objects:
        from grading.kernel.client import run_remote
        outcome = run_remote(socket_path, test)
    else:
        outcome = execute(find(test), list(student_objects) or None)
    if not outcome.passed:
        raise HiddenTestFailed(outcome.message)
    print(outcome.message)
