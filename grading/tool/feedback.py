"""Feedback: ``python -m grading feedback ASSIGNMENT`` -> ``<course>/feedback/<student>/<assignment>/<nb>.html``.

nbgrader's generate_feedback with :class:`~grading.tool.scrub.ScrubHidden`
first (configured in ``grading/nbgrader_config.py``, so the plain nbgrader
CLI is safe too).  Afterwards every HTML file is checked for hidden-test
markers; a file that has one is deleted and reported, never handed out.
"""

from __future__ import annotations

from pathlib import Path

from nbgrader.converters import GenerateFeedback
from traitlets.config import Config

from .course import ToolError, course_root
from .nbgrader_run import run_converter

#: Strings that must never appear in feedback handed to a student.
#: (Solution regions are not listed: a submission may quote them itself, and
#: nbgrader never copies solution cells from the gradebook into a submission.)
FORBIDDEN = (
    "BEGIN HIDDEN TESTS",
    "END HIDDEN TESTS",
    "run_hidden",
    "grading.hidden",
    "grading/hidden",
    "grading.oracles",
    "grading/oracles",
)


def generate(cfg: Config, assignment: str, student: str = "*") -> list[Path]:
    """Write the feedback HTML of every autograded student (or one); returns the files."""
    root = course_root(cfg)
    if not any((root / "autograded").glob(f"{student}/{assignment}/*.ipynb")):
        raise ToolError(f"nothing autograded for {assignment!r} in {root / 'autograded'}: run `python -m grading autograde` first")
    run_converter(GenerateFeedback, cfg, assignment_id=assignment, student_id=student)
    files = sorted((root / "feedback").glob(f"{student}/{assignment}/*.html"))
    leaks = [(path, leaked(path.read_text(encoding="utf-8"))) for path in files]
    leaks = [(path, found) for path, found in leaks if found]
    for path, _ in leaks:
        path.unlink()
    if leaks:
        detail = "\n".join(f"  {path}: contains {', '.join(found)}" for path, found in leaks)
        raise ToolError(f"feedback withheld, it would reveal hidden tests:\n{detail}")
    return files


def leaked(html: str) -> list[str]:
    """The forbidden markers present in ``html``."""
    return [marker for marker in FORBIDDEN if marker in html]
