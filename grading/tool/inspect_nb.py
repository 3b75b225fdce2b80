"""Look at one submitted notebook before grading: readable?  test cells deleted or edited?

nbgrader restores locked test cells from the gradebook before executing, so
an edited test cell is graded in its original form; a deleted one is not
re-added (its points are 0).  This module only finds those cases so that the
student's message can say so.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from grading.markers import split_hidden


@dataclass
class Inspection:
    """What a submitted notebook looks like compared with the released one."""

    problem: str | None = None  # why the notebook cannot be graded at all
    deleted: list[str] = field(default_factory=list)  # grade ids of test/graded cells missing
    edited: list[str] = field(default_factory=list)  # grade ids of test cells whose code changed
    duplicated: list[str] = field(default_factory=list)  # grade ids that appear on more than one cell
    unknown: list[str] = field(default_factory=list)  # grade ids the release does not have (renamed cells?)


def read_notebook(path: Path) -> tuple[nbformat.NotebookNode | None, str | None]:
    """``(notebook, None)`` or ``(None, reason)`` for a missing, corrupt or invalid file."""
    if not path.exists():
        return None, f"{path.name} is missing"
    try:
        raw = json.loads(path.read_bytes().decode("utf-8"))
    except UnicodeDecodeError as exc:
        return None, f"{path.name} is not UTF-8 text ({exc.reason} at byte {exc.start})"
    except json.JSONDecodeError as exc:
        return None, f"{path.name} is not valid notebook JSON ({exc.msg} at line {exc.lineno}, column {exc.colno})"
    try:
        nb = nbformat.reads(json.dumps(raw), as_version=4)
        nbformat.validate(nb)
    except Exception as exc:  # nbformat raises several types for malformed notebooks
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        return None, f"{path.name} is not a valid Jupyter notebook ({first})"
    return nb, None


def strip_hidden(source: str) -> str:
    """``source`` without its ``### BEGIN HIDDEN TESTS`` ... ``### END HIDDEN TESTS`` region."""
    return split_hidden(source)[0]


def _same_code(a: str, b: str) -> bool:
    def norm(s: str) -> list[str]:
        return [line.rstrip() for line in s.strip().splitlines() if line.strip()]

    return norm(a) == norm(b)


def inspect(nb: nbformat.NotebookNode, grade_cells: dict[str, dict]) -> Inspection:
    """Compare ``nb`` with the gradebook's cells.

    ``grade_cells`` maps grade id -> ``{"source": str, "solution": bool}`` for
    every graded cell of the notebook (source with hidden tests, as stored by
    nbgrader).
    """
    seen, found = {}, Inspection()
    for cell in nb.cells:
        grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        if grade_id and grade_id in seen:
            if grade_id not in found.duplicated:
                found.duplicated.append(grade_id)
        elif grade_id:
            seen[grade_id] = cell
    found.unknown = [gid for gid, cell in seen.items() if gid not in grade_cells
                     and cell.get("metadata", {}).get("nbgrader", {}).get("grade")]
    for grade_id, info in grade_cells.items():
        cell = seen.get(grade_id)
        if cell is None:
            found.deleted.append(grade_id)
        elif not info["solution"] and not _same_code(strip_hidden(cell.source), strip_hidden(info["source"])):
            found.edited.append(grade_id)
    return found
