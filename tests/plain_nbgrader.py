"""Grade sample submissions with the plain nbgrader CLI, as a TA without our tool would (not collected).

Each group of students gets its own ordinary nbgrader course directory: an
``nbgrader_config.py`` that loads ``grading/nbgrader_config.py``, the
submissions copied to ``submitted/<student>/<assignment>/`` (what ``nbgrader
collect`` or ``zip_collect`` produce), then ``nbgrader generate_assignment``,
``nbgrader autograde`` and ``nbgrader export``, nothing else.  The groups run
side by side (two TAs), so the comparison fits in CI time.
"""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
NBGRADER = Path(sys.executable).parent / "nbgrader"


def _course(folder: Path, assignment: str, students: dict[str, Path]) -> Path:
    folder.mkdir(parents=True)
    (folder / "nbgrader_config.py").write_text(
        "c = get_config()  # noqa: F821\n"
        f"load_subconfig({str(REPO / 'grading' / 'nbgrader_config.py')!r})  # noqa: F821\n"
        f"c.CourseDirectory.root = {str(folder)!r}\n"
        f"c.CourseDirectory.release_directory = {str(folder / 'release')!r}\n"
    )
    for student, submission in students.items():
        shutil.copytree(submission, folder / "submitted" / student / assignment)
    return folder


def _commands(assignment: str) -> str:
    return (f"{NBGRADER} generate_assignment {assignment} --force && "
            f"({NBGRADER} autograde {assignment}; {NBGRADER} export --to=plain.csv)")


def grade(submissions: dict[str, Path], assignment: str, work: Path, timeout: int, groups: int = 2):
    """``({student: row of nbgrader's export CSV}, [course directories])``; each has the CLI's output in cli.log."""
    ids = sorted(submissions)
    env = dict(os.environ, CS231N_CELL_TIMEOUT=str(timeout))
    env.pop("CS231N_COURSE_DIR", None)
    env.pop("PYTHONPATH", None)  # the config itself puts the repository on the kernels' path
    runs = []
    for g in range(groups):
        mine = {s: submissions[s] for s in ids[g::groups]}
        if not mine:
            continue
        folder = _course(work / f"course{g}", assignment, mine)
        with open(folder / "cli.log", "w") as log:
            runs.append((folder, subprocess.Popen(["bash", "-c", _commands(assignment)], cwd=folder, env=env,
                                                  stdout=log, stderr=subprocess.STDOUT)))
    rows = {}
    for folder, proc in runs:
        proc.wait(timeout=3600)
        with open(folder / "plain.csv", newline="") as f:
            rows.update({row["student_id"]: row for row in csv.DictReader(f)})
    return rows, [folder for folder, _ in runs]


#: What the Formgrader's "Autograde" button runs: NbGraderAPI.autograde, with the course's configuration.
_BUTTON = """
import json, sys
from traitlets.config.loader import PyFileConfigLoader
from nbgrader.apps import NbGraderAPI
api = NbGraderAPI(config=PyFileConfigLoader("nbgrader_config.py", path=".").load_config())
print(json.dumps(api.autograde(sys.argv[1], sys.argv[2], force=True, create=True)["success"]))
"""


def formgrader_autograde(course: Path, assignment: str, student: str) -> bool:
    """Regrade ``student`` in the plain course directory ``course`` as the Formgrader's button does."""
    proc = subprocess.run([sys.executable, "-c", _BUTTON, assignment, student], cwd=course, capture_output=True,
                          text=True, timeout=900, env={k: v for k, v in os.environ.items() if k != "PYTHONPATH"})
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc.stdout.strip().splitlines()[-1] == "true"
