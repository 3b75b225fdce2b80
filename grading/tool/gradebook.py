"""Read the assignment's structure from nbgrader's gradebook and merge a worker's grades into it.

Each student is autograded in a private course directory with its own copy of
the gradebook (sqlite does not like several writers); this module copies the
results into the course gradebook, one student at a time, in the parent process.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from pathlib import Path

from nbgrader.api import Gradebook, MissingEntry

from .course import COURSE_ID, ToolError, db_url


@dataclass(frozen=True)
class Cell:
    """A graded cell of the release: ``solution`` cells are answered by the student (manual grading)."""

    grade_id: str
    max_score: float
    solution: bool
    cell_type: str
    source: str  # as stored by nbgrader: test cells include their hidden tests


def existing_db_url(root: Path) -> str:
    """:func:`db_url` of a course directory that has been autograded into; creates nothing.

    (Opening a gradebook that is not there would create an empty one.)
    """
    root = Path(root)
    hint = "give the course directory you autograded into with --course-dir (or $CS231N_COURSE_DIR)"
    if not root.is_dir():
        raise ToolError(f"course directory {root} does not exist: {hint}")
    if not (root / "gradebook.db").is_file():
        raise ToolError(
            f"{root} is not a course directory (it has no gradebook.db): {hint}, "
            "or run `python -m grading autograde ASSIGNMENT SUBMISSIONS_DIR` first"
        )
    return db_url(root)


def known_assignments(root: Path) -> list[str]:
    """The assignments recorded in the course gradebook that have graded cells, sorted."""
    with Gradebook(existing_db_url(root), COURSE_ID) as gb:
        return sorted(a.name for a in gb.assignments if any(nb.grade_cells for nb in a.notebooks))


def graded_students(root: Path, assignment: str) -> list[str]:
    """The students with a submission of ``assignment`` in the course gradebook, sorted."""
    with Gradebook(existing_db_url(root), COURSE_ID) as gb:
        return sorted(s.student.id for s in gb.find_assignment(assignment).submissions)


def assignment_cells(root: Path, assignment: str) -> dict[str, dict[str, Cell]]:
    """notebook name -> grade id -> :class:`Cell`, in notebook order of the gradebook."""
    with Gradebook(existing_db_url(root), COURSE_ID) as gb:
        try:
            record = gb.find_assignment(assignment)
        except MissingEntry:
            known = ", ".join(known_assignments(root)) or "none"
            raise ToolError(
                f"assignment {assignment!r} is not in the gradebook {root / 'gradebook.db'} "
                f"(assignments in it: {known})"
            ) from None
        out: dict[str, dict[str, Cell]] = {}
        for nb in sorted(record.notebooks, key=lambda n: n.name):
            solutions = {c.name for c in nb.solution_cells}
            order = {c.name: i for i, c in enumerate(nb.source_cells)}
            cells = {}
            for gc in sorted(nb.grade_cells, key=lambda c: order.get(c.name, 0)):
                source = gb.find_source_cell(gc.name, nb.name, assignment).source
                cells[gc.name] = Cell(gc.name, float(gc.max_score), gc.name in solutions, gc.cell_type, source)
            out[nb.name] = cells
    return out


def worker_grades(root: Path, assignment: str, student: str) -> dict[str, dict[str, tuple]]:
    """notebook -> grade id -> ``(auto_score, auto_comment)`` from a worker's gradebook."""
    out: dict[str, dict[str, tuple]] = {}
    with Gradebook(db_url(root), COURSE_ID) as gb:
        try:
            submission = gb.find_submission(assignment, student)
        except MissingEntry:
            return out
        for nb in submission.notebooks:
            comments = {c.name: c.auto_comment for c in nb.comments}
            out[nb.name] = {g.name: (g.auto_score, comments.get(g.name)) for g in nb.grades}
    return out


def merge_student(
    root: Path,
    assignment: str,
    student: str,
    graded: dict[str, dict[str, tuple]],
    zero_notebooks: set[str],
    zero_cells: dict[str, set[str]],
) -> None:
    """Write one student's autograde results into the course gradebook.

    ``graded`` comes from :func:`worker_grades`.  Every cell of a notebook in
    ``zero_notebooks`` (missing, corrupt, crashed) and every cell in
    ``zero_cells`` (deleted by the student) gets 0 points, no manual grading
    needed.  Manual scores already given by a grader are kept.
    """
    with Gradebook(db_url(root), COURSE_ID) as gb, warnings.catch_warnings():
        # nbgrader's own submission set-up trips SQLAlchemy autoflush warnings; harmless
        warnings.simplefilter("ignore", category=Warning)
        gb.update_or_create_student(student)
        gb.update_or_create_submission(assignment, student)
        for nb in gb.find_submission(assignment, student).notebooks:
            scores = graded.get(nb.name, {})
            comments = {c.name: c for c in nb.comments}
            for grade in nb.grades:
                if nb.name in zero_notebooks or grade.name in zero_cells.get(nb.name, set()) or grade.name not in scores:
                    grade.auto_score = 0.0
                    grade.needs_manual_grade = False
                    continue
                auto, comment = scores[grade.name]
                grade.auto_score = auto
                grade.needs_manual_grade = grade.manual_score is not None or auto is None
                if grade.name in comments:
                    comments[grade.name].auto_comment = comment
        gb.db.commit()


def template_gradebook(root: Path, path: Path) -> Path:
    """A copy of the course gradebook with the assignments but no students, for a grading sandbox
    (which must not see other students' grades)."""
    import shutil

    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    shutil.copy(Path(root) / "gradebook.db", tmp)
    with Gradebook(f"sqlite:///{tmp}", COURSE_ID) as gb, warnings.catch_warnings():
        warnings.simplefilter("ignore", category=Warning)
        for student in list(gb.students):
            gb.remove_student(student.id)
    tmp.replace(path)
    return path


def merge_record(root: Path, record, zero_notebooks: set[str], zero_cells: dict[str, set[str]]) -> float:
    """Write one student's :class:`~grading.trusted.records.StudentRecord` into the course gradebook.

    Hidden-test cells get the trusted score; other autograded cells nbgrader's
    (from the notebook run); every cell of a notebook in ``zero_notebooks``
    (missing, corrupt) and every cell in ``zero_cells`` (deleted) gets 0.
    Manually graded answers get no automatic score: only a person gives
    those, and manual scores already given are kept.  Returns the auto total.
    """
    trusted = {(t["notebook"], t["grade_id"]): float(t["score"]) for t in record.tests}
    total = 0.0
    with Gradebook(db_url(root), COURSE_ID) as gb, warnings.catch_warnings():
        # nbgrader's own submission set-up trips SQLAlchemy autoflush warnings; harmless
        warnings.simplefilter("ignore", category=Warning)
        gb.update_or_create_student(record.student)
        gb.update_or_create_submission(record.assignment, record.student)
        for nb in gb.find_submission(record.assignment, record.student).notebooks:
            solutions = {c.name for c in nb.notebook.solution_cells}
            for grade in nb.grades:
                if nb.name in zero_notebooks or grade.name in zero_cells.get(nb.name, set()):
                    auto = 0.0
                elif (nb.name, grade.name) in trusted:
                    auto = trusted[(nb.name, grade.name)]
                elif grade.name in solutions:
                    auto = None  # an answer for a person to grade
                else:
                    auto = record.kernel_scores.get(nb.name, {}).get(grade.name)
                    auto = 0.0 if auto is None else min(float(auto), float(grade.max_score))
                grade.auto_score = auto
                grade.needs_manual_grade = auto is None and grade.manual_score is None
                total += auto or 0.0
        gb.db.commit()
    return total
