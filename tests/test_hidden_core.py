"""grading.hidden.core: the registry keyed by (assignment, grade_id), lookup, input salts,
``execute`` (every failure an Outcome), and discovery of an assignment's test modules."""

from __future__ import annotations

import sys
import types

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import grading.hidden
from cs231n_lib.checks import CheckFailed
from cs231n_lib.student import Unavailable
from grading.hidden import core
from grading.hidden.core import (KERNEL_SALT, LOCAL, SCORER_SALT, HiddenTestFailed, HiddenTestImportError,
                                 Outcome, Session, UnknownHiddenTest, case_rng, execute, find, hidden_test)
from grading.kernel.peer import RemoteTimeout


@pytest.fixture
def registry(monkeypatch):
    """A private copy of the registry: what a test registers is gone afterwards.  The real assignments
    are loaded first, so that their modules (imported once per process) register into the real one."""
    for name in core.assignments():
        core.load_assignment(name)
    copy = dict(core.REGISTRY)
    monkeypatch.setattr(core, "REGISTRY", copy)
    return copy


def _register(assignment, grade_id, func=None, points=1.0, uses=()):
    if func is None:
        def func(*objects):
            return None
        func.__qualname__ = f"{assignment}_{grade_id}"
    return hidden_test(assignment, grade_id, points, uses=uses)(func)


def _unregistered(grade_id, func):
    """A HiddenTest that is not in the registry (for execute)."""
    return core.HiddenTest("zz_none", grade_id, 1.0, func)


# ----------------------------------------------------------------------------- registry and find

def test_the_same_grade_id_in_two_assignments(registry):
    def in_alpha():
        pass

    def in_beta():
        pass

    _register("zz_alpha", "shared_gid", in_alpha, points=2)
    _register("zz_beta", "shared_gid", in_beta, points=5)
    assert find("zz_alpha/shared_gid").func is in_alpha
    assert find("zz_beta/shared_gid").func is in_beta
    assert find("zz_beta/shared_gid").points == 5
    assert find("zz_alpha/shared_gid").key == "zz_alpha/shared_gid"


def test_a_bare_grade_id_defined_twice_names_both_assignments(registry):
    _register("zz_alpha", "shared_gid")
    _register("zz_beta", "shared_gid")
    with pytest.raises(UnknownHiddenTest) as info:
        find("shared_gid")
    message = str(info.value)
    assert "zz_alpha" in message and "zz_beta" in message and "'zz_alpha/shared_gid'" in message


def test_a_bare_grade_id_defined_once_is_found(registry):
    _register("zz_alpha", "only_here")
    assert find("only_here").assignment == "zz_alpha"


def test_unknown_tests(registry):
    with pytest.raises(UnknownHiddenTest, match="no hidden test 'nope' in zz_alpha"):
        find("zz_alpha/nope")
    with pytest.raises(UnknownHiddenTest, match="no hidden test named 'zz_no_such_gid'"):
        find("zz_no_such_gid")
    assert isinstance(UnknownHiddenTest("x"), KeyError)  # callers catch it as a lookup error


def test_find_loads_a_real_assignment_on_demand(registry):
    test = find("assignment1/knn_two_loops")
    assert test.assignment == "assignment1" and test.points > 0
    assert test.uses == ("cs231n.classifiers.k_nearest_neighbor:KNearestNeighbor",)


def test_a_test_registered_twice_under_one_key_is_refused(registry):
    def first():
        pass

    def second():
        pass

    _register("zz_alpha", "gid", first)
    with pytest.raises(ValueError, match="defined twice"):
        _register("zz_alpha", "gid", second)
    assert find("zz_alpha/gid").func is first


def test_re_registering_the_same_function_replaces_it(registry):
    def same():
        pass

    _register("zz_alpha", "gid", same, points=1)
    _register("zz_alpha", "gid", same, points=3)  # a module imported again (autoreload)
    assert find("zz_alpha/gid").points == 3


@pytest.mark.parametrize("uses", [["no_colon"], ["a:b:c"], ["ok:fine", "bad"]])
def test_uses_must_be_module_colon_name(registry, uses):
    with pytest.raises(ValueError, match="module:name"):
        hidden_test("zz_alpha", "gid", 1, uses=uses)


def test_the_registry_copy_leaves_the_real_one_alone(registry):
    _register("zz_alpha", "tmp_gid")
    assert ("zz_alpha", "tmp_gid") not in grading.hidden.REGISTRY


# ----------------------------------------------------------------------------- case_rng

def _draws(salt, seed=7, n=6):
    box = {}

    def draw():
        box["x"] = case_rng(seed).standard_normal(n)

    outcome = execute(_unregistered("draw", draw), [], Session(salt, lambda spec: None))
    assert outcome.passed, outcome.message
    return box["x"]


def test_scorer_and_kernel_draw_different_inputs():
    assert not np.allclose(_draws(SCORER_SALT), _draws(KERNEL_SALT))


def test_the_same_salt_draws_the_same_inputs():
    np.testing.assert_array_equal(_draws(SCORER_SALT), _draws(SCORER_SALT))
    np.testing.assert_array_equal(_draws(KERNEL_SALT), _draws(KERNEL_SALT))


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(0, 2**32 - 1))
def test_case_rng_is_a_function_of_seed_and_salt(seed, other):
    a, b = _draws(SCORER_SALT, seed), _draws(KERNEL_SALT, seed)
    assert not np.array_equal(a, b)
    np.testing.assert_array_equal(a, _draws(SCORER_SALT, seed))
    if other != seed:
        assert not np.array_equal(a, _draws(SCORER_SALT, other))


def test_outside_execute_the_local_kernel_salt_applies_and_is_restored():
    assert LOCAL.salt == KERNEL_SALT
    before = case_rng(7).standard_normal(6)
    np.testing.assert_array_equal(before, _draws(KERNEL_SALT))
    _draws(SCORER_SALT)
    np.testing.assert_array_equal(case_rng(7).standard_normal(6), before)  # the session was reset


def test_student_object_goes_through_the_current_session():
    asked = []

    def load(spec):
        asked.append(spec)
        return f"<{spec}>"

    got = {}

    def test_func():
        got["seed"] = core.student_object("numpy.random:seed")

    assert execute(_unregistered("so", test_func), [], Session(SCORER_SALT, load)).passed
    assert asked == ["numpy.random:seed"] and got["seed"] == "<numpy.random:seed>"


def test_default_objects_are_loaded_through_the_session_in_order(registry):
    received = []

    def func(a, b):
        received.extend([a, b])

    test = core.HiddenTest("zz", "g", 1, func, uses=("m.one:A", "m.two:B"))
    outcome = execute(test, None, Session(SCORER_SALT, lambda spec: spec.upper()))
    assert outcome.passed and received == ["M.ONE:A", "M.TWO:B"]


# ----------------------------------------------------------------------------- execute

def _raiser(exc):
    def func(*objects):
        raise exc
    return func


@pytest.mark.parametrize("exc,expected", [
    (CheckFailed("dists differ: max relative error 0.3 at [1, 2]"),
     "hidden test gid failed: dists differ: max relative error 0.3 at [1, 2]"),
    (HiddenTestFailed("shape (3,) instead of (4,)"), "hidden test gid failed: shape (3,) instead of (4,)"),
    (NotImplementedError("TODO"), "hidden test gid: not implemented yet (NotImplementedError)"),
    (ZeroDivisionError("division by zero"), "hidden test gid: your code raised ZeroDivisionError: division by zero"),
    (KeyError("W"), "hidden test gid: your code raised KeyError: 'W'"),
    (RemoteTimeout(30), "hidden test gid: your code did not finish within 30 s (an infinite loop, or far too "
                        "slow); it was stopped"),
])
def test_execute_turns_every_failure_into_an_outcome(exc, expected):
    outcome = execute(_unregistered("gid", _raiser(exc)), [object()])
    assert isinstance(outcome, Outcome)
    assert outcome.passed is False
    assert outcome.message == expected
    assert outcome.seconds >= 0


def test_execute_reports_a_passing_test():
    outcome = execute(_unregistered("gid", lambda obj: None), [object()])
    assert outcome.passed and outcome.message == "hidden test gid: passed"


def test_an_exception_with_a_student_message_uses_it():
    exc = RuntimeError("internal detail")
    exc.student_message = "your code raised RuntimeError: shown to the student"
    outcome = execute(_unregistered("gid", _raiser(exc)), [object()])
    assert outcome.message == "hidden test gid: your code raised RuntimeError: shown to the student"
    assert "internal detail" not in outcome.message


def test_an_unavailable_object_fails_with_its_reason_and_the_test_is_not_run():
    ran = []
    broken = Unavailable("KNearestNeighbor", "k_nearest_neighbor.py, line 12: SyntaxError: invalid syntax")
    outcome = execute(_unregistered("gid", lambda *objs: ran.append(objs)), [object(), broken])
    assert not outcome.passed and not ran
    assert outcome.message == "hidden test gid: k_nearest_neighbor.py, line 12: SyntaxError: invalid syntax"


def test_a_missing_object_fails_saying_it_is_not_defined():
    outcome = execute(_unregistered("gid", lambda *objs: None), [None])
    assert not outcome.passed and "not defined" in outcome.message


def test_a_loader_that_fails_with_check_failed_is_an_outcome():
    def load(spec):
        raise CheckFailed(f"cannot load {spec}")

    test = core.HiddenTest("zz", "gid", 1, lambda x: None, uses=("m:x",))
    outcome = execute(test, None, Session(SCORER_SALT, load))
    assert not outcome.passed and outcome.message == "hidden test gid: cannot load m:x"


def test_a_student_module_that_does_not_exist_locally_is_an_outcome():
    test = core.HiddenTest("zz", "gid", 1, lambda x: None, uses=("zz_no_such_student_module_4711:thing",))
    outcome = execute(test)
    assert not outcome.passed and outcome.message.startswith("hidden test gid: ")
    assert len(outcome.message) > len("hidden test gid: ")


def test_student_code_that_calls_an_unavailable_object_is_an_outcome():
    broken = Unavailable("f", "linear_svm.py does not import")
    outcome = execute(_unregistered("gid", lambda ok: broken(1)), [object()])
    assert not outcome.passed and "linear_svm.py does not import" in outcome.message


def test_execute_restores_the_session_even_when_the_test_fails():
    before = case_rng(3).random()
    execute(_unregistered("gid", _raiser(ValueError("x"))), [object()], Session(SCORER_SALT, lambda s: None))
    assert case_rng(3).random() == before


# ----------------------------------------------------------------------------- run_hidden (in-process)

def test_run_hidden_in_process_prints_the_marker_and_raises_on_failure(registry, capsys, monkeypatch):
    monkeypatch.delenv(core.SOCKET_ENV, raising=False)

    def check(value):
        if value != 42:
            raise CheckFailed(f"expected the answer, got a different number")

    _register("zz_alpha", "answer", check)
    core.run_hidden("zz_alpha/answer", 42)
    out = capsys.readouterr().out.splitlines()
    assert out == [core.START_MARKER, "hidden test answer: passed"]
    with pytest.raises(HiddenTestFailed, match="hidden test answer failed: expected the answer"):
        core.run_hidden("zz_alpha/answer", 41)


# ----------------------------------------------------------------------------- discovery

def test_assignments_lists_assignment1():
    names = core.assignments()
    assert "assignment1" in names
    assert all(not n.startswith("_") for n in names) and "core" not in names and "kit" not in names


def test_load_assignment_returns_the_tests_by_grade_id():
    tests = core.load_assignment("assignment1")
    assert {"knn_two_loops", "svm_naive_loss"} <= set(tests)
    assert all(t.assignment == "assignment1" and t.grade_id == gid for gid, t in tests.items())


def test_an_assignment_without_a_package_has_no_tests():
    assert core.load_assignment("zz_no_such_assignment") == {}


@pytest.fixture
def fake_assignment(tmp_path, monkeypatch, registry):
    """``grading.hidden.<name>``: a package object whose modules live in ``tmp_path``."""
    name = f"zz_fake_{tmp_path.name.replace('-', '_')}"
    package = f"grading.hidden.{name}"
    pkg = types.ModuleType(package)
    pkg.__path__ = [str(tmp_path)]
    pkg.__package__ = package
    monkeypatch.setitem(sys.modules, package, pkg)
    yield types.SimpleNamespace(name=name, package=package, folder=tmp_path)
    for mod in [m for m in sys.modules if m.startswith(package + ".")]:
        del sys.modules[mod]


GOOD = '''
from grading.hidden.core import hidden_test

@hidden_test("{name}", "good_gid", points=3, uses=["m:x"])
def good_gid(x):
    """A test that a good module defines."""
'''


def test_discovery_imports_every_module_of_the_package(fake_assignment):
    (fake_assignment.folder / "good.py").write_text(GOOD.format(name=fake_assignment.name))
    (fake_assignment.folder / "more.py").write_text(GOOD.format(name=fake_assignment.name)
                                                    .replace("good_gid", "more_gid"))
    tests = core.load_assignment(fake_assignment.name)
    assert set(tests) == {"good_gid", "more_gid"}
    assert tests["good_gid"].points == 3 and tests["good_gid"].description == "A test that a good module defines."
    assert find(f"{fake_assignment.name}/more_gid").grade_id == "more_gid"


def test_a_module_that_does_not_import_is_named(fake_assignment):
    (fake_assignment.folder / "good.py").write_text(GOOD.format(name=fake_assignment.name))
    (fake_assignment.folder / "broken.py").write_text("import numpy\nraise RuntimeError('oracle typo')\n")
    with pytest.raises(HiddenTestImportError) as info:
        core.load_assignment(fake_assignment.name)
    message = str(info.value)
    assert f"grading/hidden/{fake_assignment.name}/broken.py" in message
    assert "RuntimeError: oracle typo" in message
    assert isinstance(info.value.__cause__, RuntimeError)
    assert isinstance(info.value, ImportError)


def test_a_module_with_a_syntax_error_is_named(fake_assignment):
    (fake_assignment.folder / "typo.py").write_text("def f(:\n")
    with pytest.raises(HiddenTestImportError, match=f"{fake_assignment.name}/typo.py.*SyntaxError"):
        core.load_assignment(fake_assignment.name)


def test_find_reports_a_module_that_does_not_import(fake_assignment):
    (fake_assignment.folder / "broken.py").write_text("import zz_missing_dependency_4711\n")
    with pytest.raises(HiddenTestImportError, match="broken.py.*zz_missing_dependency_4711"):
        find(f"{fake_assignment.name}/anything")


def test_a_package_whose_init_does_not_import_is_reported(tmp_path, monkeypatch, registry):
    name = "zz_bad_init_pkg"
    (tmp_path / name).mkdir()
    (tmp_path / name / "__init__.py").write_text("import zz_missing_dependency_4712\n")
    monkeypatch.setattr(grading.hidden, "__path__", [*grading.hidden.__path__, str(tmp_path)])
    try:
        with pytest.raises(HiddenTestImportError, match=f"grading.hidden.{name} does not import"):
            core.load_assignment(name)
    finally:
        sys.modules.pop(f"grading.hidden.{name}", None)


def test_a_bare_grade_id_is_ambiguous_whatever_is_loaded(fake_assignment, monkeypatch):
    (fake_assignment.folder / "tests.py").write_text(GOOD.format(name=fake_assignment.name))
    monkeypatch.setattr(core, "assignments", lambda: [fake_assignment.name])
    _register("zz_eager", "good_gid")  # loaded; the fake assignment's good_gid is not yet
    with pytest.raises(UnknownHiddenTest):
        find("good_gid")
