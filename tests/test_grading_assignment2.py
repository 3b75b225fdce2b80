"""Grading assignment 2 with its bundled samples (grading/samples/assignment2.yaml).

Two runs, sized for CI:

- every sample, scores only (the trusted scorer in its sandbox, no notebook runs): each
  student gets exactly the partial scores the spec says -- one bug costs the cells it should;
- the full pipeline (notebooks executed in the grading sandbox, feedback, CSV) on three of
  them, and the plain nbgrader CLI on two: the same grades, cell by cell.
"""

from __future__ import annotations

import csv

import pytest
import yaml

import plain_nbgrader
from grading.markers import FEEDBACK_FORBIDDEN
from grading.tool import course, demo, export, samples
from grading.tool.gradebook import assignment_cells
from grading_helpers import html_text

pytestmark = pytest.mark.slow
ASSIGNMENT = "assignment2"
SPEC = course.REPO / "grading" / "samples" / "assignment2.yaml"
NOTEBOOKS = ["FullyConnectedNets", "BatchNormalization", "Dropout", "ConvolutionalNetworks", "PyTorch"]
#: The full pipeline's students: everything right, nothing done, and a bug in batchnorm_backward, which the
#: visible checks of bn_backward_alt (graded on its own) must not drag into a disagreement with the trusted grader.
FULL = ["s01_perfect", "s02_untouched_release", "s03_batchnorm_backward_ignores_mean"]
#: The plain nbgrader CLI grades this one (a partial score through the post-convert hook; plain nbgrader on a
#: perfect submission is compared in assignment 1's grading test), to fit CI time.
PLAIN = ["s03_batchnorm_backward_ignores_mean"]


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
    return _demo(tmp_path_factory, "a2_scores", SPEC, scores_only=True)


@pytest.fixture(scope="module")
def full(tmp_path_factory):
    spec = yaml.safe_load(SPEC.read_text())
    spec["students"] = [s for s in spec["students"] if s["id"] in FULL]
    path = tmp_path_factory.mktemp("a2_spec") / "assignment2.yaml"
    path.write_text(yaml.safe_dump(spec, sort_keys=False))
    return _demo(tmp_path_factory, "a2_full", path)


def test_every_sample_scores_exactly_what_the_spec_says(scores_only):
    assert sorted(s.id for s in scores_only["spec"].students) == sorted(
        s["id"] for s in yaml.safe_load(SPEC.read_text())["students"])
    assert scores_only["mismatches"] == [], "\n".join(scores_only["log"])


def test_the_layout_has_the_notebooks_and_their_points(scores_only):
    layout = assignment_cells(scores_only["course"], ASSIGNMENT)
    assert sorted(layout) == sorted(NOTEBOOKS)
    auto = {nb: sum(c.max_score for c in cells.values() if not c.solution) for nb, cells in layout.items()}
    assert auto == {"FullyConnectedNets": 28, "BatchNormalization": 18, "Dropout": 8, "ConvolutionalNetworks": 30,
                    "PyTorch": 9}


@pytest.mark.timeout(1800)
def test_the_full_pipeline_gives_the_same_scores_and_clean_feedback(full, scores_only):
    assert full["mismatches"] == [], "\n".join(full["log"])
    ours = {r.student: r.cells for r in export.grade_rows(full["course"], ASSIGNMENT)[1]}
    fast = {r.student: r.cells for r in export.grade_rows(scores_only["course"], ASSIGNMENT)[1]}
    for student in FULL:
        auto = {k: v for k, v in ours[student].items() if k in fast[student]}
        assert auto == fast[student], student
    assert full["feedback"]
    for path in full["feedback"]:
        text = html_text(path.read_text())
        for marker in FEEDBACK_FORBIDDEN:
            assert marker not in text, f"{path} shows {marker!r}"


@pytest.mark.timeout(1800)
def test_plain_nbgrader_gives_our_grades(full, tmp_path_factory):
    subs_root = full["course"] / "samples"
    subs = {s: subs_root / s / ASSIGNMENT for s in PLAIN}
    plain_rows, plain_courses = plain_nbgrader.grade(subs, ASSIGNMENT, tmp_path_factory.mktemp("a2_plain"),
                                                     full["spec"].timeout)
    with open(full["csv"], newline="") as f:
        ours = {row["student"]: row for row in csv.DictReader(f)}
    assert sorted(plain_rows) == sorted(PLAIN)
    for student in PLAIN:
        assert float(plain_rows[student]["score"]) == float(ours[student]["total"]), student
    our_cells = {r.student: r.cells for r in export.grade_rows(full["course"], ASSIGNMENT)[1]}
    for folder in plain_courses:
        for r in export.grade_rows(folder, ASSIGNMENT)[1]:
            assert r.cells == our_cells[r.student], r.student
