"""grading/tool/inspect_nb.py: unreadable notebooks, deleted and edited test cells."""

from __future__ import annotations

import nbformat
from hypothesis import given
from hypothesis import strategies as st

import grading_helpers as fx
from grading.tool.inspect_nb import inspect, read_notebook, strip_hidden


def _spec(nb):
    return {
        c.metadata.nbgrader["grade_id"]: {"source": c.source, "solution": c.metadata.nbgrader["solution"]}
        for c in nb.cells
        if c.metadata.get("nbgrader", {}).get("grade")
    }


def test_read_notebook_names_each_problem(tmp_path):
    assert read_notebook(tmp_path / "gone.ipynb") == (None, "gone.ipynb is missing")
    (tmp_path / "cut.ipynb").write_text('{"cells": [')
    nb, why = read_notebook(tmp_path / "cut.ipynb")
    assert nb is None and why.startswith("cut.ipynb is not valid notebook JSON (") and "line 1" in why
    (tmp_path / "bin.ipynb").write_bytes(b"\xff\xfe\x00")
    assert "not UTF-8" in read_notebook(tmp_path / "bin.ipynb")[1]
    (tmp_path / "odd.ipynb").write_text('{"cells": 5, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}')
    assert "not a valid Jupyter notebook" in read_notebook(tmp_path / "odd.ipynb")[1]
    nbformat.write(fx.solution_notebook(), tmp_path / "ok.ipynb")
    nb, why = read_notebook(tmp_path / "ok.ipynb")
    assert why is None and len(nb.cells) == len(fx.solution_notebook().cells)


def test_strip_hidden_removes_exactly_the_region():
    source = "a = 1\n### BEGIN HIDDEN TESTS\nsecret()\n### END HIDDEN TESTS\nb = 2"
    assert strip_hidden(source) == "a = 1\nb = 2"


@given(st.lists(st.text(alphabet="abc xyz=()", max_size=12), max_size=8))
def test_strip_hidden_keeps_sources_without_markers(lines):
    source = "\n".join(lines)
    assert strip_hidden(source) == source


@given(st.lists(st.text(alphabet="abc =", max_size=8), max_size=5), st.lists(st.text(alphabet="abc =", max_size=8), max_size=5))
def test_strip_hidden_keeps_everything_around_the_region(before, after):
    source = "\n".join(before + ["### BEGIN HIDDEN TESTS", "hidden", "### END HIDDEN TESTS"] + after)
    assert strip_hidden(source) == "\n".join(before + after)


def test_untouched_submission_has_nothing_deleted_or_edited():
    solution = fx.solution_notebook()
    student = fx.solution_notebook()
    for cell in student.cells:  # what the release shows: hidden regions gone
        cell.source = strip_hidden(cell.source) + "\n\n"
    found = inspect(student, _spec(solution))
    assert (found.problem, found.deleted, found.edited) == (None, [], [])


def test_deleted_and_edited_test_cells_are_found_but_answers_may_change():
    solution = fx.solution_notebook()
    student = fx.solution_notebook()
    student.cells = [c for c in student.cells if c.metadata.get("nbgrader", {}).get("grade_id") != "cube_test"]
    for cell in student.cells:
        gid = cell.metadata.get("nbgrader", {}).get("grade_id")
        if gid == "square_test":
            cell.source = "assert True"
        if gid in ("why_answer", "square_impl"):  # the student's own answers: free to change
            cell.source = "anything"
    found = inspect(student, _spec(solution))
    assert found.deleted == ["cube_test"] and found.edited == ["square_test"]
