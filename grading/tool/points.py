"""Points of hidden-test cells come from the hidden tests' definitions.

A hidden test's points are written once, in its ``@hidden_test(assignment,
grade_id, points=...)`` decorator.  :class:`HiddenTestPoints` is the first
preprocessor of nbgrader's ``GenerateAssignment`` (``grading/nbgrader_config.py``),
so ``python -m grading release``, plain ``nbgrader generate_assignment`` and the
Formgrader all record those points in the release and the gradebook.  For every
code cell whose hidden region calls ``run_hidden("<assignment>/<grade_id>")``:

- every test it names must exist and belong to the notebook's assignment;
- one of them must carry the cell's own grade_id (the cell *is* that test);
  further tests named in the same cell add their points;
- the cell must be a grade cell, and no test may be named by two cells of a notebook;
- ``metadata.nbgrader.points`` becomes the sum of the named tests' points.

Anything else fails the generation with an error naming the notebook, the
cell's grade_id and the problem.  In an assignment that has hidden tests
(``grading/hidden/<assignment>/``) a call must name its test by a literal
``"<assignment>/<grade_id>"``; elsewhere (e.g. a test defined inside the
notebook itself) a bare grade_id is left alone.

The source notebooks keep the same points in their metadata, so an instructor
reading the source sees the right numbers; a different number there is
overridden (with a warning) and ``tests/notebook_checks.py`` reports it.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
from nbconvert.preprocessors import Preprocessor
from nbformat.notebooknode import NotebookNode
from traitlets import Bool

from grading.hidden import core
from grading.markers import HIDDEN_BEGIN_TEXT, split_hidden

_CALL = re.compile(r"\brun_hidden\s*\(")
_LITERAL = re.compile(r"""\brun_hidden\s*\(\s*(?P<q>["'])(?P<test>[^"'\\\n]*)(?P=q)""")


class HiddenTestPointsError(Exception):
    """A hidden-test cell disagrees with the hidden-test definitions (the message names notebook and cell)."""


def hidden_region(source: str) -> str:
    """The lines of ``source`` inside its hidden-test regions (delimited as nbgrader delimits them)."""
    return split_hidden(source)[1]


def named_tests(region: str, strict: bool) -> tuple[list[str], list[str]]:
    """``(test names, problems)`` of the ``run_hidden`` calls in ``region``.

    ``strict``: every call must name its test by a literal ``"assignment/grade_id"``."""
    names = [m.group("test") for m in _LITERAL.finditer(region)]
    problems = []
    if strict:
        if len(names) != len(_CALL.findall(region)):
            problems.append('a run_hidden call does not name its test as a literal "assignment/grade_id"')
        problems += [f'run_hidden("{n}") must name the assignment too: run_hidden("<assignment>/{n}")'
                     for n in names if "/" not in n]
    return [n for n in names if "/" in n], problems


def _points(value: float):
    """``2.0`` -> ``2``: the release keeps the integers an instructor writes."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


class HiddenTestPoints(Preprocessor):
    """Set each hidden-test cell's points from the ``@hidden_test`` definitions; refuse inconsistent cells."""

    enabled = Bool(True, help="always on: points are defined by the hidden tests").tag(config=True)

    def preprocess(self, nb: NotebookNode, resources: dict):
        info = resources.get("nbgrader", {})
        assignment = info.get("assignment") or ""
        notebook = f"{info.get('notebook') or resources.get('unique_key') or 'notebook'}.ipynb"
        strict = assignment in core.assignments()
        errors, owner = [], {}
        for index, cell in enumerate(nb.cells):
            if cell.cell_type != "code" or HIDDEN_BEGIN_TEXT not in cell.source:
                continue
            meta = cell.metadata.get("nbgrader", {})
            label = f"cell {meta.get('grade_id') or f'#{index + 1} (no grade_id)'}"
            names, problems = named_tests(hidden_region(cell.source), strict)
            problems += self._check_cell(cell, meta, assignment, names, owner, label)
            errors += [f"{notebook}, {label}: {p}" for p in problems]
        if errors:
            raise HiddenTestPointsError(
                f"{assignment}/{notebook}: hidden-test cells disagree with the @hidden_test definitions "
                f"(grading/hidden/{assignment}/):\n  "
                + "\n  ".join(errors))
        return nb, resources

    def _check_cell(self, cell, meta, assignment, names, owner, label) -> list[str]:
        if not names:
            return []
        problems, tests = [], []
        for name in names:
            try:
                test = core.find(name)
            except core.UnknownHiddenTest as exc:
                problems.append(f'run_hidden("{name}"): {exc}')
                continue
            if test.assignment != assignment:
                problems.append(f'run_hidden("{name}") names a test of {test.assignment}, '
                                f"but this notebook belongs to {assignment}")
                continue
            if test.key in owner and owner[test.key] != label:
                problems.append(f'run_hidden("{name}") is also called in {owner[test.key]}: '
                                "a test's points count in one cell only")
            owner.setdefault(test.key, label)
            tests.append(test)
        if not meta.get("grade"):
            problems.append("calls run_hidden but is not a grade cell, so its points would count nowhere")
        elif tests and meta.get("grade_id") not in {t.grade_id for t in tests}:
            named = ", ".join(repr(t.grade_id) for t in tests)
            problems.append(f"its grade_id {meta.get('grade_id')!r} is not the grade_id of the test it runs "
                            f"({named}): rename the cell or the test")
        if problems:
            return problems
        points = _points(sum(t.points for t in dict.fromkeys(tests)))
        if meta.get("points") != points:
            self.log.warning("%s: points %s in the source, %s in the hidden tests' definitions (used)",
                             label, meta.get("points"), points)
        meta["points"] = points
        return []


def check_notebook(path: Path | str, assignment: str) -> None:
    """Run :class:`HiddenTestPoints` on source notebook ``path`` of ``assignment``; raises
    :class:`HiddenTestPointsError` (used by the release tool to fail before nbgrader starts, with just
    the message instead of nbgrader's traceback)."""
    path = Path(path)
    nb = nbformat.read(path, as_version=4)
    HiddenTestPoints().preprocess(nb, {"nbgrader": {"assignment": assignment, "notebook": path.stem}})
