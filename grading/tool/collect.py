"""Import a folder of submissions into the course directory.

Two layouts are accepted, per student:

- nbgrader's course layout: ``<dir>/<student>/<assignment>/<nb>.ipynb`` (a
  ``submitted/`` folder; ``<dir>`` may also be a course directory holding one);
- a flat folder: ``<dir>/<student>/<nb>.ipynb``.

The originals are only read (copied with their timestamps); nothing in
``<dir>`` is modified.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from .course import ToolError

_STUDENT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.@-]*$")


@dataclass(frozen=True)
class Submission:
    """One student's submitted files for one assignment."""

    student: str
    folder: Path  # the folder holding the student's notebooks

    def notebook(self, name: str) -> Path:
        """Path of notebook ``name`` (without ``.ipynb``); may not exist."""
        return self.folder / f"{name}.ipynb"


def find_submissions(folder: Path | str, assignment: str) -> list[Submission]:
    """Every student folder under ``folder``, sorted by student id."""
    root = Path(folder).expanduser()
    if not root.is_dir():
        raise ToolError(f"submissions folder {root} does not exist or is not a folder")
    if (root / "submitted").is_dir():
        root = root / "submitted"
    found = []
    for child in sorted(root.iterdir()):
        if not child.is_dir() or child.name.startswith("."):
            continue
        if not _STUDENT_ID.match(child.name):
            raise ToolError(
                f"{child}: {child.name!r} is not a usable student id "
                "(letters, digits, _ . @ - only); rename the folder"
            )
        inner = child / assignment
        found.append(Submission(child.name, inner if inner.is_dir() else child))
    if not found:
        raise ToolError(
            f"no student folders in {root}: expected {root}/<student>/{assignment}/<notebook>.ipynb "
            f"or {root}/<student>/<notebook>.ipynb"
        )
    return found


def copy_submission(sub: Submission, dest: Path) -> Submission:
    """Copy ``sub``'s files into ``dest`` (replacing it); returns the copy.

    A submission that already is ``dest`` (grading the course's own
    ``submitted/`` folder) is left as it is.
    """
    dest = Path(dest)
    if dest.resolve() == sub.folder.resolve():
        return sub
    if dest.exists():
        shutil.rmtree(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    shutil.copytree(sub.folder, dest, ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"),
                    symlinks=True)  # a link is copied as a link, never followed (it could point at any file)
    return Submission(sub.student, dest)


def found_instead(folder: Path | str, name: str, expected: Iterable[str], assignment: str) -> str:
    """The hint for a missing ``<name>.ipynb``: what the student handed in instead, and how to fix it.

    Looks at the notebooks in ``folder`` that are not ``expected`` (``knn (1).ipynb``,
    ``Softmax.ipynb``) and at those one folder down (``assignment_1/knn.ipynb``:
    a wrongly named assignment folder).  ``""`` when there are none.
    """
    folder, expected = Path(folder), set(expected)
    flat = sorted(p.name for p in folder.glob("*.ipynb") if p.stem not in expected)
    nested = sorted(
        p.relative_to(folder).as_posix()
        for p in folder.glob("*/*.ipynb")
        if not p.parent.name.startswith(".") and p.parent.name != assignment
    )
    if flat:
        return f" (found instead: {', '.join(flat)}; name it {name}.ipynb)"
    if nested:
        folders = sorted({path.split("/")[0] for path in nested})
        return (
            f" (found instead: {', '.join(nested)}; the notebooks go in a folder named {assignment}, "
            f"not {', '.join(folders)})"
        )
    return ""
