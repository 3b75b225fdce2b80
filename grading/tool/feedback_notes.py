"""What a feedback page says besides the notebook: the autograder's notes and what waits for a grader.

:class:`FeedbackNotes` runs after nbgrader's ``GetGrades`` in
``GenerateFeedback`` (``grading/nbgrader_config.py``).  It puts into the
page's resources

- ``notes``: the grading messages of this student that concern this notebook
  (autograde keeps them in ``<course>/messages/<assignment>.json``, each
  prefixed with its notebook's file name), plus any that name no notebook;
- ``pending_points``: points of cells a grader has not graded yet,

and marks each such cell ``needs_manual_grade``, so the template says "to be
graded" instead of "0 / 2".
"""

from __future__ import annotations

from pathlib import Path

from nbconvert.preprocessors import Preprocessor
from nbgrader.api import Gradebook, MissingEntry
from traitlets import Bool

from .autograde import load_messages


def notes_for(messages: list[str], notebook: str, notebooks: list[str]) -> list[str]:
    """The messages about ``notebook``, and those about none of ``notebooks``, in order."""

    def about(message: str, name: str) -> bool:
        return message.startswith(f"{name}.ipynb")

    return [m for m in messages if about(m, notebook) or not any(about(m, nb) for nb in notebooks)]


def trusted_notes(root: Path, assignment: str, student: str, notebook: str) -> list[str]:
    """What the trusted scorer found for this notebook's hidden tests: a summary and each failure's message
    (what was checked, what differed; never the inputs)."""
    from grading.trusted.records import StudentRecord

    from .autograde import state_dir

    path = state_dir(Path(root), assignment) / "records" / f"{student}.json"
    try:
        tests = [t for t in StudentRecord.from_json(path.read_text()).test_records() if t.notebook == notebook]
    except (OSError, ValueError, TypeError):
        return []
    if not tests:
        return []
    passed = sum(t.passed for t in tests)
    notes = [f"{notebook}.ipynb: {passed} of {len(tests)} hidden tests passed (run by the trusted grader on its "
             "own inputs, outside your notebook; these results are your score)"]
    notes += [f"{notebook}.ipynb: {t.message}" for t in tests if not t.passed]
    return notes


def student_notes(root: Path, assignment: str, student: str, notebook: str, notebooks: list[str]) -> list[str]:
    """:func:`notes_for` on the messages autograde stored for ``student``."""
    return notes_for(load_messages(Path(root), assignment).get(student, []), notebook, notebooks)


class FeedbackNotes(Preprocessor):
    """Grading notes and manual-grading state of one notebook, from the messages file and the gradebook."""

    enabled = Bool(True, help="always on: the student should see why points were lost").tag(config=True)

    def preprocess(self, nb, resources):
        info = resources["nbgrader"]
        root = Path(self.config.CourseDirectory.get("root", "."))
        pending = 0.0
        with Gradebook(info["db_url"]) as gb:
            assignment = gb.find_assignment(info["assignment"])
            notebooks = sorted(n.name for n in assignment.notebooks)
            for cell in nb.cells:
                meta = cell.metadata.get("nbgrader", {})
                if not (meta.get("grade") or meta.get("task")):
                    continue
                try:
                    grade = gb.find_grade(meta["grade_id"], info["notebook"], info["assignment"], info["student"])
                except MissingEntry:
                    continue
                meta["needs_manual_grade"] = bool(grade.needs_manual_grade)
                if grade.needs_manual_grade:
                    pending += float(grade.max_score)
        info["notes"] = student_notes(root, info["assignment"], info["student"], info["notebook"], notebooks) + \
            trusted_notes(root, info["assignment"], info["student"], info["notebook"])
        info["pending_points"] = pending
        return nb, resources
