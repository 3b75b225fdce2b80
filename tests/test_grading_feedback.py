"""Feedback a student can act on (grading/tool/feedback.py, feedback_notes.py, mathjax.py, the template).

One module-scoped course: the fixture assignment (tests/grading_helpers.py)
plus a markdown cell with formulas and a cell that prints a very long line,
six sample students (perfect, untouched, corrupt, misnamed, edited test cell,
infinite loop), autograded and fed back once.  Every test reads that result;
the browser test opens a page in headless Chromium with the network blocked.
"""

from __future__ import annotations

import re

import nbformat
import pytest
import yaml

import grading_helpers as fx
from grading.tool import autograde, course, feedback, mathjax, release, samples
from grading.tool.course import ToolError
from grading.tool.feedback_notes import notes_for
from grading.tool.gradebook import Cell

TIMEOUT = 5
STUDENTS = {"perfect", "untouched", "corrupt", "missing", "edited", "loop"}
FORMULA = r"The loss is $L = \frac{1}{N}\sum_i L_i$ and $$\nabla_W L = 2W.$$"
LONG_LINE = "ValueError: " + "shape mismatch " * 60


def _source_with_math_and_a_long_line(root):
    source = fx.write_fixture_source(root)
    path = source / fx.ASSIGNMENT / f"{fx.NOTEBOOK}.ipynb"
    nb = nbformat.read(path, as_version=4)
    math = nbformat.v4.new_markdown_cell(FORMULA)
    math.id = "math"
    long = nbformat.v4.new_code_cell(f"print({LONG_LINE!r})")
    long.id = "long"
    nb.cells[1:1] = [math, long]
    nbformat.write(nb, path)
    return source


@pytest.fixture(scope="module")
def fed_back(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("feedback")
    source = _source_with_math_and_a_long_line(tmp / "source")
    cfg = course.load_config(tmp / "course", TIMEOUT, source, tmp / "release")
    release.release(cfg, fx.ASSIGNMENT)
    spec = yaml.safe_load(fx.SAMPLE_SPEC)
    spec["students"] = [s for s in spec["students"] if s["id"] in STUDENTS]
    (tmp / "spec.yaml").write_text(yaml.safe_dump(spec))
    loaded = samples.load_spec(tmp / "spec.yaml")
    subs = samples.build(loaded.assignment, loaded.students, source, tmp / "release", tmp / "submissions")
    autograde.autograde(cfg, loaded.assignment, subs, jobs=2, log=lambda *_: None)
    files = feedback.generate(cfg, fx.ASSIGNMENT)
    root = tmp / "course"
    return {"cfg": cfg, "root": root, "files": files, "messages": autograde.load_messages(root, fx.ASSIGNMENT)}


def _page(fed_back, student, notebook):
    return (fed_back["root"] / "feedback" / student / fx.ASSIGNMENT / f"{notebook}.html").read_text()


def _text(fed_back, student, notebook):
    return re.sub(r"\s+", " ", fx.html_text(_page(fed_back, student, notebook)))


def test_every_grading_message_is_in_that_students_feedback(fed_back):
    messages = fed_back["messages"]
    assert {s for s, found in messages.items() if found} == {"corrupt", "missing", "edited", "loop"}
    for student, found in messages.items():
        for message in found:
            notebook = message.split(".ipynb", 1)[0]
            assert re.sub(r"\s+", " ", message) in _text(fed_back, student, notebook), (student, message)
            other = ({"squares", "extra"} - {notebook}).pop()
            assert message not in _text(fed_back, student, other)


@pytest.mark.parametrize("student, notebook, says", [
    ("missing", "extra", "extra.ipynb is missing (found instead: extra (1).ipynb; name it extra.ipynb)"),
    ("corrupt", "squares", "squares.ipynb is not valid notebook JSON"),
])
def test_a_notebook_that_could_not_be_graded_has_a_page_that_says_why(fed_back, student, notebook, says):
    text = _text(fed_back, student, notebook)
    assert "could not be graded" in text and says in text
    assert "scores 0" in text
    path = fed_back["root"] / "feedback" / student / fx.ASSIGNMENT / f"{notebook}.html"
    assert path in fed_back["files"]


def test_edited_and_interrupted_cells_are_explained(fed_back):
    assert "cube_test were edited; the original tests were restored" in _text(fed_back, "edited", "squares")
    assert "square_test ran longer than 5 s and was interrupted" in _text(fed_back, "loop", "squares")
    assert "Notes from the autograder" not in _text(fed_back, "perfect", "squares")


def test_contents_name_each_test_and_written_answers_wait_for_a_grader(fed_back):
    page = _page(fed_back, "perfect", "squares")
    toc = re.sub(r"<[^>]+>", "", page[page.find('<div id="toc">'):page.find("</ol>")])
    toc = re.sub(r"\s+", " ", toc)
    for grade_id, score in [("square_test", "2.0 / 2.0"), ("cube_test", "1.0 / 1.0"), ("env_test", "1.0 / 1.0")]:
        assert f"{grade_id} (test): {score}" in toc
    assert "why_answer (written answer): to be graded (3.0 points)" in toc
    assert "Test cell" not in toc and "0.0 / 3.0" not in page
    assert "3.0 of these points are for written answers still to be graded by hand" in _text(fed_back, "perfect", "squares")


def test_no_page_reveals_hidden_tests(fed_back):
    pages = sorted((fed_back["root"] / "feedback").glob("*/*/*.html"))
    assert set(pages) == set(fed_back["files"]) and len(pages) == 2 * len(STUDENTS)
    for path in pages:
        page = path.read_text()
        for secret in (fx.SECRET, fx.ORACLE_MARK, "cube(-3)", "_check", *feedback.FORBIDDEN):
            assert secret not in page, f"{path} reveals {secret!r}"


def test_a_note_or_page_that_would_leak_is_withheld(tmp_path, fed_back):
    cells = {"t": Cell("t", 1.0, False, "code", "")}
    page = feedback.write_not_graded(tmp_path / "nb.html", "nb", cells, ["nb.ipynb: File grading/hidden/core.py"])
    with pytest.raises(ToolError, match="(?s)feedback withheld.*grading/hidden"):
        feedback.withhold_leaks([page])
    assert not page.exists()


def test_notes_go_to_their_notebook_and_general_ones_everywhere():
    messages = ["knn.ipynb is missing; knn scores 0", "svm.ipynb: x edited", "grading this student took too long",
                "knn_extra.ipynb: y"]
    notebooks = ["knn", "svm", "knn_extra"]
    assert notes_for(messages, "knn", notebooks) == [messages[0], messages[2]]
    assert notes_for(messages, "knn_extra", notebooks) == [messages[2], messages[3]]


def test_unknown_student_or_assignment_is_named(fed_back):
    with pytest.raises(ToolError, match="no student 'nobody' was autograded for 'fixture1'.*corrupt, edited"):
        feedback.generate(fed_back["cfg"], fx.ASSIGNMENT, "nobody")
    with pytest.raises(ToolError, match="assignment 'nope' is not in the gradebook.*fixture1"):
        feedback.generate(fed_back["cfg"], "nope")


def test_mathjax_is_next_to_every_page(fed_back):
    for path in fed_back["files"]:
        assert (path.parent / "mathjax" / "MathJax.js").is_file()
    assert mathjax.URL in _page(fed_back, "perfect", "squares")
    assert "cdnjs" not in _page(fed_back, "perfect", "squares")


@pytest.mark.browser
def test_formulas_are_typeset_offline_and_long_lines_wrap(fed_back):
    from browser.page_actions import ARTIFACTS, CHROMIUM, launch_chromium

    if not __import__("os").path.exists(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is absent (Debian package: chromium)")

    path = fed_back["root"] / "feedback" / "perfect" / fx.ASSIGNMENT / "squares.html"
    blocked, failed = [], []
    with launch_chromium() as browser:
        page = browser.new_page(viewport={"width": 1000, "height": 900})
        page.route(re.compile(r"^(?!file:).*"), lambda route: (blocked.append(route.request.url), route.abort()))
        page.on("requestfailed", lambda request: failed.append(request.url))
        page.goto(path.as_uri())
        page.wait_for_function(
            "() => window.MathJax && MathJax.Hub && MathJax.Hub.queue.pending === 0"
            " && document.querySelectorAll('.MathJax, .MathJax_Display').length >= 2",
            timeout=60_000,
        )
        text = page.inner_text("body")
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "feedback_offline.png"), full_page=True)  # for a human to look at
        overflow = page.evaluate(
            "() => [...document.querySelectorAll('.output_area pre')]"
            ".filter(pre => pre.scrollWidth > pre.clientWidth + 1).length"
        )
    assert blocked == [], f"the page asked the network for {blocked}"
    assert [u for u in failed if u.startswith("file:")] == [], f"MathJax files missing: {failed}"
    assert "\\frac" not in text and "\\sum" not in text and "$$" not in text
    assert "shape mismatch shape mismatch" in text and overflow == 0
