"""Run one nbgrader converter in-process and turn its failure into a readable error."""

from __future__ import annotations

from nbgrader.coursedir import CourseDirectory
from nbgrader.utils import capture_log
from traitlets.config import Config

from .course import ToolError


def coursedir(cfg: Config, **attrs) -> CourseDirectory:
    """A ``CourseDirectory`` from ``cfg`` with e.g. ``assignment_id=..., student_id=...`` set."""
    cd = CourseDirectory(config=cfg)
    for name, value in attrs.items():
        setattr(cd, name, value)
    return cd


def run_converter(converter_cls, cfg: Config, *, force: bool = True, raise_on_error: bool = True, **attrs) -> dict:
    """Run ``converter_cls`` (e.g. ``GenerateAssignment``) on the course directory of ``cfg``.

    ``attrs`` go onto the ``CourseDirectory`` (``assignment_id``, ``student_id``,
    ``notebook_id``).  Returns nbgrader's ``{"success", "log", "error"}`` dict;
    raises :class:`ToolError` with the log's last lines on failure unless
    ``raise_on_error`` is false.
    """
    cd = coursedir(cfg, **attrs)
    app = converter_cls(coursedir=cd, config=cfg)
    app.force = force
    result = capture_log(app)
    if raise_on_error and not result["success"]:
        detail = (result.get("log", "") + "\n" + result.get("error", "")).strip().splitlines()
        raise ToolError(f"nbgrader {converter_cls.__name__} failed for {attrs}:\n" + "\n".join(detail[-15:]))
    return result
