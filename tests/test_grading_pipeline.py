"""The grading pipeline end to end on the fixture assignment (tests/grading_helpers.py).

One session-scoped run: release, build the sample students, autograde them
with two jobs, feedback, CSV.  Every test below asserts on that one result.
"""

from __future__ import annotations

import csv
import os
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

import grading_helpers as fx
from grading.tool import autograde, course, demo, export, feedback, release, samples

pytestmark = pytest.mark.slow
TIMEOUT = 10


def _snapshot(folder: Path) -> dict:
    return {
        p.relative_to(folder): (p.read_bytes(), p.stat().st_mode, p.stat().st_mtime_ns)
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture(scope="session")
def graded(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("pipeline")
    source = fx.write_fixture_source(tmp / "source")
    cfg = course.load_config(tmp / "course", TIMEOUT, source, tmp / "release")
    release.release(cfg, fx.ASSIGNMENT)
    spec = tmp / "spec.yaml"
    spec.write_text(fx.SAMPLE_SPEC)
    loaded = samples.load_spec(spec)
    assignment, students = loaded.assignment, loaded.students
    subs = samples.build(assignment, students, source, tmp / "release", tmp / "submissions")
    before = _snapshot(subs)
    log = []
    results = autograde.autograde(cfg, assignment, subs, jobs=2, log=log.append)
    files = feedback.generate(cfg, assignment)
    csv_path = export.write_csv(tmp / "course", assignment, tmp / "grades.csv")
    return {
        "cfg": cfg, "root": tmp / "course", "students": students, "subs": subs, "before": before,
        "results": {r.student: r.messages for r in results}, "feedback": files, "csv": csv_path, "log": log,
    }


def test_every_sample_scores_exactly_as_the_spec_says(graded):
    problems = demo.check_expectations(graded["root"], fx.ASSIGNMENT, graded["students"])
    assert problems == [], "\n".join(problems + graded["log"])


def test_perfect_solution_gets_every_auto_graded_point(graded):
    _, rows = export.grade_rows(graded["root"], fx.ASSIGNMENT)
    perfect = next(r for r in rows if r.student == "perfect")
    assert perfect.cells == {
        "squares:square_test": 2, "squares:cube_test": 1, "squares:env_test": 1,
        "squares:why_answer": 0, "extra:double_test": 1,
    }
    assert perfect.needs_manual == 1  # the written answer waits for a grader
    assert (perfect.total, perfect.max_score) == (5, 8)


def test_kernel_env_has_nbgrader_execution_and_fast_mode(graded):
    # env_test asserts NBGRADER_EXECUTION == "autograde" and cs231n_lib fast_mode() inside the kernel
    _, rows = export.grade_rows(graded["root"], fx.ASSIGNMENT)
    assert {r.student: r.cells["squares:env_test"] for r in rows}["untouched"] == 1


def test_each_problem_has_its_own_clear_message(graded):
    messages = graded["results"]
    assert messages["perfect"] == [] and messages["untouched"] == [] and messages["wrong_hidden"] == []
    assert messages["killer"] == [
        "squares.ipynb: cube_impl stopped the kernel (os._exit, a crash, or running out of memory); "
        "it was skipped and the rest of squares was graded",
        "flagged for review: squares.ipynb, cell cube_impl, line 2: kills or signals processes: `os._exit(1)`",
    ]
    assert messages["killer_in_test"][0] == (
        "squares.ipynb: square_test stopped the kernel (os._exit, a crash, or running out of memory); "
        "it was skipped and the rest of squares was graded")
    assert messages["killer_in_test"][1:] == [
        "flagged for review: squares.ipynb, cell square_impl, line 4: kills or signals processes: `os._exit(1)`"]
    assert any("interrupted (infinite loop?)" in m and f"{TIMEOUT} s" in m for m in messages["loop"])
    assert len(messages["corrupt"]) == 1 and "squares.ipynb is not valid notebook JSON (" in messages["corrupt"][0]
    assert messages["missing"] == [
        "extra.ipynb is missing (found instead: extra (1).ipynb; name it extra.ipynb); extra scores 0"]
    assert messages["deleted"] == ["squares.ipynb: graded cell(s) cube_test deleted; they score 0"]


def test_other_notebooks_are_graded_when_one_is_broken(graded):
    _, rows = export.grade_rows(graded["root"], fx.ASSIGNMENT)
    by = {r.student: r for r in rows}
    assert by["corrupt"].notebooks == {"squares": 0, "extra": 1}
    assert by["killer"].notebooks == {"squares": 3, "extra": 1}
    assert by["killer_in_test"].notebooks == {"squares": 2, "extra": 1}  # cube and env still pass
    assert by["missing"].notebooks == {"squares": 4, "extra": 0}


def test_edited_test_cell_is_restored_and_graded(graded):
    path = graded["root"] / "autograded" / "edited" / fx.ASSIGNMENT / "squares.ipynb"
    nb = nbformat.read(path, as_version=4)
    cell = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "cube_test")
    assert cell.source.startswith("assert cube(2) == 8")
    assert any(o.get("ename") == "AssertionError" for o in cell.outputs)


def test_submissions_are_untouched(graded):
    assert _snapshot(graded["subs"]) == graded["before"]


def test_flat_and_course_layouts_both_land_in_the_course(graded):
    submitted = graded["root"] / "submitted"
    for student in ("untouched", "syntax", "perfect", "wrong_hidden"):
        assert (submitted / student / fx.ASSIGNMENT / "squares.ipynb").exists()
    assert (graded["subs"] / "untouched" / "squares.ipynb").exists()  # flat
    assert (graded["subs"] / "perfect" / fx.ASSIGNMENT / "squares.ipynb").exists()  # course layout


def test_feedback_never_reveals_hidden_tests(graded):
    files = graded["feedback"]
    assert {f.parent.parent.name for f in files} >= {"perfect", "untouched", "wrong_hidden", "loop"}
    for path in files:
        page = path.read_text()
        for secret in (fx.SECRET, fx.ORACLE_MARK, "cube(-3)", "_check", *feedback.FORBIDDEN):
            assert secret not in page, f"{path} reveals {secret!r}"


def test_plain_nbgrader_feedback_in_the_course_dir_also_hides_hidden_tests(graded, tmp_path):
    """The course dir's nbgrader_config.py shim loads the repo config, ScrubHidden included."""
    out = tmp_path / "fb"
    nbgrader = Path(sys.executable).parent / "nbgrader"
    proc = subprocess.run(
        [str(nbgrader), "generate_feedback", fx.ASSIGNMENT, "--student=wrong_hidden", "--force",
         f"--CourseDirectory.feedback_directory={out}"],
        cwd=graded["root"], capture_output=True, text=True, timeout=300,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    page = (out / "wrong_hidden" / fx.ASSIGNMENT / "squares.html").read_text()
    assert feedback.leaked(page) == [] and fx.SECRET not in page
    assert "hidden test fixture_square_hidden failed" in fx.html_text(page)


def test_feedback_says_what_differs_in_a_failed_hidden_test(graded):
    page = fx.html_text((graded["root"] / "feedback" / "wrong_hidden" / fx.ASSIGNMENT / "squares.html").read_text())
    assert "hidden test fixture_square_hidden failed" in page
    assert "square of the hidden input" in page
    assert "Traceback" not in page


def test_feedback_never_reveals_solutions(graded):
    page = fx.html_text((graded["root"] / "feedback" / "untouched" / fx.ASSIGNMENT / "squares.html").read_text())
    assert "raise NotImplementedError()" in page
    assert "return x * x" not in page and "One multiplication" not in page


def test_csv_has_one_row_per_student_with_the_gradebook_points(graded):
    with open(graded["csv"], newline="") as f:
        rows = list(csv.DictReader(f))
    assert list(rows[0]) == [
        "student", "total", "max_score", "extra", "squares", "extra:double_test", "squares:square_test",
        "squares:cube_test", "squares:env_test", "squares:why_answer", "needs_manual_grade", "message",
    ]
    assert sorted(r["student"] for r in rows) == sorted(s.id for s in graded["students"])
    layout = {nb: cells for nb, cells in course_layout(graded).items()}
    for row in rows:
        student = next(s for s in graded["students"] if s.id == row["student"])
        want = samples.expected_points(student, layout)
        assert {k: float(row[k]) for k in want} == want
        assert float(row["total"]) == sum(want.values())
        assert float(row["max_score"]) == 8
        assert float(row["extra"]) + float(row["squares"]) == float(row["total"])
    assert next(r for r in rows if r["student"] == "perfect")["message"] == "ok"


def course_layout(graded):
    from grading.tool.gradebook import assignment_cells

    return assignment_cells(graded["root"], fx.ASSIGNMENT)


def test_grade_table_lists_every_student(graded):
    table = export.grade_table(graded["root"], fx.ASSIGNMENT)
    for student in graded["students"]:
        assert re.search(rf"^{student.id}\s", table, flags=re.M)
    assert "5/8" in table


def test_regrading_one_student_keeps_the_others(graded, tmp_path):
    """Autograding a folder with one student updates that student only."""
    one = tmp_path / "again" / "perfect"
    one.mkdir(parents=True)
    for nb in (graded["subs"] / "perfect" / fx.ASSIGNMENT).glob("*.ipynb"):
        (one / nb.name).write_bytes(nb.read_bytes())
    _, before = export.grade_rows(graded["root"], fx.ASSIGNMENT)
    autograde.autograde(graded["cfg"], fx.ASSIGNMENT, tmp_path / "again", log=lambda *_: None)
    _, after = export.grade_rows(graded["root"], fx.ASSIGNMENT)
    assert [(r.student, r.cells, r.message) for r in after] == [(r.student, r.cells, r.message) for r in before]
    assert os.path.exists(graded["root"] / "messages" / f"{fx.ASSIGNMENT}.json")
