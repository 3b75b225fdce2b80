"""Autograde a folder of submissions: ``python -m grading autograde ASSIGNMENT DIR``.

For each student: copy the submission into ``<course>/submitted/``, check each
notebook (missing, corrupt JSON, deleted or edited test cells), autograde the
readable ones with nbgrader in a private course directory (a subprocess, so
students can run in parallel with ``--jobs`` and a crash stays with its
student), then merge the grades into the course gradebook and keep one
message per student.  One bad student never stops the class.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

from traitlets.config import Config

from . import diagnose
from .collect import Submission, copy_submission, find_submissions, found_instead
from .course import REPO, course_root, env_with_repo_on_path, prepare_course_dir, release_dir, source_dir
from .gradable import require_gradable
from .gradebook import assignment_cells, merge_student, worker_grades
from .inspect_nb import Inspection, inspect, read_notebook
from .release import release


@dataclass
class StudentResult:
    student: str
    messages: list[str] = field(default_factory=list)


def register(cfg: Config, assignment: str) -> None:
    """Record ``assignment`` (cells, checksums, hidden tests) in the course gradebook.

    Runs generate_assignment with the release written inside the course
    directory, so grading never rewrites the committed ``assignments/``.
    """
    release(cfg, assignment, release_to=course_root(cfg) / "release")


def messages_file(root: Path, assignment: str) -> Path:
    return root / "messages" / f"{assignment}.json"


def load_messages(root: Path, assignment: str) -> dict[str, list[str]]:
    path = messages_file(root, assignment)
    return json.loads(path.read_text()) if path.exists() else {}


def autograde(cfg: Config, assignment: str, submissions: Path | str, jobs: int = 1, log=print) -> list[StudentResult]:
    """Grade every student folder in ``submissions``; returns their messages, sorted by student."""
    require_gradable(cfg, assignment)
    root = prepare_course_dir(cfg)
    subs = find_submissions(submissions, assignment)
    register(cfg, assignment)
    cells = assignment_cells(root, assignment)
    work = root / ".work" / assignment
    if work.exists():
        shutil.rmtree(work)
    timeout = int(cfg.Execute.timeout)

    prepared = [_prepare(root, work, assignment, sub, cells, cfg) for sub in subs]
    results = []
    log(f"autograding {len(prepared)} student(s) of {assignment} with {jobs} job(s), {timeout} s per cell")
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        futures = {pool.submit(_timed, _run_worker, job, timeout, len(cells)): job for job in prepared}
        for future in as_completed(futures):
            job = futures[future]
            seconds, outcome = future.result()
            result = _finish(root, assignment, job, outcome, cells, timeout)
            log(f"  {result.student} ({seconds:.0f} s): {'; '.join(result.messages) or 'ok'}")
            results.append(result)
    log(f"graded {len(results)} student(s) in {time.monotonic() - started:.0f} s")

    results.sort(key=lambda r: r.student)
    stored = load_messages(root, assignment)
    stored.update({r.student: r.messages for r in results})
    path = messages_file(root, assignment)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(dict(sorted(stored.items())), indent=1) + "\n")
    shutil.rmtree(work, ignore_errors=True)
    return results


@dataclass
class _Job:
    student: str
    folder: Path  # private course directory
    job_file: Path
    inspections: dict[str, Inspection]
    gradable: list[str]


def _prepare(root: Path, work: Path, assignment: str, sub: Submission, cells, cfg: Config) -> _Job:
    copied = copy_submission(sub, root / "submitted" / sub.student / assignment)
    folder = work / sub.student
    target = folder / "submitted" / sub.student / assignment
    # Everything but the notebooks (the student package, data files); the readable notebooks follow.
    shutil.copytree(copied.folder, target, ignore=shutil.ignore_patterns("*.ipynb", ".ipynb_checkpoints", "__pycache__"))
    shutil.copy(root / "gradebook.db", folder / "gradebook.db")
    inspections, gradable = {}, []
    for name, graded_cells in cells.items():
        nb, problem = read_notebook(copied.notebook(name))
        if problem:
            if not copied.notebook(name).exists():
                problem += found_instead(copied.folder, name, cells, assignment)
            inspections[name] = Inspection(problem=problem)
            continue
        spec = {gid: {"source": c.source, "solution": c.solution} for gid, c in graded_cells.items()}
        inspections[name] = inspect(nb, spec)
        shutil.copyfile(copied.notebook(name), target / f"{name}.ipynb")
        gradable.append(name)
    job_file = folder / "job.json"
    job = {
        "course_dir": str(folder),
        "assignment": assignment,
        "student": sub.student,
        "notebooks": gradable,
        "timeout": int(cfg.Execute.timeout),
        "source_dir": str(source_dir(cfg)),
        "release_dir": str(release_dir(cfg)),
    }
    job_file.write_text(json.dumps(job, indent=1))
    return _Job(sub.student, folder, job_file, inspections, gradable)


def _timed(func, *args):
    start = time.monotonic()
    out = func(*args)
    return time.monotonic() - start, out


def _run_worker(job: _Job, timeout: int, n_notebooks: int) -> dict:
    """Run the worker subprocess; returns notebook -> nbgrader result (failures filled in)."""
    if not job.gradable:
        return {}
    limit = max(900, 20 * timeout * max(1, n_notebooks))
    failure = None
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "grading.tool.worker", str(job.job_file)],
            cwd=REPO,
            env=env_with_repo_on_path(),
            capture_output=True,
            text=True,
            timeout=limit,
        )
        if proc.returncode != 0:
            failure = f"grading worker exited with code {proc.returncode}: {proc.stderr.strip()[-500:]}"
    except subprocess.TimeoutExpired:
        failure = f"grading this student took longer than {limit} s and was stopped"
    result_file = job.folder / "result.json"
    if failure or not result_file.exists():
        failure = failure or "grading worker wrote no result"
        return {name: {"success": False, "error": failure} for name in job.gradable}
    return json.loads(result_file.read_text())


def _finish(root: Path, assignment: str, job: _Job, outcome: dict, cells, timeout: int) -> StudentResult:
    result = StudentResult(job.student)
    zero_notebooks = {name for name, found in job.inspections.items() if found.problem}
    zero_cells: dict[str, set[str]] = {}
    dest = root / "autograded" / job.student / assignment
    if dest.exists():
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    for name in cells:
        found = job.inspections[name]
        result.messages += diagnose.inspection_messages(name, found)
        zero_cells[name] = set(found.deleted)
        if found.problem:
            continue
        nb_result = outcome.get(name, {"success": False, "error": "not graded"})
        produced = job.folder / "autograded" / job.student / assignment / f"{name}.ipynb"
        if not nb_result.get("success") or not produced.exists():
            zero_notebooks.add(name)
            result.messages.append(diagnose.failure_message(name, nb_result))
            continue
        result.messages += diagnose.cell_messages(name, produced, timeout)
        shutil.copyfile(produced, dest / f"{name}.ipynb")
    graded = worker_grades(job.folder, assignment, job.student)
    merge_student(root, assignment, job.student, graded, zero_notebooks, zero_cells)
    return result
