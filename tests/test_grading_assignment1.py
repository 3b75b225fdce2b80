"""`python -m grading demo` on the real assignment 1 and its bundled samples (grading/samples/assignment1.yaml).

Three runs, sized for CI time:

- every sample, scores only (the trusted scorer in its sandbox, no notebook runs): each student gets exactly the
  partial scores the spec says;
- the full pipeline (release, submissions, notebooks executed in the grading sandbox with two jobs, feedback, CSV) on
  the samples whose outcome depends on running the notebooks (``FULL``): scores and messages as the spec says;
- the plain nbgrader CLI on some of those (``PLAIN``): the same grades, cell by cell.
"""

from __future__ import annotations

import ast
import csv

import nbformat
import pytest
import yaml

import plain_nbgrader
from grading.markers import FEEDBACK_FORBIDDEN, SOLUTION_BEGIN_TEXT, SOLUTION_END_TEXT
from grading.tool import course, demo, export, samples
from grading_helpers import html_text
from grading.tool.gradebook import assignment_cells

pytestmark = pytest.mark.slow
REPO = course.REPO
SPEC = REPO / "grading" / "samples" / "assignment1.yaml"
#: The full pipeline's students: right, untouched, and those whose grade or message comes from running the notebooks
#: (a syntax error in an ungraded cell, a kernel-killing import, a module with a syntax error, a missing module) or
#: that plain nbgrader grades below (an edited test cell). The others (package bugs, a deleted test cell, corrupt
#: JSON, a missing notebook, an infinite loop) are scored by the scores-only run, through the same inspection and
#: trusted scorer (it checks scores, not messages); an infinite loop in a notebook run, and its message, are tested on
#: a toy assignment (tests/test_grading_pipeline.py).
FULL = ["s01_perfect", "s02_untouched_release", "s05_knn_edited_test", "s07_knn_syntax_error", "s08_knn_kills_kernel",
        "s12_svm_module_syntax_error", "s14_knn_module_missing"]
#: Graded by plain nbgrader too: a perfect submission, an edited test cell, a kernel-killing import and a package
#: bug (the hidden-test cells get the trusted scores through the configuration's post-convert hook); the other
#: samples go through the same configuration (assignment 2's plain run adds a partial package bug).
PLAIN = ["s01_perfect", "s05_knn_edited_test", "s08_knn_kills_kernel", "s12_svm_module_syntax_error"]


def _demo(tmp_path_factory, name, spec_path, **grading):
    root = tmp_path_factory.mktemp(name) / "course"
    cfg = course.load_config(root)
    log = []
    result = demo.run_demo(cfg, spec_path, jobs=2, log=log.append, **grading)
    result["log"] = log
    result["spec"] = samples.load_spec(spec_path)
    return result


@pytest.fixture(scope="module")
def scores_only(tmp_path_factory):
    return _demo(tmp_path_factory, "a1_scores", SPEC, scores_only=True)


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory):
    spec = yaml.safe_load(SPEC.read_text())
    spec["students"] = [s for s in spec["students"] if s["id"] in FULL]
    path = tmp_path_factory.mktemp("a1_spec") / "assignment1.yaml"
    path.write_text(yaml.safe_dump(spec, sort_keys=False))
    return _demo(tmp_path_factory, "a1_full", path)


@pytest.fixture(scope="module")
def plain_run(demo_run, tmp_path_factory):
    """Some of the same sample submissions graded by the plain nbgrader CLI (generate_assignment, autograde, export)."""
    root = demo_run["course"] / "samples"
    subs = {s: root / s / "assignment1" if (root / s / "assignment1").is_dir() else root / s for s in PLAIN}
    return plain_nbgrader.grade(subs, "assignment1", tmp_path_factory.mktemp("plain"), demo_run["spec"].timeout)


def test_every_sample_scores_what_the_spec_says_scores_only(scores_only):
    assert sorted(s.id for s in scores_only["spec"].students) == sorted(
        s["id"] for s in yaml.safe_load(SPEC.read_text())["students"])
    assert scores_only["mismatches"] == [], "\n".join(scores_only["log"])


@pytest.mark.timeout(2400)  # the two module fixtures (our full demo, then plain nbgrader) run inside this test
def test_plain_nbgrader_gives_exactly_our_grades(demo_run, plain_run):
    """The Formgrader's Autograde button and `nbgrader autograde` run this same configuration: the CSVs agree
    student by student, and so does every graded cell."""
    plain_rows, plain_courses = plain_run
    with open(demo_run["csv"], newline="") as f:
        ours = {row["student"]: row for row in csv.DictReader(f)}
    assert sorted(ours) == sorted(FULL)
    assert sorted(plain_rows) == sorted(PLAIN)
    for student, row in ((s, r) for s, r in ours.items() if s in plain_rows):
        assert float(plain_rows[student]["score"]) == float(row["total"]), student
        assert float(plain_rows[student]["max_score"]) == float(row["max_score"]), student
    our_cells = {r.student: r.cells for r in export.grade_rows(demo_run["course"], "assignment1")[1]}
    for folder in plain_courses:
        for r in export.grade_rows(folder, "assignment1")[1]:
            assert r.cells == our_cells[r.student], r.student


# One press (the kernel-killing sample; the others are graded by the same configuration in plain_run).
@pytest.mark.parametrize("student", ["s08_knn_kills_kernel"])
def test_the_formgrader_autograde_button_gives_our_grades_too(demo_run, plain_run, student):
    """The button calls NbGraderAPI.autograde in the course directory; regrading with it changes nothing."""
    _, plain_courses = plain_run
    (course_dir,) = [c for c in plain_courses if (c / "submitted" / student).is_dir()]
    plain_nbgrader.formgrader_autograde(course_dir, "assignment1", student)
    ours = {r.student: r.cells for r in export.grade_rows(demo_run["course"], "assignment1")[1]}
    button = {r.student: r.cells for r in export.grade_rows(course_dir, "assignment1")[1]}
    assert button[student] == ours[student]


def test_the_full_pipeline_scores_and_messages_are_what_the_spec_says(demo_run):
    assert demo_run["mismatches"] == [], "\n".join(demo_run["log"])


def test_perfect_gets_all_auto_points_and_release_none(demo_run):
    root = demo_run["course"]
    layout = assignment_cells(root, "assignment1")
    auto = {f"{nb}:{g}": c.max_score for nb, cells in layout.items() for g, c in cells.items() if not c.solution}
    _, rows = export.grade_rows(root, "assignment1")
    by = {r.student: r for r in rows}
    assert {k: by["s01_perfect"].cells[k] for k in auto} == auto
    assert all(by["s02_untouched_release"].cells[k] == 0 for k in auto)
    assert by["s01_perfect"].message == by["s02_untouched_release"].message == "ok"


def test_csv_matches_the_spec(demo_run):
    root = demo_run["course"]
    layout = assignment_cells(root, "assignment1")
    with open(demo_run["csv"], newline="") as f:
        rows = {r["student"]: r for r in csv.DictReader(f)}
    assert sorted(rows) == sorted(s.id for s in demo_run["spec"].students)
    for student in demo_run["spec"].students:
        want = samples.expected_points(student, layout)
        row = rows[student.id]
        assert {k: float(row[k]) for k in want} == want
        assert float(row["total"]) == pytest.approx(sum(want.values()))
        assert float(row["max_score"]) == pytest.approx(sum(c.max_score for cells in layout.values() for c in cells.values()))


def _hidden_helper_names() -> set[str]:
    names = set()
    for path in (REPO / "grading" / "hidden" / "assignment1").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, (ast.FunctionDef, ast.ClassDef)) and node.name.startswith("_"):
                names.add(node.name)
    return names


def test_feedback_never_reveals_hidden_tests_or_oracles(demo_run):
    helpers = _hidden_helper_names()
    assert demo_run["feedback"]
    for path in demo_run["feedback"]:
        page = path.read_text()
        for marker in FEEDBACK_FORBIDDEN:
            assert marker not in page, f"{path} shows {marker!r}"
        text = html_text(page)
        for name in helpers:
            assert f"{name}(" not in text, f"{path} shows hidden helper {name}"


def _solution_lines() -> set[str]:
    """Long lines of solution regions that the release itself does not show (e.g. in a hint)."""
    released = "\n".join(
        c.source for p in (REPO / "assignments" / "assignment1").glob("*.ipynb")
        for c in nbformat.read(p, as_version=4).cells
    )
    lines = set()
    for nb_path in (REPO / "solutions" / "assignment1").glob("*.ipynb"):
        for cell in nbformat.read(nb_path, as_version=4).cells:
            inside = False
            for line in cell.source.splitlines():
                if SOLUTION_BEGIN_TEXT in line:
                    inside = True
                elif SOLUTION_END_TEXT in line:
                    inside = False
                elif inside and len(line.strip()) > 30 and line.strip() not in released:
                    lines.add(line.strip())
    return lines


def test_feedback_of_the_untouched_release_reveals_no_solution(demo_run):
    pages = [p for p in demo_run["feedback"] if p.parent.parent.name == "s02_untouched_release"]
    assert pages
    solution = _solution_lines()
    assert solution
    for path in pages:
        text = html_text(path.read_text())
        leaked = [line for line in solution if line in text]
        assert leaked == [], f"{path} shows solution lines {leaked[:3]}"
