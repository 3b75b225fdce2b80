"""Sample submissions from a declarative spec (``grading/samples/<assignment>.yaml``).

A spec names students and says how to derive each one's submission from the
release (what students receive) and the solutions, and what it must score::

    assignment: assignment1
    timeout: 20                 # seconds per cell in the demo (the infinite-loop sample waits this long)
    students:
      - id: s01_perfect
        base: solution          # release with every solution cell filled in from solutions/
        expect: {}              # every auto-graded cell gets full marks
      - id: s02_release
        base: release
        layout: flat            # <dir>/<student>/<nb>.ipynb instead of <dir>/<student>/<assignment>/
        expect: {zero: ["*"]}
      - id: s03_wrong_one_loop
        base: solution
        edits:
          - {notebook: knn, cell: knn_one_loop_impl, old: "...", new: "..."}
        expect: {zero: ["knn:knn_one_loop_test"], messages: []}

Edits (applied in order): ``old``/``new`` text substitution in one cell's
source (``cell`` = grade id, or any cell when omitted; ``old`` must occur
exactly once, so a spec that no longer fits the notebooks fails loudly);
``delete_cell: <grade id>``; ``set_source: <text>`` with ``cell``;
``append_cell: <code>`` (a new ungraded code cell at the end);
``corrupt: true`` (the file is cut mid-JSON); ``delete: true`` (no file);
``rename: <file name>`` (saved under another name, e.g. ``knn (1).ipynb``);
``duplicate_cell: <grade id>`` (a copy just before it, with source ``new`` if given);
``rename_cell: <grade id>`` with ``new: <grade id>``.
Files of the student package are edited with ``file: <path in the assignment>``
(e.g. ``cs231n/classifiers/k_nearest_neighbor.py``) instead of ``notebook``:
``old``/``new``, ``set_source`` or ``delete``.

``expect``: ``zero`` lists auto-graded cells scoring 0 (``nb:grade_id``,
``nb:*`` or ``*``), ``points`` gives exact partial points, every other
auto-graded cell scores its maximum; manually graded answers score 0 until
a grader marks them.  ``messages`` are substrings the student's message must
contain (``ok`` when there are none).
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
import yaml

from grading.markers import BEGIN_SOLUTION, END_SOLUTION

from .course import REPO, ToolError
from .gradebook import Cell

SPEC_DIR = REPO / "grading" / "samples"
_EDIT_KEYS = {"notebook", "file", "cell", "old", "new", "delete_cell", "set_source", "append_cell", "corrupt", "delete",
              "rename", "duplicate_cell", "rename_cell"}
_FILE_EDIT_KEYS = {"file", "old", "new", "set_source", "delete"}


@dataclass
class Student:
    id: str
    base: str
    layout: str = "course"
    edits: list[dict] = field(default_factory=list)
    expect: dict = field(default_factory=dict)
    about: str = ""


@dataclass
class Spec:
    assignment: str
    students: list[Student]
    timeout: int | None = None


def load_spec(path: Path | str) -> Spec:
    """The spec in a YAML file, checked for typos."""
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text())
    except (OSError, yaml.YAMLError) as exc:
        raise ToolError(f"cannot read sample spec {path}: {exc}") from None
    students = []
    for entry in data.get("students", []):
        # `notebook_edits` follow `edits` (so a YAML anchor can share a list of edits between students)
        entry = dict(entry, edits=list(entry.get("edits", [])) + list(entry.pop("notebook_edits", [])))
        unknown = set(entry) - {"id", "base", "layout", "edits", "expect", "about"}
        if unknown:
            raise ToolError(f"{path}: student {entry.get('id')!r} has unknown keys {sorted(unknown)}")
        student = Student(**entry)
        if student.base not in {"solution", "release"}:
            raise ToolError(f"{path}: student {student.id}: base must be 'solution' or 'release', got {student.base!r}")
        if student.layout not in {"course", "flat"}:
            raise ToolError(f"{path}: student {student.id}: layout must be 'course' or 'flat', got {student.layout!r}")
        for edit in student.edits:
            if set(edit) - _EDIT_KEYS or ("notebook" in edit) == ("file" in edit) or (
                    "file" in edit and set(edit) - _FILE_EDIT_KEYS):
                raise ToolError(f"{path}: student {student.id}: bad edit {edit} (a notebook edit has keys "
                                f"{sorted(_EDIT_KEYS - {'file'})}; a file edit {sorted(_FILE_EDIT_KEYS)})")
        students.append(student)
    if not students:
        raise ToolError(f"{path}: no students")
    unknown = set(data) - {"assignment", "timeout", "students"}
    if unknown or "assignment" not in data:
        raise ToolError(f"{path}: top-level keys are assignment, timeout, students; got {sorted(data)}")
    return Spec(data["assignment"], students, data.get("timeout"))


def build(assignment: str, students: list[Student], source: Path, release: Path, out: Path) -> Path:
    """Write every student's submission under ``out``; returns ``out``."""
    out = Path(out)
    for student in students:
        folder = out / student.id if student.layout == "flat" else out / student.id / assignment
        if folder.exists():
            shutil.rmtree(folder)
        folder.mkdir(parents=True)
        _write_package(student, Path(source) / assignment, Path(release) / assignment, folder)
        for released in sorted((Path(release) / assignment).glob("*.ipynb")):
            name = released.stem
            nb = nbformat.read(released, as_version=4)
            if student.base == "solution":
                _fill_solutions(nb, nbformat.read(Path(source) / assignment / released.name, as_version=4))
            text: str | None = None
            filename = released.name
            for edit in (e for e in student.edits if e.get("notebook") == name):
                if "rename" in edit:
                    filename = edit["rename"]
                    continue
                nb, text = _apply(nb, text, edit, student.id)
            if text is None:
                text = nbformat.writes(nb) + "\n"
            if text != "":
                (folder / filename).write_text(text, encoding="utf-8")
    return out


def _write_package(student: Student, source: Path, release: Path, folder: Path) -> None:
    """The student's copy of every file of the release that is not a notebook (the ``cs231n`` package):
    the released one, or for ``base: solution`` the instructor's without its solution markers; then the
    ``file`` edits."""
    for released in sorted(p for p in release.rglob("*") if p.is_file() and p.suffix != ".ipynb"):
        rel = released.relative_to(release)
        text = released.read_text(encoding="utf-8")
        if student.base == "solution" and (source / rel).exists():
            text = "".join(line for line in (source / rel).read_text(encoding="utf-8").splitlines(keepends=True)
                           if line.strip() not in {BEGIN_SOLUTION, END_SOLUTION})
        for edit in (e for e in student.edits if e.get("file") == str(rel)):
            text = _edit_file(text, edit, student.id)
        if text is not None:
            (folder / rel).parent.mkdir(parents=True, exist_ok=True)
            (folder / rel).write_text(text, encoding="utf-8")
    unknown = {e["file"] for e in student.edits if "file" in e} - {
        str(p.relative_to(release)) for p in release.rglob("*") if p.is_file()}
    if unknown:
        raise ToolError(f"sample {student.id}: no file {sorted(unknown)} in the release of {release.name}")


def _edit_file(text: str | None, edit: dict, who: str) -> str | None:
    if text is None:
        raise ToolError(f"sample {who}: no edit can follow 'delete' in {edit['file']}")
    if edit.get("delete"):
        return None
    if "set_source" in edit:
        return edit["set_source"]
    if "old" in edit:
        count = text.count(edit["old"])
        if count != 1:
            raise ToolError(f"sample {who}: {edit['old']!r} occurs {count} times in {edit['file']} (need exactly 1)")
        return text.replace(edit["old"], edit["new"])
    raise ToolError(f"sample {who}: edit {edit} does nothing")


def _fill_solutions(nb, solved) -> None:
    answers = {c.metadata.get("nbgrader", {}).get("grade_id"): c.source for c in solved.cells
               if c.metadata.get("nbgrader", {}).get("solution")}
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("solution") and meta.get("grade_id") in answers:
            cell.source = answers[meta["grade_id"]]


def _find(nb, grade_id, who):
    for index, cell in enumerate(nb.cells):
        if cell.metadata.get("nbgrader", {}).get("grade_id") == grade_id:
            return index
    raise ToolError(f"sample {who}: no cell {grade_id!r} in the notebook")


def _apply(nb, text, edit, who):
    if text is not None:
        raise ToolError(f"sample {who}: no edit can follow 'corrupt' or 'delete' in {edit['notebook']}")
    if edit.get("delete"):
        return nb, ""
    if edit.get("corrupt"):
        whole = nbformat.writes(nb)
        return nb, whole[: len(whole) // 2]
    if "delete_cell" in edit:
        del nb.cells[_find(nb, edit["delete_cell"], who)]
    elif "duplicate_cell" in edit:  # a copy (with `new` as its source, if given) just before the original
        index = _find(nb, edit["duplicate_cell"], who)
        copy = nbformat.from_dict(json.loads(json.dumps(nb.cells[index])))
        copy.pop("id", None)
        if "new" in edit:
            copy.source = edit["new"]
        nb.cells.insert(index, copy)
    elif "rename_cell" in edit:  # {rename_cell: old grade id, new: new grade id}
        nb.cells[_find(nb, edit["rename_cell"], who)].metadata["nbgrader"]["grade_id"] = edit["new"]
    elif "set_source" in edit:
        nb.cells[_find(nb, edit["cell"], who)].source = edit["set_source"]
    elif "append_cell" in edit:
        nb.cells.append(nbformat.v4.new_code_cell(edit["append_cell"]))
    elif "old" in edit:
        cells = [nb.cells[_find(nb, edit["cell"], who)]] if edit.get("cell") else nb.cells
        hits = [c for c in cells if edit["old"] in c.source]
        count = sum(c.source.count(edit["old"]) for c in hits)
        if count != 1:
            raise ToolError(f"sample {who}: {edit['old']!r} occurs {count} times in {edit['notebook']} (need exactly 1)")
        hits[0].source = hits[0].source.replace(edit["old"], edit["new"])
    else:
        raise ToolError(f"sample {who}: edit {edit} does nothing")
    return nb, None


def expected_points(student: Student, layout: dict[str, dict[str, Cell]]) -> dict[str, float]:
    """``"nb:grade_id"`` -> exact points the spec expects, for every graded cell."""
    zero = set(student.expect.get("zero", []))
    points = student.expect.get("points", {})
    out = {}
    for nb, cells in layout.items():
        for gid, cell in cells.items():
            key = f"{nb}:{gid}"
            if cell.solution:  # manually graded answer: 0 until a grader marks it
                out[key] = 0.0
            elif key in points:
                out[key] = float(points[key])
            elif "*" in zero or f"{nb}:*" in zero or key in zero:
                out[key] = 0.0
            else:
                out[key] = cell.max_score
    return out


def spec_path(assignment: str) -> Path:
    path = SPEC_DIR / f"{assignment}.yaml"
    if not path.exists():
        raise ToolError(f"no sample spec for {assignment!r}: expected {path}")
    return path

