"""Which assignments can be graded: those whose source notebooks have graded cells.

``solutions/demos`` (widget notebooks) is released like any assignment but has
nothing to grade, so autograde refuses it and error messages do not offer it.
"""

from __future__ import annotations

import json
from pathlib import Path

from traitlets.config import Config

from .course import ToolError, source_dir


def graded_cells(folder: Path) -> int:
    """How many cells of the notebooks in ``folder`` carry points (nbgrader ``grade`` or ``task``)."""
    count = 0
    for path in sorted(Path(folder).glob("*.ipynb")):
        try:
            cells = json.loads(path.read_text(encoding="utf-8")).get("cells", [])
        except (OSError, ValueError) as exc:
            raise ToolError(f"{path} is not readable notebook JSON ({exc})") from None
        for cell in cells:
            meta = cell.get("metadata", {}).get("nbgrader", {})
            count += bool(meta.get("grade") or meta.get("task"))
    return count


def gradable_assignments(cfg: Config) -> list[str]:
    """The source assignments with at least one graded cell, sorted."""
    src = source_dir(cfg)
    folders = sorted(p for p in src.iterdir() if p.is_dir() and not p.name.startswith(".")) if src.is_dir() else []
    return [p.name for p in folders if graded_cells(p)]


def require_gradable(cfg: Config, assignment: str) -> None:
    """A clear :class:`ToolError` unless ``assignment`` exists in the source directory and has graded cells."""
    folder = source_dir(cfg) / assignment
    known = ", ".join(gradable_assignments(cfg)) or "none"
    if not folder.is_dir():
        raise ToolError(f"no assignment {assignment!r} to grade: {folder} does not exist (gradable: {known})")
    if not graded_cells(folder):
        raise ToolError(
            f"{assignment!r} has no graded cells (its notebooks in {folder} carry no points, e.g. "
            f"ungraded demos), so there is nothing to autograde (gradable: {known})"
        )
