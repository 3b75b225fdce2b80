"""The adversarial suite: one submission per attack on the grader (grading/samples/assignment1_attacks.yaml),
graded in one batch with a correct student, sandbox on.

Each attacker scores 0 on what it attacks and is flagged in its message, the
correct student comes out untouched, every submission is byte-identical
afterwards, and nbgrader's own export shows the trusted scores.
"""

from __future__ import annotations

import csv
import os
import subprocess
import sys

import nbformat
import pytest

from grading.tool import autograde, course, demo, export, samples

pytestmark = pytest.mark.slow
SPEC = course.REPO / "grading" / "samples" / "assignment1_attacks.yaml"


def snapshot(folder):
    """Every file under ``folder``: bytes, mode and mtime."""
    out = {}
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            st = path.stat()
            out[str(path.relative_to(folder))] = (path.read_bytes(), st.st_mode, st.st_mtime_ns)
    return out


@pytest.fixture(scope="module")
def attacked(tmp_path_factory):
    root = tmp_path_factory.mktemp("attacks") / "course"
    spec = samples.load_spec(SPEC)
    cfg = course.load_config(root, spec.timeout)
    autograde.register(cfg, spec.assignment)
    subs = samples.build(spec.assignment, spec.students, course.source_dir(cfg), root / "release", root / "samples")
    before = snapshot(subs)
    log = []
    results = autograde.autograde(cfg, spec.assignment, subs, jobs=2, log=log.append)
    return {"root": root, "spec": spec, "subs": subs, "before": before, "results": {r.student: r for r in results},
            "log": log}


@pytest.mark.timeout(1800)
def test_each_attack_scores_zero_on_what_it_attacks_and_is_flagged(attacked):
    problems = demo.check_expectations(attacked["root"], "assignment1", attacked["spec"].students)
    assert problems == [], "\n".join(problems + attacked["log"])
    for student in attacked["spec"].students[1:]:
        assert attacked["results"][student.id].messages, f"{student.id} was not flagged"


def test_the_correct_student_in_the_same_batch_is_untouched(attacked):
    result = attacked["results"]["a00_correct"]
    assert result.total == 38 and result.messages == [], result.messages


def test_submissions_are_byte_identical_after_grading(attacked):
    assert snapshot(attacked["subs"]) == attacked["before"]


def test_the_log_names_the_sandbox_layers(attacked):
    layers = attacked["log"][0]
    for line in ("network: off", "filesystem: private", "processes: own PID namespace", "limits: memory"):
        assert line in layers


def test_nbgrader_export_shows_the_trusted_scores(attacked):
    """a02 made its notebook show knn_two_loops as passed; nbgrader's own export reads the gradebook,
    which holds the trusted 0."""
    root = attacked["root"]
    (root / "nbgrader_config.py").exists() or pytest.fail("the course directory has no nbgrader_config.py")
    nbgrader = os.path.join(os.path.dirname(sys.executable), "nbgrader")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "CS231N_COURSE_DIR")}
    subprocess.run([nbgrader, "export", "--to=plain.csv"], cwd=root, env=env, check=True, capture_output=True,
                   timeout=300)
    with open(root / "plain.csv", newline="") as f:
        plain = {row["student_id"]: float(row["score"]) for row in csv.DictReader(f)}
    ours = {r.student: r.total for r in export.grade_rows(root, "assignment1")[1]}
    assert plain == ours
    assert plain["a02_patches_checks_and_run_hidden"] == 10  # knn 12 minus knn_two_loops' 2


def test_output_flood_is_cut_and_the_grader_survives(attacked):
    nb = nbformat.read(attacked["root"] / "autograded" / "a09_prints_a_gigabyte" / "assignment1" / "knn.ipynb", 4)
    size = sum(len(o.get("text", "")) for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []))
    assert size < 4 * 2**20


def test_hidden_inputs_a_student_recorded_are_never_shown(attacked):
    """a15 keeps every array its code is given, the hidden tests' inputs included, and prints them in a later
    cell: that output is replaced in the graded notebook (and so in the feedback and the Formgrader)."""
    from grading.trusted.redact import NOTICE

    nb = nbformat.read(attacked["root"] / "autograded" / "a15_records_hidden_inputs" / "assignment1" / "knn.ipynb", 4)
    last = [c for c in nb.cells if c.cell_type == "code"][-1]
    assert "spy.SEEN" in last.source
    assert [o.get("text") for o in last.outputs] == [NOTICE]


def test_plain_nbgrader_also_writes_the_trusted_scores(attacked, tmp_path):
    """Plain `nbgrader autograde` (the configuration's post-convert hook) scores a02 -- whose notebook shows its
    wrong two-loop distances as passing -- with the trusted scorer, as our tool does."""
    import plain_nbgrader

    sub = attacked["subs"] / "a02_patches_checks_and_run_hidden" / "assignment1"
    rows, courses = plain_nbgrader.grade({"a02_patches_checks_and_run_hidden": sub}, "assignment1", tmp_path,
                                         attacked["spec"].timeout, groups=1)
    assert float(rows["a02_patches_checks_and_run_hidden"]["score"]) == 10
    cells = {r.student: r.cells for r in export.grade_rows(courses[0], "assignment1")[1]}
    assert cells["a02_patches_checks_and_run_hidden"]["knn:knn_two_loops"] == 0
