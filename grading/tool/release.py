"""Release: ``solutions/<name>/`` -> ``assignments/<name>/`` with nbgrader's generate_assignment.

The release is deterministic (regenerating gives identical bytes): cell ids are
taken from the source notebook (or derived from the cell index when the source
has none) and every notebook is written with nbformat's canonical JSON.
Generating also records the assignment (cells, checksums, hidden tests) in the
course gradebook, which autograding needs.  The points of hidden-test cells are
those of the hidden tests' definitions (:mod:`grading.tool.points`, nbgrader's
first preprocessor); a notebook that disagrees with them fails before nbgrader
starts, with a message naming notebook and cell.
"""

from __future__ import annotations

import copy
import hashlib
import json
import os
from pathlib import Path

import nbformat
from nbgrader.converters import GenerateAssignment
from traitlets.config import Config

from grading.hidden.core import HiddenTestImportError

from .course import ToolError, prepare_course_dir, release_dir, source_notebooks
from .nbgrader_run import run_converter
from .points import HiddenTestPointsError, check_notebook


def release(cfg: Config, assignment: str, release_to: Path | None = None) -> Path:
    """Regenerate ``<release>/<assignment>/`` (force) and return that folder.

    ``release_to`` overrides the release directory (autograding registers the
    assignment without touching the committed ``assignments/``).
    """
    sources = source_notebooks(cfg, assignment)
    for src in sources:
        try:
            check_notebook(src, assignment)
        except (HiddenTestPointsError, HiddenTestImportError) as exc:
            raise ToolError(f"cannot release {assignment}: {exc}") from None
    cfg = copy.deepcopy(cfg)
    if release_to is not None:
        cfg.CourseDirectory.release_directory = str(Path(release_to).resolve())
    prepare_course_dir(cfg)
    run_converter(GenerateAssignment, cfg, assignment_id=assignment)
    out = release_dir(cfg) / assignment
    for src in sources:
        normalise(src, out / src.name)
    return out


def normalise(source: Path, released: Path) -> None:
    """Give ``released`` the cell ids of ``source`` and canonical bytes (sorted keys, indent 1, LF)."""
    if not released.exists():
        raise ToolError(f"nbgrader did not write {released}")
    raw_source = json.loads(source.read_text(encoding="utf-8"))
    nb = json.loads(released.read_text(encoding="utf-8"))
    src_cells = raw_source.get("cells", [])
    if len(src_cells) != len(nb["cells"]):
        raise ToolError(f"{released}: {len(nb['cells'])} cells released from {len(src_cells)} in {source}")
    has_ids = (nb.get("nbformat", 4), nb.get("nbformat_minor", 0)) >= (4, 5)
    for index, (src_cell, cell) in enumerate(zip(src_cells, nb["cells"])):
        if has_ids:
            cell["id"] = src_cell.get("id") or _stable_id(source.name, index)
        else:
            cell.pop("id", None)
    nbformat.validate(nbformat.from_dict(nb))
    text = json.dumps(nb, sort_keys=True, indent=1, ensure_ascii=False) + "\n"
    released.write_text(text, encoding="utf-8")
    os.chmod(released, 0o644)


def _stable_id(name: str, index: int) -> str:
    return hashlib.sha1(f"{name}:{index}".encode()).hexdigest()[:8]


def release_all(cfg: Config, assignments: list[str]) -> list[Path]:
    """Release each assignment in turn; returns the release folders."""
    return [release(cfg, name) for name in assignments]

