"""grading/tool/scrub.py and feedback.leaked: hidden tests never reach the feedback."""

from __future__ import annotations

import nbformat

from grading import markers
from grading.tool import feedback
from grading.tool.feedback import leaked
from grading.tool.scrub import HIDDEN_NOTE, ScrubHidden


def _error(ename, evalue, traceback):
    return nbformat.v4.new_output("error", ename=ename, evalue=evalue, traceback=traceback)


def _scrub(cell):
    nb = nbformat.v4.new_notebook(cells=[cell])
    out, _ = ScrubHidden().preprocess(nb, {})
    return out.cells[0]


def test_hidden_region_and_its_outputs_are_removed():
    cell = nbformat.v4.new_code_cell(
        "check(f)\n### BEGIN HIDDEN TESTS\nfrom grading.hidden import run_hidden\nrun_hidden('assignment1/t')\n"
        "### END HIDDEN TESTS"
    )
    cell.outputs = [
        nbformat.v4.new_output("stream", name="stdout", text="X_hidden = [1, 2, 3]\n"),
        _error("HiddenTestFailed", "hidden test t failed: values differ (max error 0.5)",
               ["----", "File grading/hidden/core.py", "run_hidden('assignment1/t')", "HiddenTestFailed: ..."]),
    ]
    cell = _scrub(cell)
    assert cell.source == "check(f)\n" + HIDDEN_NOTE
    assert len(cell.outputs) == 1
    assert cell.outputs[0].traceback == ["HiddenTestFailed: hidden test t failed: values differ (max error 0.5)"]


def test_passing_hidden_cell_shows_no_outputs():
    cell = nbformat.v4.new_code_cell("### BEGIN HIDDEN TESTS\nrun_hidden('assignment1/t')\n### END HIDDEN TESTS")
    cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text="secret print\n")]
    assert _scrub(cell).outputs == []


def test_other_cells_keep_outputs_but_lose_instructor_frames():
    cell = nbformat.v4.new_code_cell("f(1)")
    ok = nbformat.v4.new_output("stream", name="stdout", text="hello\n")
    mine = _error("ValueError", "bad", ["Traceback", "in f", "ValueError: bad"])
    theirs = _error("KeyError", "'x'", ["Traceback", "grading/oracles/knn.py line 3", "KeyError: 'x'"])
    cell.outputs = [ok, mine, theirs]
    cell = _scrub(cell)
    assert cell.outputs[0] == ok and cell.outputs[1] == mine
    assert cell.outputs[2].traceback == ["KeyError: 'x'"]


def test_markdown_cells_are_untouched():
    cell = nbformat.v4.new_markdown_cell("Some **answer** mentioning run_hidden")
    assert _scrub(cell).source == "Some **answer** mentioning run_hidden"


def test_leaked_lists_markers():
    assert leaked("<p>fine</p>") == []
    assert leaked("x ### BEGIN HIDDEN TESTS y from grading.hidden import run_hidden") == [
        "BEGIN HIDDEN TESTS", "run_hidden", "grading.hidden"]


def test_visible_check_output_is_kept_up_to_the_hidden_start_line():
    from grading.hidden.core import START_MARKER

    cell = nbformat.v4.new_code_cell("check(f)\n### BEGIN HIDDEN TESTS\nrun_hidden('assignment1/t')\n### END HIDDEN TESTS")
    cell.outputs = [
        nbformat.v4.new_output("stream", name="stdout", text="loss: relative error 1e-9 (threshold 1e-07)  OK\n"),
        nbformat.v4.new_output("stream", name="stdout", text=f"more visible\n{START_MARKER}\nX_hidden = [1, 2]\n"),
        nbformat.v4.new_output("stream", name="stderr", text="hidden stderr\n"),
        _error("HiddenTestFailed", "hidden test t failed: shape (2,) but expected (3,)", ["tb", "HiddenTestFailed"]),
    ]
    texts = [o.get("text", "") for o in _scrub(cell).outputs]
    assert texts[:2] == ["loss: relative error 1e-9 (threshold 1e-07)  OK\n", "more visible\n"]
    assert not any("X_hidden" in t or "hidden stderr" in t or START_MARKER in t for t in texts)
    assert _scrub(cell).outputs[-1].traceback == ["HiddenTestFailed: hidden test t failed: shape (2,) but expected (3,)"]


def test_one_list_of_instructor_only_markers():
    """Feedback and the release check the same markers (grading/markers.py); the release also forbids solutions."""
    assert feedback.FORBIDDEN == markers.FEEDBACK_FORBIDDEN
    assert set(markers.FEEDBACK_FORBIDDEN) < set(markers.RELEASE_FORBIDDEN)
    assert {markers.SOLUTION_BEGIN_TEXT, markers.SOLUTION_END_TEXT} <= set(markers.RELEASE_FORBIDDEN)
    assert set(markers.INSTRUCTOR_CODE) <= set(markers.FEEDBACK_FORBIDDEN)
