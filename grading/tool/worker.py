"""Autograde one student in a private course directory (run as a subprocess).

    python -m grading.tool.worker <job.json>

``job.json``: ``{"course_dir", "assignment", "student", "notebooks", "timeout",
"source_dir", "release_dir"}``.  The parent has put a copy of the gradebook and
the student's gradable notebooks in ``course_dir``.  Each notebook is
autograded on its own.  When a cell kills the kernel or cannot be interrupted,
that cell is replaced by one that raises and the notebook is graded again
(at most :data:`MAX_SKIPS` times), so only the work that depends on the cell
is lost.  Writes ``result.json`` next to the job: notebook -> ``{"success",
"log", "error", "skipped": [[cell label, why], ...]}``.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path

MAX_SKIPS = 3
DIED = "stopped the kernel (os._exit, a crash, or running out of memory)"
HUNG = "ran past the time limit and could not be interrupted"


def _why(result: dict) -> str | None:
    text = (result.get("log", "") or "") + (result.get("error", "") or "")
    if "DeadKernelError" in text or "Kernel died" in text or "kernel died" in text:
        return DIED
    if "UnresponsiveKernelError" in text or "became unresponsive" in text:
        return HUNG
    return None


def grade(job: dict) -> dict:
    import nbformat
    from nbconvert.preprocessors import ClearMetadataPreprocessor
    from nbgrader.converters import Autograde
    from nbgrader.preprocessors import AssignLatePenalties, CheckCellMetadata, IgnorePattern, LimitOutput, SaveAutoGrades

    from .course import load_config
    from .execute import RUNNING_CELL_ENV, TrackingExecute, skipped_cell_source
    from .nbgrader_run import run_converter

    cfg = load_config(job["course_dir"], job["timeout"], job["source_dir"], job["release_dir"])
    cfg.Autograde.autograde_preprocessors = [
        TrackingExecute, IgnorePattern, ClearMetadataPreprocessor, LimitOutput,
        SaveAutoGrades, AssignLatePenalties, CheckCellMetadata,
    ]
    running = Path(job["course_dir"]) / "running_cell.txt"
    os.environ[RUNNING_CELL_ENV] = str(running)
    submitted = Path(job["course_dir"]) / "submitted" / job["student"] / job["assignment"]
    # A notebook may import definitions from another notebook of the assignment
    # (softmax uses svm's LinearClassifier), looked up next to itself, i.e. in the
    # autograded folder where nbgrader runs it.  Put the student's notebooks
    # there first; each is replaced by its autograded version once graded.
    build = Path(job["course_dir"]) / "autograded" / job["student"] / job["assignment"]
    build.mkdir(parents=True, exist_ok=True)
    for name in job["notebooks"]:
        shutil.copyfile(submitted / f"{name}.ipynb", build / f"{name}.ipynb")
    results = {}
    for name in job["notebooks"]:
        skipped = []
        while True:
            running.unlink(missing_ok=True)
            result = run_converter(
                Autograde, cfg, raise_on_error=False,
                assignment_id=job["assignment"], student_id=job["student"], notebook_id=name,
            )
            why = _why(result)
            if result["success"] or why is None or not running.exists() or len(skipped) >= MAX_SKIPS:
                break
            path = submitted / f"{name}.ipynb"
            nb = nbformat.read(path, as_version=4)
            index = int(running.read_text())
            cell = nb.cells[index]
            meta = cell.metadata.get("nbgrader", {})
            if meta.get("grade") and not meta.get("solution"):
                break  # a test cell: nbgrader restores it, so it cannot be skipped
            cell.source = skipped_cell_source(why)
            nbformat.write(nb, path)
            skipped.append([meta.get("grade_id") or f"cell {index + 1}", why])
        result["skipped"] = skipped
        results[name] = result
    return results


def main(argv: list[str]) -> int:
    job_file = Path(argv[0])
    job = json.loads(job_file.read_text())
    results = grade(job)
    (job_file.parent / "result.json").write_text(json.dumps(results, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
