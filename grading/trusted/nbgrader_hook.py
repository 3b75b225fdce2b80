"""Trusted scores for plain nbgrader too: ``Autograde.post_convert_hook`` (``grading/nbgrader_config.py``).

After plain ``nbgrader autograde`` or the Formgrader's Autograde button has
run a student's notebooks, this runs the trusted scorer on the student's
package (from the autograded folder, in the sandbox) and writes its scores
over the in-kernel ones of every hidden-test cell present in the notebook, so
the gradebook holds the trusted scores whichever way grading was started.

Inside ``python -m grading autograde``'s own sandboxed nbgrader run it does
nothing (the tool scores outside).  When the host cannot sandbox it fails
closed: those cells get no automatic score (they show as needing grading)
and the log says what to install; ``CS231N_INSECURE=1`` scores unsandboxed.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

from grading.hidden.core import SOCKET_ENV


def trusted_scores(assignment=None, student=None, notebooks=None, **_):
    if os.environ.get(SOCKET_ENV) or not notebooks:
        return
    folder = Path(notebooks[0]).parent          # <root>/submitted/<student>/<assignment>
    assignment_id, student_id, root = folder.name, folder.parent.name, folder.parent.parent.parent
    autograded = root / "autograded" / student_id / assignment_id
    from grading.hidden.core import load_assignment

    tests = {gid: t for gid, t in load_assignment(assignment_id).items()
             if t.func.__module__.startswith(f"grading.hidden.{assignment_id}.")}
    present = _hidden_cells_present(autograded, tests)
    if not present:
        return
    scores = _score(autograded, [tests[gid] for nb in present.values() for gid in nb])
    _write(root, assignment_id, student_id, present, scores)


def _hidden_cells_present(autograded: Path, tests) -> dict[str, list[str]]:
    """notebook -> grade ids of hidden-test cells that are in the autograded notebook (first copies)."""
    out = {}
    for path in sorted(autograded.glob("*.ipynb")):
        try:
            cells = json.loads(path.read_text(encoding="utf-8")).get("cells", [])
        except (OSError, ValueError):
            continue
        ids = []
        for cell in cells:
            gid = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
            if gid in tests and gid not in ids:
                ids.append(gid)
        out[path.stem] = ids
    return out


def _score(autograded: Path, tests) -> dict[str, float] | None:
    """grade id -> trusted score; None when the sandbox is unavailable (fail closed)."""
    from grading.sandbox import SandboxUnavailable, detect_layers

    from .grade_job import _give, slot
    from .sandboxing import make_sandbox
    from .scorer import score

    insecure = os.environ.get("CS231N_INSECURE") == "1"
    try:
        detect_layers().require(insecure=insecure)
    except SandboxUnavailable as exc:
        print(f"[cs231n] trusted scoring refused: {exc}; the hidden-test cells are left for a person to grade",
              file=sys.stderr)
        return None
    with tempfile.TemporaryDirectory(prefix="cs231n-trusted-") as tmp:
        work = Path(tmp) / "scorer"
        shutil.copytree(autograded, work, symlinks=True,
                        ignore=shutil.ignore_patterns("*.ipynb", "__pycache__", ".ipynb_checkpoints"))
        os.chmod(tmp, 0o755)
        timeout = int(os.environ.get("CS231N_CELL_TIMEOUT", "60"))
        with slot() as n:
            sandbox = make_sandbox(work, n, insecure=insecure)
            _give(work, sandbox.uid)
            return {t.grade_id: float(t.points) if o.passed else 0.0 for t, o, _ in score(tests, work, sandbox, timeout)}


def _write(root: Path, assignment: str, student: str, present, scores) -> None:
    import warnings

    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gb, warnings.catch_warnings():
        warnings.simplefilter("ignore", category=Warning)
        for nb in gb.find_submission(assignment, student).notebooks:
            for grade in nb.grades:
                if grade.name in present.get(nb.name, []):
                    grade.auto_score = None if scores is None else scores[grade.name]
                    grade.needs_manual_grade = scores is None and grade.manual_score is None
        gb.db.commit()
