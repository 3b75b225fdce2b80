"""Autograde one student in a private course directory (run as a subprocess).

    python -m grading.tool.worker <job.json>

``job.json``: a :class:`grading.trusted.records.WorkerJob`.  The parent has put a gradebook holding
the assignment (no students), the student's gradable files and the release's
provided files (``source_dir``) in ``course_dir``; the worker runs in a sandbox
that sees nothing else of the course.  Each notebook is autograded on
its own, with exactly the preprocessors of ``grading/nbgrader_config.py`` (so
plain nbgrader grades the same; a cell that kills the kernel is skipped there,
see :mod:`grading.tool.execute`).  Writes ``result.json`` next to the job:
notebook -> nbgrader's ``{"success", "log", "error"}``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def grade(job) -> dict:
    from nbgrader.converters import Autograde

    from .course import load_config
    from .nbgrader_run import run_converter

    cfg = load_config(job.course_dir, job.timeout, job.source_dir)
    # computed by the trusted parent from the instructor's solutions, which this sandbox cannot see
    cfg.Autograde.exclude_overwriting = {job.assignment: list(job.exclude_overwriting)}
    results = {}
    for name in job.notebooks:
        results[name] = run_converter(
            Autograde, cfg, raise_on_error=False,
            assignment_id=job.assignment, student_id=job.student, notebook_id=name,
        )
    return results


def main(argv: list[str]) -> int:
    job_file = Path(argv[0])
    from grading.trusted.records import WorkerJob

    job = WorkerJob.from_json(job_file.read_text())
    results = grade(job)
    (job_file.parent / "result.json").write_text(json.dumps(results, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
