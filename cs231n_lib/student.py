"""Import the student's code from the assignment's ``cs231n`` package, and say
exactly where it is broken when it does not import.

    %load_ext autoreload
    %autoreload 1
    from cs231n_lib.student import load
    KNearestNeighbor = load("cs231n.classifiers.k_nearest_neighbor", "KNearestNeighbor")

When the module has a syntax error, raises while it is imported, or lacks the
name, :func:`load` prints one line naming the file and line and returns a
placeholder instead of raising.  Using the placeholder (calling it, reading an
attribute, subclassing it) raises :class:`StudentCodeError` with the same
message, so every check that needs the broken module says why, and every
check that does not need it still runs.  The hidden tests load the student's
objects through the same function.

With IPython's autoreload extension in mode 1 ("explicit"), :func:`load` marks
the modules of the student's package for reloading (what ``%aimport`` does),
so a saved edit is used at the next cell; nothing else is ever reloaded (not
the course library, not the grader's modules in a grading kernel).
"""

from __future__ import annotations

import importlib
import os
import sys
import traceback
from pathlib import Path

from .checks import CheckFailed

__all__ = ["load", "load_object", "StudentCodeError", "Unavailable", "IMPORT_FAILED"]

#: How the line :func:`load` prints for a module that does not import begins (the grader looks for it).
IMPORT_FAILED = "cannot use "


class StudentCodeError(CheckFailed):
    """The student's module could not provide the object (the message says where and why)."""


class Unavailable:
    """Stands in for an object of a module that failed to import."""

    def __init__(self, name: str, reason: str):
        object.__setattr__(self, "_name", name)
        object.__setattr__(self, "_reason", reason)

    @property
    def reason(self) -> str:
        """Why the object is unavailable: file, line and error."""
        return self._reason

    def _fail(self, *args, **kwargs):
        raise StudentCodeError(self._reason)

    __call__ = _fail

    def __getattr__(self, attr):
        if attr.startswith("__") and attr.endswith("__"):
            raise AttributeError(attr)
        self._fail()

    def __mro_entries__(self, bases):  # class Toy(LinearClassifier): ... with LinearClassifier unavailable
        self._fail()

    def __repr__(self):
        return f"<{self._name} unavailable: {self._reason}>"


def _shown(path: str | None) -> str:
    """``path`` relative to the working directory (the notebook's folder) when it lies below it."""
    if not path:
        return "?"
    try:
        return str(Path(path).resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return path


def _module_file(module: str) -> str:
    return str(Path(*module.split("."))) + ".py"


def _where(exc: BaseException, module: str) -> str:
    """'file, line N' of the student's code that raised ``exc`` while ``module`` was imported."""
    if isinstance(exc, SyntaxError) and exc.filename:
        return f"{_shown(exc.filename)}, line {exc.lineno}"
    package_dir = str(Path.cwd().resolve() / module.split(".")[0])
    frames = [f for f in traceback.extract_tb(exc.__traceback__)
              if os.path.abspath(f.filename).startswith(package_dir)]
    if frames:
        return f"{_shown(frames[-1].filename)}, line {frames[-1].lineno}"
    return _module_file(module)


def _reason(exc: BaseException, module: str) -> str:
    if isinstance(exc, ModuleNotFoundError) and exc.name and module.startswith(exc.name):
        return (f"{_module_file(module)} was not found next to this notebook: "
                "keep the cs231n folder of the assignment beside the notebooks, or restore the file from the release")
    what = f"{type(exc).__name__}: {exc}"
    if isinstance(exc, SyntaxError):
        what = f"{type(exc).__name__}: {exc.msg}" + (f"\n    {exc.text.strip()}" if exc.text else "")
    return (f"{_where(exc, module)}: {what}\n"
            f"The module {module} does not import, so nothing it defines can be checked. "
            "Fix it, then run the cell that imports it again.")


def _next_to_notebook(module) -> bool:
    """Whether ``module`` is the student's: its files lie in the notebook's folder (the working directory)."""
    path = getattr(module, "__file__", None)
    try:
        Path(path).resolve().relative_to(Path.cwd().resolve())
    except (TypeError, ValueError):
        return False
    return True


def _mark_reloadable(module: str) -> None:
    """Tell a loaded autoreload extension to reload the student package's modules (``%aimport``)."""
    try:
        from IPython import get_ipython
    except ImportError:
        return
    shell = get_ipython()
    magics = shell.magics_manager.registry.get("AutoreloadMagics") if shell is not None else None
    if magics is None:
        return
    package = module.split(".")[0]
    if not _next_to_notebook(sys.modules.get(package)):  # e.g. numpy.random:seed, loaded for a hidden test
        return
    for name in [m for m in sys.modules if m == package or m.startswith(package + ".")]:
        magics._reloader.mark_module_reloadable(name)


def load_object(module: str, name: str):
    """``module.name`` from the student's package, or an :class:`Unavailable` saying why not."""
    try:
        mod = importlib.import_module(module)
        _mark_reloadable(module)
    except KeyboardInterrupt:
        raise
    except BaseException as exc:  # SyntaxError, any error at import time, even SystemExit
        sys.modules.pop(module, None)
        return Unavailable(name, _reason(exc, module))
    if not hasattr(mod, name):
        return Unavailable(name, f"{_shown(getattr(mod, '__file__', None))} defines no {name}: "
                                 "do not rename or delete the functions and classes of the release")
    return getattr(mod, name)


def load(module: str, *names: str):
    """Import ``names`` from the student's ``module``; one object for one name, else a tuple.

    Prints one line per problem (file and line) and returns placeholders for what
    could not be imported, so the notebook goes on and each check says why.
    """
    objects = [load_object(module, name) for name in names]
    for obj in objects:
        if isinstance(obj, Unavailable):
            print(f"{IMPORT_FAILED}{obj._name}: {obj.reason}")
            break
    return objects[0] if len(objects) == 1 else tuple(objects)
