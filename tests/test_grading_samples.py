"""grading/tool/samples.py: the sample-submission spec and how submissions are derived."""

from __future__ import annotations

import json

import nbformat
import pytest

import grading_helpers as fx
from grading.tool import course, release, samples
from grading.tool.course import ToolError
from grading.tool.gradebook import Cell


@pytest.fixture(scope="module")
def dirs(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("samples")
    source = fx.write_fixture_source(tmp / "source")
    release.release(course.load_config(tmp / "course", None, source, tmp / "release"), fx.ASSIGNMENT)
    return source, tmp / "release", tmp


def _spec(tmp, text):
    path = tmp / "spec.yaml"
    path.write_text(text)
    return samples.load_spec(path)


def _cell(nb, grade_id):
    return next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id)


def test_fixture_spec_loads(dirs):
    spec = _spec(dirs[2], fx.SAMPLE_SPEC)
    assert spec.assignment == "fixture1" and spec.timeout is None
    assert [s.id for s in spec.students][:2] == ["perfect", "untouched"]


@pytest.mark.parametrize("text, match", [
    ("assignment: a\nstudents: []", "no students"),
    ("assignment: a\nstudents: [{id: x, base: mine}]", "base must be"),
    ("assignment: a\nstudents: [{id: x, base: release, layout: deep}]", "layout must be"),
    ("assignment: a\nstudents: [{id: x, base: release, colour: red}]", "unknown keys"),
    ("assignment: a\nstudents: [{id: x, base: release, edits: [{cell: y}]}]", "bad edit"),
    ("assignment: a\ntimout: 3\nstudents: [{id: x, base: release}]", "top-level keys"),
    ("assignment: [", "cannot read sample spec"),
])
def test_spec_mistakes_are_named(dirs, text, match):
    with pytest.raises(ToolError, match=match):
        _spec(dirs[2], text)


def test_build_derives_each_submission(dirs):
    source, rel, tmp = dirs
    spec = _spec(tmp, fx.SAMPLE_SPEC)
    out = samples.build(spec.assignment, spec.students, source, rel, tmp / "subs")
    perfect = nbformat.read(out / "perfect" / "fixture1" / "squares.ipynb", as_version=4)
    assert "return x * x" in _cell(perfect, "square_impl").source
    assert fx.SECRET not in json.dumps(perfect)  # solutions are filled in, tests stay as released
    untouched = out / "untouched" / "squares.ipynb"  # flat layout
    assert untouched.read_bytes() == (rel / "fixture1" / "squares.ipynb").read_bytes()
    edited = nbformat.read(out / "edited" / "fixture1" / "squares.ipynb", as_version=4)
    assert _cell(edited, "cube_test").source == "assert True" and "x ** 2" in _cell(edited, "cube_impl").source
    deleted = nbformat.read(out / "deleted" / "fixture1" / "squares.ipynb", as_version=4)
    assert "cube_test" not in [c.metadata.get("nbgrader", {}).get("grade_id") for c in deleted.cells]
    with pytest.raises(json.JSONDecodeError):
        json.loads((out / "corrupt" / "fixture1" / "squares.ipynb").read_text())
    assert not (out / "missing" / "extra.ipynb").exists() and (out / "missing" / "extra (1).ipynb").exists()


def test_a_substitution_must_match_exactly_once(dirs):
    source, rel, tmp = dirs
    spec = _spec(tmp, "assignment: fixture1\nstudents:\n - {id: x, base: solution, edits: "
                      "[{notebook: squares, old: 'no such text', new: 'y'}]}")
    with pytest.raises(ToolError, match="occurs 0 times"):
        samples.build(spec.assignment, spec.students, source, rel, tmp / "bad")


def test_expected_points():
    layout = {"nb": {"t1": Cell("t1", 2, False, "code", ""), "t2": Cell("t2", 1, False, "code", ""),
                     "q": Cell("q", 3, True, "markdown", "")},
              "other": {"t3": Cell("t3", 5, False, "code", "")}}
    full = samples.Student("a", "solution")
    assert samples.expected_points(full, layout) == {"nb:t1": 2, "nb:t2": 1, "nb:q": 0, "other:t3": 5}
    some = samples.Student("b", "solution", expect={"zero": ["nb:t1", "other:*"], "points": {"nb:t2": 0.5}})
    assert samples.expected_points(some, layout) == {"nb:t1": 0, "nb:t2": 0.5, "nb:q": 0, "other:t3": 0}
    none = samples.Student("c", "release", expect={"zero": ["*"]})
    assert set(samples.expected_points(none, layout).values()) == {0}
