"""Import definitions from another notebook of the same assignment.

``svm = import_notebook("svm.ipynb")`` runs only the *definitions* in that
notebook's code cells (nbgrader test cells excepted) -- imports, ``def``,
``class``, literal assignments and UPPER_CASE constants --
never training cells, prints or plots.  A notebook that is missing, not valid
JSON, or whose definitions fail raises :class:`NotebookImportError` with a
message that names the notebook and what to fix; a cell with a syntax error is
skipped (with a warning) so that the rest of the notebook stays importable.
"""

from __future__ import annotations

import ast
import json
import sys
import types
import warnings
from pathlib import Path

__all__ = ["import_notebook", "NotebookImportError", "definitions_source"]


class NotebookImportError(ImportError):
    """The other notebook could not provide the definitions asked for."""


_KEEP = (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)


def _assignment_kind(node):
    """``"literal"`` (``x = [1, 2]``), ``"constant"`` (``NUM_TRAIN = pick(5, 1)``) or None.

    A constant is an UPPER_CASE name of two or more characters; its value may
    depend on earlier cells' data, so it is evaluated best-effort.  Single
    capitals such as ``W`` or ``X`` are data in CS231n notebooks, not constants.
    """
    if isinstance(node, ast.AnnAssign):
        targets, value = [node.target], node.value
    elif isinstance(node, ast.Assign):
        targets, value = node.targets, node.value
    else:
        return None
    if value is None or not all(isinstance(t, ast.Name) for t in targets):
        return None
    try:
        ast.literal_eval(value)
        return "literal"
    except ValueError:
        pass
    if all(len(t.id) > 1 and t.id.isupper() for t in targets):
        return "constant"
    return None


def _is_test_cell(cell) -> bool:
    """nbgrader autograded test cells check definitions; they define nothing to import."""
    meta = cell.get("metadata", {}).get("nbgrader", {})
    return bool(meta.get("grade")) and not meta.get("solution")


def _strip_magics(source: str) -> str:
    """Blank out IPython-only lines (``%magic``, ``!shell``) so the cell parses as Python."""
    lines = []
    for line in source.splitlines():
        stripped = line.lstrip()
        lines.append("" if stripped.startswith(("%", "!")) else line)
    return "\n".join(lines)


def definitions_source(cells_sources, notebook_name="notebook"):
    """The definitions of the given code-cell sources, as one Python module source.

    Returns ``(source, skipped)`` where ``skipped`` lists ``(cell_number, error)``
    for cells that do not parse.  Constants are wrapped so that one that cannot
    be evaluated outside the notebook (it needs data) is left out, not fatal.
    """
    kept, skipped = [], []
    for number, source in enumerate(cells_sources, start=1):
        try:
            tree = ast.parse(_strip_magics(source))
        except SyntaxError as exc:
            skipped.append((number, f"line {exc.lineno}: {exc.msg}"))
            continue
        for node in tree.body:
            kind = _assignment_kind(node)
            if isinstance(node, _KEEP) or kind == "literal":
                kept.append(ast.unparse(node))
            elif kind == "constant":
                body = ast.unparse(node).replace("\n", "\n    ")
                kept.append(f"try:\n    {body}\nexcept Exception:\n    pass")
    return "\n\n".join(kept) + "\n", skipped


def import_notebook(path, names=None):
    """Load the definitions of notebook ``path`` (relative to the current folder) as a module.

    ``names`` -- optional list of names that must be defined; a missing one raises
    :class:`NotebookImportError`.  With ``names`` given, returns a tuple of those objects
    (a single object for one name); otherwise the module.
    """
    path = Path(path)
    if path.suffix != ".ipynb":
        path = path.with_suffix(".ipynb")
    fix = f"Open {path.name} next to this notebook and make sure it is saved and its definition cells run."
    if not path.exists():
        raise NotebookImportError(f"cannot import from {path}: the notebook does not exist here ({Path.cwd()}). {fix}")
    try:
        nb = json.loads(path.read_text(encoding="utf-8"))
        cells = [c for c in nb["cells"] if c.get("cell_type") == "code" and not _is_test_cell(c)]
        sources = ["".join(c["source"]) if isinstance(c["source"], list) else c["source"] for c in cells]
    except (ValueError, KeyError, TypeError, AttributeError, UnicodeDecodeError) as exc:
        raise NotebookImportError(f"cannot import from {path}: it is not a valid notebook ({exc}). {fix}") from None

    source, skipped = definitions_source(sources, path.name)
    if skipped:
        where = "; ".join(f"code cell {n} ({err})" for n, err in skipped)
        warnings.warn(f"{path.name}: skipped cells with syntax errors: {where}", stacklevel=2)

    module_name = f"notebook_{path.stem}"
    module = types.ModuleType(module_name)
    module.__file__ = str(path.resolve())
    sys.modules[module_name] = module
    try:
        exec(compile(source, f"<definitions of {path.name}>", "exec"), module.__dict__)
    except Exception as exc:
        raise NotebookImportError(
            f"cannot import from {path.name}: its definitions raised {type(exc).__name__}: {exc}. {fix}"
        ) from None

    if names is None:
        return module
    if isinstance(names, str):
        names = [names]
    missing = [n for n in names if n not in module.__dict__]
    if missing:
        extra = f" (skipped cells with syntax errors: {', '.join(str(n) for n, _ in skipped)})" if skipped else ""
        raise NotebookImportError(f"{path.name} does not define {', '.join(missing)}{extra}. {fix}")
    objs = tuple(module.__dict__[n] for n in names)
    return objs[0] if len(objs) == 1 else objs
