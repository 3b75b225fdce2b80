"""Feedback: ``python -m grading feedback ASSIGNMENT`` -> ``<course>/feedback/<student>/<assignment>/<nb>.html``.

nbgrader's generate_feedback renders every autograded notebook, with
:class:`~grading.tool.scrub.ScrubHidden` first and
:class:`~grading.tool.feedback_notes.FeedbackNotes` after the grades, into
the course template ``grading/templates/cs231n_feedback`` (all configured in
``grading/nbgrader_config.py``, so the plain nbgrader CLI is safe too).  Then,
per student:

- a notebook that could not be graded (missing, misnamed, corrupt, the kernel
  died) gets a short page that says why and that it scores 0;
- ``mathjax/`` is put next to the pages, so formulas show offline;
- every page is checked for hidden-test markers; a page that has one is
  deleted and reported, never handed out.
"""

from __future__ import annotations

from pathlib import Path

import jinja2
from nbgrader.converters import GenerateFeedback
from traitlets.config import Config

from grading.markers import FEEDBACK_FORBIDDEN

from . import mathjax
from .course import REPO, ToolError, course_root
from .feedback_notes import student_notes
from .gradebook import Cell, assignment_cells, graded_students
from .nbgrader_run import run_converter

#: Strings that must never appear in feedback handed to a student (see grading/markers.py).
FORBIDDEN = FEEDBACK_FORBIDDEN

TEMPLATES = REPO / "grading" / "templates"
NOT_GRADED_REASON = "it was not autograded (no autograded copy of it exists); ask your TA"


def generate(cfg: Config, assignment: str, student: str = "*") -> list[Path]:
    """Write the feedback HTML of every autograded student (or one); returns the files."""
    root = course_root(cfg)
    layout = assignment_cells(root, assignment)  # clear errors: no course dir, unknown assignment
    students = _students(root, assignment, student)
    if any((root / "autograded").glob(f"{student}/{assignment}/*.ipynb")):
        run_converter(GenerateFeedback, cfg, assignment_id=assignment, student_id=student)
    files = []
    for name in students:
        folder = root / "feedback" / name / assignment
        for notebook, cells in layout.items():
            if not (root / "autograded" / name / assignment / f"{notebook}.ipynb").exists():
                notes = student_notes(root, assignment, name, notebook, list(layout)) or [NOT_GRADED_REASON]
                write_not_graded(folder / f"{notebook}.html", notebook, cells, notes)
            if (folder / f"{notebook}.html").exists():
                files.append(folder / f"{notebook}.html")
        mathjax.install(root, folder)
    withhold_leaks(files, lambda page: _written_by_student(root, page))
    return files


def _written_by_student(root: Path, page: Path) -> str:
    """The text of everything the student handed in for the assignment of feedback ``page``
    (feedback/<student>/<assignment>/<nb>.html): a marker the student wrote is theirs, not a leak."""
    submitted = root / "submitted" / page.parent.parent.name / page.parent.name
    texts = []
    for path in sorted(submitted.rglob("*")) if submitted.is_dir() else []:
        if path.is_file() and not path.is_symlink() and path.suffix in (".ipynb", ".py"):
            texts.append(path.read_text(encoding="utf-8", errors="replace"))
    return "\n".join(texts)


def _students(root: Path, assignment: str, student: str) -> list[str]:
    """The students to write feedback for; a clear error for an unknown one or an empty class."""
    graded = graded_students(root, assignment)
    if student == "*":
        if not graded:
            raise ToolError(
                f"nothing autograded for {assignment!r} in {root}: run `python -m grading autograde` first"
            )
        return graded
    if student not in graded:
        shown = ", ".join(graded[:20]) + (", ..." if len(graded) > 20 else "")
        raise ToolError(
            f"no student {student!r} was autograded for {assignment!r} in {root} "
            f"(autograded: {shown or 'nobody yet'})"
        )
    return [student]


def write_not_graded(path: Path, notebook: str, cells: dict[str, Cell], notes: list[str]) -> Path:
    """The feedback page of a notebook that could not be graded: why, and its cells at 0."""
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True)
    page = env.get_template("not_graded.html.j2").render(
        notebook=notebook,
        notes=notes,
        cells=list(cells.values()),
        max_score=f"{sum(c.max_score for c in cells.values()):g}",
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(page, encoding="utf-8")
    return path


def withhold_leaks(files: list[Path], own_text=lambda page: "") -> None:
    """Delete every page in ``files`` that contains a forbidden marker, and say which.

    ``own_text(page)``: what the student wrote; markers in it (an attacker's own code quoting
    ``run_hidden``, say) are not leaks."""
    leaks = []
    for path in files:
        own = own_text(path)
        leaks.append((path, [m for m in leaked(path.read_text(encoding="utf-8")) if m not in own]))
    leaks = [(path, found) for path, found in leaks if found]
    for path, _ in leaks:
        path.unlink()
    if leaks:
        detail = "\n".join(f"  {path}: contains {', '.join(found)}" for path, found in leaks)
        raise ToolError(f"feedback withheld, it would reveal hidden tests:\n{detail}")


def leaked(html: str) -> list[str]:
    """The forbidden markers present in ``html``."""
    return [marker for marker in FORBIDDEN if marker in html]
