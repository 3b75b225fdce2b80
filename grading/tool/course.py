"""Where things are: the repository, nbgrader's configuration, the course working directory.

The configuration itself lives in ``grading/nbgrader_config.py`` (so the plain
``nbgrader`` CLI reads the same settings); this module loads it and applies the
tool's command-line overrides (course directory, cell timeout).
"""

from __future__ import annotations

import os
from pathlib import Path

from traitlets.config import Config
from traitlets.config.loader import PyFileConfigLoader

REPO = Path(__file__).resolve().parent.parent.parent
CONFIG_FILE = REPO / "grading" / "nbgrader_config.py"
SOURCE = REPO / "solutions"
RELEASE = REPO / "assignments"
COURSE_ID = "cs231n"


class ToolError(Exception):
    """A problem the instructor can fix; the CLI prints it without a traceback."""


def load_config(
    course_dir: Path | str | None = None,
    timeout: int | None = None,
    source_dir: Path | str | None = None,
    release_dir: Path | str | None = None,
) -> Config:
    """nbgrader ``Config`` from ``grading/nbgrader_config.py`` with overrides.

    ``course_dir`` replaces ``CourseDirectory.root`` (default: ``$CS231N_COURSE_DIR``
    or ``~/cs231n-course``); ``timeout`` replaces the per-cell execution timeout;
    ``source_dir``/``release_dir`` replace ``solutions/``/``assignments/`` (tests use
    a fixture assignment).  Loading also puts the repository root on ``PYTHONPATH``
    for the kernels.
    """
    loader = PyFileConfigLoader(CONFIG_FILE.name, path=str(CONFIG_FILE.parent))
    cfg = loader.load_config()
    if course_dir is not None:
        cfg.CourseDirectory.root = str(Path(course_dir).expanduser().resolve())
    if timeout is not None:
        if timeout <= 0:
            raise ToolError(f"cell timeout must be a positive number of seconds, got {timeout}")
        cfg.Execute.timeout = int(timeout)
    if source_dir is not None:
        from .student_package import student_files

        cfg.CourseDirectory.source_directory = str(Path(source_dir).resolve())
        cfg.Autograde.exclude_overwriting = student_files(source_dir)
    if release_dir is not None:
        cfg.CourseDirectory.release_directory = str(Path(release_dir).resolve())
    return cfg


def course_root(cfg: Config) -> Path:
    """The course working directory (submitted/, autograded/, feedback/, gradebook.db)."""
    return Path(cfg.CourseDirectory.root)


def db_url(root: Path) -> str:
    """SQLAlchemy URL of the gradebook in course directory ``root``."""
    return f"sqlite:///{Path(root) / 'gradebook.db'}"


def source_dir(cfg: Config) -> Path:
    return Path(cfg.CourseDirectory.source_directory)


def release_dir(cfg: Config) -> Path:
    return Path(cfg.CourseDirectory.release_directory)


def default_assignments(cfg: Config) -> list[str]:
    """The assignments listed in the configuration that exist in the source directory."""
    return [name for name in cfg.CourseTool.assignments if (source_dir(cfg) / name).is_dir()]


def source_notebooks(cfg: Config, assignment: str) -> list[Path]:
    """The instructor notebooks of ``assignment``, sorted; a clear error when there are none."""
    src = source_dir(cfg)
    folder = src / assignment
    if not folder.is_dir():
        known = sorted(p.name for p in src.iterdir() if p.is_dir()) if src.is_dir() else []
        raise ToolError(f"no assignment {assignment!r}: {folder} does not exist (known: {', '.join(known) or 'none'})")
    notebooks = sorted(folder.glob("*.ipynb"))
    if not notebooks:
        raise ToolError(f"assignment {assignment!r} has no notebooks in {folder}")
    return notebooks


def env_with_repo_on_path() -> dict[str, str]:
    """A copy of ``os.environ`` whose PYTHONPATH starts with the repository root."""
    env = dict(os.environ)
    parts = [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p]
    if str(REPO) not in parts:
        parts.insert(0, str(REPO))
    env["PYTHONPATH"] = os.pathsep.join(parts)
    return env


def prepare_course_dir(cfg: Config) -> Path:
    """Create the course directory and put an ``nbgrader_config.py`` in it.

    nbgrader reads ``nbgrader_config.py`` from the course directory, so with this
    shim a TA can also run plain ``nbgrader autograde ...`` or the formgrader
    from inside the course directory with the repository's settings.
    """
    root = course_root(cfg)
    root.mkdir(parents=True, exist_ok=True)
    shim = root / "nbgrader_config.py"
    text = (
        '"""Written by `python -m grading`: the course settings live in the repository."""\n'
        "c = get_config()  # noqa: F821\n"
        f"load_subconfig({str(CONFIG_FILE)!r})  # noqa: F821\n"
        f"c.CourseDirectory.root = {str(root)!r}\n"
        f"c.CourseDirectory.source_directory = {cfg.CourseDirectory.source_directory!r}\n"
        f"c.CourseDirectory.release_directory = {cfg.CourseDirectory.release_directory!r}\n"
    )
    if not shim.exists() or shim.read_text() != text:
        shim.write_text(text)
    return root
