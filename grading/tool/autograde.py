"""Autograde a folder of submissions: ``python -m grading autograde ASSIGNMENT DIR``.

For each student: copy the submission into ``<course>/submitted/``, check each
notebook (missing, corrupt JSON, deleted or edited test cells), then grade it
with :func:`grading.trusted.grade_job.grade` -- the trusted scorer in one
sandbox and (unless ``scores_only``) nbgrader in another -- on a local thread
pool (``jobs``) or a Dask cluster (``scheduler``), the same function either way.
The parent alone writes the course gradebook, one finished student at a time.

Each finished student leaves a record in ``<course>/.grading/<assignment>/``
(written last, atomically), so a run that was killed resumes with the students
that are missing, and gives the same grades as an uninterrupted run.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import shutil
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from traitlets.config import Config

from grading.trusted.records import Job, StudentRecord, write_atomic

from . import diagnose
from .collect import Submission, copy_submission, find_submissions, found_instead
from .course import ToolError, course_root, prepare_course_dir
from .gradable import require_gradable
from .gradebook import assignment_cells, merge_record, template_gradebook
from .inspect_nb import Inspection, inspect, read_notebook
from .release import release

_HIDDEN_CALL = re.compile(r"""run_hidden\(\s*["']([^"']+)["']""")


@dataclass
class StudentResult:
    student: str
    messages: list[str] = field(default_factory=list)
    total: float = 0.0
    resumed: bool = False


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


def state_dir(root: Path, assignment: str) -> Path:
    return root / ".grading" / assignment


def autograde(cfg: Config, assignment: str, submissions: Path | str, jobs: int = 1, log=print, *,
              scores_only: bool = False, insecure: bool = False, scheduler: str | None = None,
              resume: bool = True, limits=None) -> list[StudentResult]:
    """Grade every student folder in ``submissions``; returns their messages, sorted by student."""
    from grading.sandbox import SandboxUnavailable, detect_layers

    layers = detect_layers(limits)
    try:
        layers.require(insecure=insecure)
    except SandboxUnavailable as exc:
        raise ToolError(str(exc)) from None
    log("sandbox layers on this host:\n  " + layers.describe(insecure).replace("\n", "\n  "))
    if insecure:
        log("WARNING: --insecure: student code runs WITHOUT the sandbox; use this only for a quick local check")

    require_gradable(cfg, assignment)
    root = prepare_course_dir(cfg)
    subs = find_submissions(submissions, assignment)
    register(cfg, assignment)
    cells = assignment_cells(root, assignment)
    state = state_dir(root, assignment)
    template = template_gradebook(root, state / "template.db")
    timeout = int(cfg.Execute.timeout)
    mode = "scores-only" if scores_only else "full"

    results, pending = [], []
    for sub in subs:
        copied = copy_submission(sub, root / "submitted" / sub.student / assignment)
        inspections = _inspect(copied, cells, assignment)
        checksum = tree_checksum(copied.folder)
        done = _finished(state, sub.student, checksum, mode) if resume else None
        if done is not None:
            results.append(_result(done, inspections, root, cells, timeout, resumed=True))
            continue
        pending.append((_job(cfg, state, assignment, copied, inspections, cells, template, checksum, insecure),
                        inspections))

    if results:
        log(f"resuming: {len(results)} student(s) already graded, {len(pending)} to go")
    where = f"Dask scheduler {scheduler}" if scheduler else f"{jobs} job(s)"
    log(f"autograding {len(pending)} student(s) of {assignment} ({mode}) with {where}, {timeout} s per cell/test")
    started = time.monotonic()
    for job, inspections, record in _run(pending, jobs, scheduler, scores_only, limits):
        result = _finish(root, state, job, record, inspections, cells, timeout)
        log(f"  {result.student}: {result.total:g} points; {'; '.join(result.messages) or 'ok'}")
        results.append(result)
    log(f"graded {len(pending)} student(s) in {time.monotonic() - started:.0f} s")

    results.sort(key=lambda r: r.student)
    stored = load_messages(root, assignment)
    stored.update({r.student: r.messages for r in results})
    path = messages_file(root, assignment)
    write_atomic(path, json.dumps(dict(sorted(stored.items())), indent=1) + "\n")
    return results


# ----------------------------------------------------------------------------- preparing

def tree_checksum(folder: Path) -> str:
    """sha256 over the relative paths and bytes of every file under ``folder`` (links by target)."""
    digest = hashlib.sha256()
    for path in sorted(Path(folder).rglob("*")):
        if "__pycache__" in path.parts or ".ipynb_checkpoints" in path.parts:
            continue
        rel = str(path.relative_to(folder)).encode()
        if path.is_symlink():
            digest.update(b"L" + rel + b"\0" + os.readlink(path).encode() + b"\0")
        elif path.is_file():
            digest.update(b"F" + rel + b"\0" + hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def _inspect(copied: Submission, cells, assignment: str) -> dict[str, Inspection]:
    inspections = {}
    for name, graded_cells in cells.items():
        nb, problem = read_notebook(copied.notebook(name))
        if problem:
            if not copied.notebook(name).exists():
                problem += found_instead(copied.folder, name, cells, assignment)
            inspections[name] = Inspection(problem=problem)
            continue
        spec = {gid: {"source": c.source, "solution": c.solution} for gid, c in graded_cells.items()}
        inspections[name] = inspect(nb, spec)
    return inspections


def hidden_cells(cells, assignment: str) -> dict[str, list[str]]:
    """notebook -> grade ids of the cells whose hidden region runs a test of ``grading/hidden/<assignment>``
    (scored by the trusted scorer; any other test cell keeps nbgrader's in-kernel score)."""
    from grading.hidden.core import load_assignment

    registered = {gid: t for gid, t in load_assignment(assignment).items()
                  if t.func.__module__.startswith(f"grading.hidden.{assignment}.")}
    out = {}
    for name, graded in cells.items():
        ids = []
        for gid, cell in graded.items():
            called = [c for c in _HIDDEN_CALL.findall(cell.source) if c.rpartition("/")[0] in ("", assignment)]
            trusted = [c.rpartition("/")[2] for c in called if c.rpartition("/")[2] in registered]
            if trusted:
                if trusted != [gid]:
                    raise ToolError(f"{name}.ipynb, cell {gid}: its hidden region runs {trusted}; a test cell must run "
                                    "exactly the hidden test of its own grade_id")
                ids.append(gid)
        out[name] = ids
    return out


def _job(cfg, state, assignment, copied, inspections, cells, template, checksum, insecure) -> Job:
    from .student_package import student_files

    folder = state / "work" / copied.student
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    shutil.copytree(copied.folder, folder / "submission", symlinks=True,
                    ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))
    release_copy = course_root(cfg) / "release" / assignment
    shutil.copytree(release_copy, folder / "source", symlinks=True,
                    ignore=shutil.ignore_patterns("*.ipynb", ".ipynb_checkpoints", "__pycache__"))
    shutil.copy(template, folder / "gradebook.db")
    gradable = [name for name, found in inspections.items() if not found.problem]
    max_scores = {gid: c.max_score for graded in cells.values() for gid, c in graded.items()}
    exclude = student_files(Path(cfg.CourseDirectory.source_directory)).get(assignment, [])
    return Job(assignment, copied.student, str(folder), checksum, gradable, hidden_cells(cells, assignment), max_scores,
               int(cfg.Execute.timeout), exclude, 0, insecure)


def _finished(state: Path, student: str, checksum: str, mode: str) -> StudentRecord | None:
    path = state / "records" / f"{student}.json"
    try:
        record = StudentRecord.from_json(path.read_text())
    except (OSError, ValueError, TypeError):
        return None
    return record if record.checksum == checksum and record.mode == mode else None


# ----------------------------------------------------------------------------- running

def _run(pending, jobs: int, scheduler: str | None, scores_only: bool, limits):
    """Yield ``(job, inspections, record)`` as students finish, with a progress bar and an ETA."""
    from tqdm.auto import tqdm

    from grading.trusted.grade_job import run_job

    if not pending:
        return
    limits_json = json.dumps(limits.__dict__) if limits is not None else None
    bar = tqdm(total=len(pending), desc="grading", unit="student", file=sys.stderr, smoothing=0.1)
    try:
        with _executor(jobs, scheduler) as (submit, as_completed):
            futures = {submit(run_job, job.to_json(), scores_only, limits_json): (job, ins) for job, ins in pending}
            for future in as_completed(futures):
                job, ins = futures[future]
                bar.update(1)
                yield job, ins, StudentRecord.from_json(future.result())
    finally:
        bar.close()


@contextlib.contextmanager
def _executor(jobs: int, scheduler: str | None):
    """``(submit, as_completed)`` of a Dask cluster (``scheduler``) or of a local pool of ``jobs`` threads."""
    if scheduler:
        from distributed import Client, as_completed

        with Client(scheduler) as client:
            yield (lambda *args: client.submit(*args, pure=False)), as_completed
    else:
        from concurrent.futures import as_completed

        with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
            yield pool.submit, as_completed


# ----------------------------------------------------------------------------- finishing

def _finish(root: Path, state: Path, job: Job, record: StudentRecord, inspections, cells, timeout) -> StudentResult:
    """Autograded notebooks into the course, grades into the gradebook, then the record (written last)."""
    from grading.trusted.grade_job import inside

    folder = Path(job.folder)
    dest = root / "autograded" / job.student / job.assignment
    if record.mode == "full":  # scores-only regrades keep the notebooks of the last full run
        if dest.exists():
            shutil.rmtree(dest)
        dest.mkdir(parents=True)
        produced_dir = Path("kernel") / "autograded" / job.student / job.assignment
        for name in job.notebooks:
            produced = inside(folder, produced_dir / f"{name}.ipynb") if record.notebooks.get(name) else None
            # A notebook nbgrader could not run is shown as submitted, so its answers can still be graded by hand.
            source = produced or inside(folder, Path("submission") / f"{name}.ipynb")
            if source is not None:
                _copy_sanitized(source, dest / f"{name}.ipynb", set(cells[name]))
    result = _result(record, inspections, root, cells, timeout, dest=dest)
    record.messages = result.messages
    write_atomic(state / "records" / f"{job.student}.json", record.to_json())
    shutil.rmtree(folder, ignore_errors=True)
    return result


def _copy_sanitized(source: Path, dest: Path, grade_ids: set[str]) -> None:
    """Copy a graded notebook, turning cells with a grade_id the release does not have (renamed) and second
    copies of a grade_id (duplicated) into ordinary cells, so nbgrader's feedback and Formgrader can show it."""
    import nbformat

    try:
        nb = nbformat.read(source, as_version=4)
    except Exception:
        shutil.copyfile(source, dest)
        return
    seen = set()
    for cell in nb.cells:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        gid = meta.get("grade_id")
        if gid is not None and (gid in seen or (meta.get("grade") and gid not in grade_ids)):
            cell.metadata.pop("nbgrader")
        elif gid is not None:
            seen.add(gid)
    nbformat.write(nb, dest)


def _tamper_flags(root: Path, record: StudentRecord, most: int = 5) -> list[str]:
    from grading.trusted.tamper import scan

    found = scan(root / "submitted" / record.student / record.assignment, root / "release" / record.assignment)
    flags = [f"flagged for review: {flag}" for flag in found[:most]]
    if len(found) > most:
        flags.append(f"flagged for review: {len(found) - most} more line(s) like these")
    return flags


def _result(record: StudentRecord, inspections, root: Path, cells, timeout, dest: Path | None = None,
            resumed: bool = False) -> StudentResult:
    """Merge ``record`` into the gradebook (idempotent) and say what happened, in plain words."""
    zero_notebooks = {name for name, found in inspections.items() if found.problem}
    zero_cells = {name: set(found.deleted) for name, found in inspections.items()}
    if resumed:
        return StudentResult(record.student, record.messages,
                             merge_record(root, record, zero_notebooks, zero_cells), resumed=True)
    messages = []
    for name in cells:
        found = inspections[name]
        messages += diagnose.inspection_messages(name, found)
        if found.problem or record.mode != "full":
            continue
        if not record.notebooks.get(name):
            messages.append(diagnose.failure_message(name, record.nbgrader.get(name, {"error": "not graded"}),
                                                     trusted=True))
        elif dest is not None and (dest / f"{name}.ipynb").exists():
            messages += diagnose.cell_messages(name, dest / f"{name}.ipynb", timeout)
    if record.mode != "full":  # no notebook ran: the trusted records say which modules did not import
        messages += diagnose.import_messages(record.test_records())
    messages += record.events
    messages += record.flags()
    messages += _tamper_flags(root, record)
    total = merge_record(root, record, zero_notebooks, zero_cells)
    return StudentResult(record.student, messages, total)
