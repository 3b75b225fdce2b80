"""Jupyter settings for one JupyterLab launch: ``make lab`` (students) and ``make lab-instructor``.

    python -m grading.tool.lab_config student DIR
    python -m grading.tool.lab_config instructor DIR COURSE_DIR

writes a Jupyter configuration directory ``DIR`` that the Makefile passes as
``JUPYTER_CONFIG_DIR`` to that launch only (nothing global is changed; the
installation in ``.venv`` keeps every nbgrader extension enabled).

- **student**: nbgrader's instructor tools (Formgrader, Create Assignment) and
  its exchange tools (Assignment List, Course List: this course hands out
  assignments through git, not an nbgrader exchange, so they could only show
  "Error fetching courses!") are off, in the page (lab plugins) and on the
  server (server extensions).  The Validate button stays.
- **instructor**: everything on; the exchange lives in ``COURSE_DIR/exchange``
  so the Assignment List works, and ``COURSE_DIR`` gets the ``nbgrader_config.py``
  that loads the repository's settings (the Formgrader reads it from there).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

#: Lab plugins a student does not see.
STUDENT_HIDDEN_PLUGINS = (
    "@jupyter/nbgrader:formgrader",
    "@jupyter/nbgrader:create-assignment",
    "@jupyter/nbgrader:assignment-list",
    "@jupyter/nbgrader:course-list",
    "@jupyter/nbgrader:menu",
)
#: Server extensions a student's Lab does not load.
STUDENT_OFF_SERVER_EXTENSIONS = (
    "nbgrader.server_extensions.formgrader",
    "nbgrader.server_extensions.assignment_list",
    "nbgrader.server_extensions.course_list",
)


def _write_json(path: Path, data: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n")


def write_student(folder: Path) -> Path:
    """The student's configuration directory: no instructor or exchange tools."""
    folder = Path(folder)
    _write_json(folder / "labconfig" / "page_config.json",
                {"disabledExtensions": {name: True for name in STUDENT_HIDDEN_PLUGINS}})
    _write_json(folder / "jupyter_server_config.json",
                {"ServerApp": {"jpserver_extensions": {name: False for name in STUDENT_OFF_SERVER_EXTENSIONS}}})
    return folder


def write_instructor(folder: Path, course_dir: Path) -> Path:
    """The instructor's configuration directory: every tool, a local exchange, the course settings."""
    from .course import load_config, prepare_course_dir

    folder, course_dir = Path(folder), Path(course_dir).expanduser().resolve()
    prepare_course_dir(load_config(course_dir))
    exchange = course_dir / "exchange"
    exchange.mkdir(exist_ok=True)
    _write_json(folder / "labconfig" / "page_config.json", {"disabledExtensions": {}})
    _write_json(folder / "jupyter_server_config.json", {})
    _write_json(folder / "nbgrader_config.json", {"Exchange": {"root": str(exchange)}})
    return folder


def main(argv: list[str]) -> int:
    if len(argv) == 2 and argv[0] == "student":
        print(write_student(Path(argv[1])))
        return 0
    if len(argv) == 3 and argv[0] == "instructor":
        print(write_instructor(Path(argv[1]), Path(argv[2])))
        return 0
    print(__doc__.split("\n\n")[1], file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
