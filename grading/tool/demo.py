"""The whole instructor workflow on bundled samples: ``python -m grading demo`` (``make demo``).

Into a fresh course directory (a new temporary folder unless one is given):
register/release the assignment, build the sample submissions of
``grading/samples/<assignment>.yaml``, autograde them, generate feedback,
write the grades CSV, print the grade table and where everything is, and
compare each student's points with what the spec expects.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from traitlets.config import Config

from . import autograde, export, feedback, samples
from .course import ToolError, course_root, source_dir
from .gradebook import assignment_cells


def run_demo(cfg: Config, spec: Path, jobs: int = 2, timeout_given: bool = False, log=print, **grading) -> dict:
    """Run the demo; returns ``{"course", "csv", "feedback", "mismatches"}``."""
    root = course_root(cfg)
    if root.exists() and any(root.iterdir()):
        raise ToolError(f"demo course directory {root} is not empty; give a new folder with --course-dir")
    root.mkdir(parents=True, exist_ok=True)
    loaded = samples.load_spec(spec)
    assignment, students = loaded.assignment, loaded.students
    if loaded.timeout and not timeout_given:
        cfg.Execute.timeout = int(loaded.timeout)
    log(f"course directory: {root}")
    autograde.register(cfg, assignment)  # release into <course>/release and record it in the gradebook
    subs = samples.build(assignment, students, source_dir(cfg), root / "release", root / "samples")
    log(f"built {len(students)} sample submissions in {subs}")
    autograde.autograde(cfg, assignment, subs, jobs=jobs, log=log, **grading)
    files = feedback.generate(cfg, assignment)
    csv_path = export.write_csv(root, assignment, root / "exports" / f"{assignment}_grades.csv")
    log("")
    log(export.grade_table(root, assignment))
    log("")
    log(f"grades CSV: {csv_path}")
    log(f"feedback:   {root / 'feedback'} ({len(files)} HTML files)")
    log("expected by the spec (auto-graded points; written answers wait for a TA):")
    layout = assignment_cells(root, assignment)
    _, rows = export.grade_rows(root, assignment)
    got = {r.student: r.total for r in rows}
    for student in students:
        want = sum(samples.expected_points(student, layout).values())
        log(f"  {student.id:<28} got {export.fmt(got.get(student.id, float('nan'))):>5}  expected {export.fmt(want):>5}"
            f"  {student.about}")
    scores_only = bool(grading.get("scores_only"))
    if scores_only:
        log("scores-only run: the spec's expected messages come from the notebook runs and are not checked")
    mismatches = check_expectations(root, assignment, students, messages=not scores_only)
    for line in mismatches:
        log(f"UNEXPECTED {line}")
    log("all sample scores as the spec expects" if not mismatches else f"{len(mismatches)} unexpected score(s)")
    return {"course": root, "csv": csv_path, "feedback": files, "mismatches": mismatches}


def check_expectations(root: Path, assignment: str, students: list[samples.Student],
                       messages: bool = True) -> list[str]:
    """Differences between the gradebook and the spec's expected points (and ``messages``), one line each."""
    layout = assignment_cells(root, assignment)
    _, rows = export.grade_rows(root, assignment)
    by_id = {r.student: r for r in rows}
    problems = []
    for student in students:
        row = by_id.get(student.id)
        if row is None:
            problems.append(f"{student.id}: not graded")
            continue
        for key, want in samples.expected_points(student, layout).items():
            got = row.cells.get(key)
            if got is None or abs(got - want) > 1e-9:
                problems.append(f"{student.id}: {key} scored {got}, expected {want}")
        if not messages:
            continue
        for text in student.expect.get("messages", []):
            if text not in row.message:
                problems.append(f"{student.id}: message {row.message!r} lacks {text!r}")
        if not student.expect.get("messages") and row.message != "ok":
            problems.append(f"{student.id}: unexpected message {row.message!r}")
    return problems


def default_course_dir() -> Path:
    return Path(tempfile.mkdtemp(prefix="cs231n-demo-"))
