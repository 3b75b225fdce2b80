"""The student package of an assignment (``<assignment>/cs231n/...``): which files
are the student's, and how the release strips their solutions.

A module of the package marks its solutions exactly as nbgrader marks them in
cells::

    def compute_distances_two_loops(self, X):
        ...
        ### BEGIN SOLUTION
        diff = X[i] - self.X_train[j]
        ...
        ### END SOLUTION

The release replaces each region by ``# YOUR CODE HERE`` and a
``raise NotImplementedError`` naming the function and the notebook that checks
it.  Autograding grades the student's copy of every such file (nbgrader's
``Autograde.exclude_overwriting``) and the instructor's copy of every other
file of the assignment, so a student cannot edit the provided code.

Plain ``nbgrader generate_assignment`` strips too: ``grading/nbgrader_config.py``
calls :func:`install_generate_hook`, which makes nbgrader's GenerateAssignment
strip every ``.py`` file it copies into the release.  Anything that cannot be
stripped (unbalanced markers, hidden tests in a module, a result that does not
parse) fails the whole generation, and nbgrader then deletes the release
folder: a solution is never shipped.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

from grading.markers import BEGIN_HIDDEN_TESTS, BEGIN_SOLUTION, CODE_STUB, END_HIDDEN_TESTS, END_SOLUTION

BEGIN, END = BEGIN_SOLUTION, END_SOLUTION
HIDDEN = (BEGIN_HIDDEN_TESTS, END_HIDDEN_TESTS)
_DEF = re.compile(r"^(\s*)(?:async\s+)?(def|class)\s+(\w+)")


class StripError(Exception):
    """A module of the student package cannot be released safely (the message names file and line)."""


def has_solution(text: str) -> bool:
    return BEGIN in text or END in text


def _enclosing(lines: list[str], index: int, indent: int) -> str:
    """``Class.method`` (or ``function``) whose body holds line ``index`` (indented by ``indent``)."""
    names, level = [], indent
    for line in reversed(lines[:index]):
        m = _DEF.match(line)
        if m and len(m.group(1)) < level:
            names.insert(0, m.group(3))
            level = len(m.group(1))
            if level == 0:
                break
    return ".".join(names) or "this code"


def strip_source(text: str, path: str, checked_in) -> str:
    """``text`` with every solution region replaced by a stub; raises :class:`StripError`.

    ``checked_in(name)`` says which notebook checks the top-level function or class ``name``.
    """
    for marker in HIDDEN:
        if marker in text:
            line = text[: text.index(marker)].count("\n") + 1
            raise StripError(f"{path}, line {line}: hidden tests belong in grading/hidden, not in the student package")
    lines = text.split("\n")
    out, start = [], None
    for number, line in enumerate(lines, 1):
        stripped = line.strip()
        if stripped == BEGIN:
            if start is not None:
                raise StripError(f"{path}, line {number}: {BEGIN} inside the region opened on line {start}")
            start, indent = number, line[: len(line) - len(line.lstrip())]
            where = _enclosing(lines, number - 1, len(indent))
            out += [f"{indent}{CODE_STUB}",
                    f'{indent}raise NotImplementedError("{where} is not written yet; checked in {checked_in(where.split(".")[0])}")']
        elif stripped == END:
            if start is None:
                raise StripError(f"{path}, line {number}: {END} without a {BEGIN} before it")
            start = None
        elif BEGIN in line or END in line:
            raise StripError(f"{path}, line {number}: a solution marker must stand alone on its line")
        elif start is None:
            out.append(line)
    if start is not None:
        raise StripError(f"{path}, line {start}: {BEGIN} is never closed by {END}")
    result = "\n".join(out)
    try:
        compile(result, path, "exec")
    except SyntaxError as exc:
        raise StripError(f"{path}: the released module would not parse (line {exc.lineno}: {exc.msg})") from None
    return result


def checking_notebooks(notebooks: Path, package_root: Path, module_file: Path, name: str = "") -> str:
    """The notebooks in ``notebooks`` that load ``name`` (a top-level object) from ``module_file``, or
    failing that that mention the module: e.g. "svm.ipynb"."""
    dotted = ".".join(module_file.relative_to(package_root).with_suffix("").parts)
    texts = {nb.name: nb.read_text(encoding="utf-8") for nb in sorted(notebooks.glob("*.ipynb"))}
    users = [nb for nb, text in texts.items() if dotted in text]
    loading = [nb for nb in users if name and f'\\"{name}\\"' in texts[nb]]  # "Name" inside the JSON string
    return ", ".join(loading or users) or "the notebooks of this assignment"


def strip_tree(folder: Path | str, notebooks: Path | str | None = None) -> list[Path]:
    """Strip every module of a released assignment ``folder`` in place; returns the files changed.

    ``notebooks``: the folder whose notebooks say which notebook checks a module (default ``folder``).
    """
    folder = Path(folder)
    notebooks = Path(notebooks) if notebooks is not None else folder
    changed = []
    for path in sorted(folder.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        if not has_solution(text) and not any(m in text for m in HIDDEN):
            continue
        shown = str(path.relative_to(folder))
        checked_in = functools.partial(checking_notebooks, notebooks, folder, path)
        path.write_text(strip_source(text, shown, checked_in), encoding="utf-8")
        changed.append(path)
    return changed


def student_files(source_root: Path | str) -> dict[str, list[str]]:
    """``{assignment: [module paths relative to it]}``: the files that hold solution regions.

    Autograding keeps the student's version of these (nbgrader would otherwise
    overwrite them with the instructor's, solutions included).
    """
    root = Path(source_root)
    found: dict[str, list[str]] = {}
    if not root.is_dir():
        return found
    for assignment in sorted(p for p in root.iterdir() if p.is_dir()):
        files = [str(p.relative_to(assignment)) for p in sorted(assignment.rglob("*.py"))
                 if "__pycache__" not in p.parts and has_solution(p.read_text(encoding="utf-8"))]
        if files:
            found[assignment.name] = files
    return found


def install_generate_hook() -> None:
    """Make nbgrader's GenerateAssignment strip the modules it copies into a release (idempotent)."""
    from nbgrader.converters import GenerateAssignment

    original = GenerateAssignment.init_assignment
    if getattr(original, "strips_student_package", False):
        return

    def init_assignment(self, assignment_id, student_id):
        original(self, assignment_id, student_id)
        dest = Path(self._format_dest(assignment_id, student_id))
        for path in strip_tree(dest, self._format_source(assignment_id, student_id)):
            self.log.info("Stripped the solution regions of %s", path)

    init_assignment.strips_student_package = True
    GenerateAssignment.init_assignment = init_assignment
