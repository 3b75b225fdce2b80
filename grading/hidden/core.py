"""The hidden-test protocol.

A hidden test is a function of the student's objects only (functions or
classes), never of notebook state, so the same definition can run inside the
student's kernel (nbgrader's hidden test cell) or in a scorer outside it::

    @hidden_test("assignment1", "knn_two_loops", points=5,
                 uses=["cs231n.classifiers.k_nearest_neighbor:KNearestNeighbor"])
    def knn_two_loops(KNearestNeighbor):
        rng = np.random.default_rng(0)          # seeded inputs
        ...                                     # oracle from grading.oracles
        expect_close("distances", got, want, tol=1e-6)   # raises CheckFailed

``uses`` names the student's objects the test receives, in order, as
``module:name`` of the assignment's student package: ``run_hidden(grade_id)``
imports them (a module that does not import fails the test with the file and
line).  Objects passed explicitly (``run_hidden(grade_id, obj)``) take their
place, e.g. for functions defined in a notebook.

Failure messages say what differs (shape, dtype, max error, first bad index)
but never print the hidden inputs or the oracle's code.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Callable

from cs231n_lib.checks import CheckFailed
from cs231n_lib.student import Unavailable, load_object

REGISTRY: dict[str, "HiddenTest"] = {}

#: Printed before a hidden test runs: feedback keeps a test cell's output up to
#: this line (the visible checks) and drops what follows (the student's code may
#: print hidden inputs).
START_MARKER = "[hidden tests running]"


class HiddenTestFailed(CheckFailed):
    """Raised into the student's kernel when a hidden test fails."""


@dataclass(frozen=True)
class HiddenTest:
    assignment: str
    grade_id: str
    points: float
    func: Callable
    description: str = ""
    uses: tuple[str, ...] = ()

    def student_objects(self) -> list:
        """The objects named in ``uses``, imported from the student's package (placeholders when broken)."""
        objects = []
        for spec in self.uses:
            module, _, name = spec.partition(":")
            objects.append(load_object(module, name))
        return objects


def hidden_test(assignment: str, grade_id: str, points: float, uses=()):
    """Register ``func`` as the hidden test for nbgrader cell ``grade_id``; ``uses``: see the module docstring."""
    bad = [spec for spec in uses if spec.count(":") != 1]
    if bad:
        raise ValueError(f"hidden test {grade_id!r}: uses entries must be 'module:name', got {bad}")

    def register(func):
        if grade_id in REGISTRY and REGISTRY[grade_id].func is not func:
            raise ValueError(f"hidden test {grade_id!r} is defined twice")
        REGISTRY[grade_id] = HiddenTest(assignment, grade_id, points, func, (func.__doc__ or "").strip(), tuple(uses))
        return func

    return register


def load_assignment(assignment: str) -> dict[str, HiddenTest]:
    """Import ``grading.hidden.<assignment>`` and return its tests by grade_id."""
    importlib.import_module(f"{__package__}.{assignment}")
    return {gid: t for gid, t in REGISTRY.items() if t.assignment == assignment}


ASSIGNMENTS = ("assignment1", "assignment2", "assignment3")


def _find(grade_id: str) -> HiddenTest:
    for name in ASSIGNMENTS:
        if grade_id in REGISTRY:
            break
        try:
            load_assignment(name)
        except ModuleNotFoundError as exc:
            if exc.name != f"{__package__}.{name}":
                raise
    if grade_id not in REGISTRY:
        raise KeyError(f"no hidden test named {grade_id!r}")
    return REGISTRY[grade_id]


def run_hidden(grade_id: str, *student_objects) -> None:
    """Run hidden test ``grade_id`` on the student's objects.

    Prints a one-line pass message; on failure raises :class:`HiddenTestFailed`
    whose message says what differs, without the hidden inputs.
    """
    test = _find(grade_id)
    print(START_MARKER, flush=True)
    if not student_objects:
        student_objects = test.student_objects()
    missing = [i for i, obj in enumerate(student_objects) if obj is None]
    if missing:
        raise HiddenTestFailed(f"hidden test {grade_id}: the function or class under test is not defined")
    broken = [obj for obj in student_objects if isinstance(obj, Unavailable)]
    if broken:
        raise HiddenTestFailed(f"hidden test {grade_id}: {broken[0].reason}")
    try:
        test.func(*student_objects)
    except CheckFailed as exc:
        raise HiddenTestFailed(f"hidden test {grade_id} failed: {exc}") from None
    except NotImplementedError:
        raise HiddenTestFailed(f"hidden test {grade_id}: not implemented yet (NotImplementedError)") from None
    except Exception as exc:  # the student's code crashed on the hidden inputs
        raise HiddenTestFailed(
            f"hidden test {grade_id}: your code raised {type(exc).__name__}: {exc}"
        ) from None
    print(f"hidden test {grade_id}: passed")
