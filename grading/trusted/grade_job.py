"""Grade one student: ``grade(job) -> StudentRecord`` (a plain function of a
JSON-able job, so a local thread pool and a Dask cluster run the same code).

1. the trusted scorer runs every hidden test on a sandboxed copy of the
   student's package (authoritative scores);
2. unless ``scores_only``: nbgrader autogrades the notebooks in a second
   sandbox, its kernels asking the test server for the hidden tests (other
   inputs), for outputs, feedback and manual grading; what nbgrader recorded
   is compared with the trusted result (disagreement: possible tampering), and
   output showing hidden inputs is removed.

The job's folder holds ``submission/`` (the student's files, copied by the
parent) and ``gradebook.db`` (the assignment, no students).  This writes
``scorer/`` and ``kernel/`` next to them.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import sys
import time
from pathlib import Path

from grading.hidden.core import find, load_assignment
from grading.sandbox import Limits

from .records import Job, StudentRecord, TestRecord, WorkerJob
from .redact import redact
from .sandboxing import make_sandbox, sandbox_env
from .scorer import score
from .test_server import TestServer

SOCKET_NAME = "hidden.sock"


def grade(job: Job, scores_only: bool = False, limits: Limits | None = None) -> StudentRecord:
    folder = Path(job.folder)
    record = StudentRecord(job.assignment, job.student, checksum=job.checksum,
                           mode="scores-only" if scores_only else "full")
    load_assignment(job.assignment)
    cell_tests = {(nb, gid): find(f"{job.assignment}/{gid}") for nb, gids in job.hidden.items() for gid in gids}
    with slot() as job.slot:
        _grade(job, folder, record, cell_tests, scores_only, limits)
    record.events = _grouped(record.events)
    return record


def _grade(job, folder, record, cell_tests, scores_only, limits) -> None:
    start = time.monotonic()
    scorer_dir = _fresh_copy(folder / "submission", folder / "scorer", notebooks=False)
    sandbox = make_sandbox(scorer_dir, job.slot, limits, job.insecure)
    _give(scorer_dir, sandbox.uid)
    copied = time.monotonic()
    trusted = {t.grade_id: (o, ev) for t, o, ev in score([t for t in cell_tests.values()], scorer_dir, sandbox,
                                                         job.timeout)}
    scored = time.monotonic()
    kernel = {} if scores_only else _run_notebooks(job, folder, limits, record)
    record.timings = {"set-up (copies, sandbox folder)": round(copied - start, 3),
                      "trusted scorer (process + all tests)": round(scored - copied, 3),
                      "  of which the hidden tests themselves": round(sum(o.seconds for o, _ in trusted.values()), 3),
                      "notebooks under nbgrader (sandboxed)": round(time.monotonic() - scored, 3)}
    for (nb, gid), test in cell_tests.items():
        outcome, events = trusted[gid]
        record.events += events
        record.tests.append(TestRecord(
            job.assignment, gid, nb, float(test.points), float(test.points) if outcome.passed else 0.0,
            outcome.message, round(outcome.seconds, 3), kernel.get(nb, {}).get(gid), events).__dict__)


def _grouped(events: list[str]) -> list[str]:
    """``"a: X", "b: X"`` -> ``"a, b: X"`` (one line per distinct problem, in order)."""
    groups: dict[str, list[str]] = {}
    for event in events:
        who, sep, what = event.partition(": ")
        key = what if sep and " " not in who else event
        name = who if sep and " " not in who else ""
        if name not in groups.setdefault(key, []):
            groups[key].append(name)
    return [f"{', '.join(w for w in who if w)}: {what}" if any(who) else what for what, who in groups.items()]


SLOT_DIR = Path(os.environ.get("CS231N_SLOT_DIR", "/tmp/cs231n-grading-slots"))
SLOTS = 512


@contextlib.contextmanager
def slot():
    """A sandbox slot (its own uid) that no other grading job on this host holds, across threads and
    processes (an flock on a file per slot, released when the job ends or its process dies)."""
    SLOT_DIR.mkdir(parents=True, exist_ok=True)
    for n in range(SLOTS):
        f = open(SLOT_DIR / f"slot-{n}", "a")
        try:
            fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            f.close()
            continue
        try:
            yield n
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)
            f.close()
        return
    raise RuntimeError(f"all {SLOTS} sandbox slots in {SLOT_DIR} are taken")


def _run_notebooks(job: Job, folder: Path, limits: Limits | None, record: StudentRecord) -> dict:
    """nbgrader on the readable notebooks in a sandbox; notebook -> grade id -> passed (as nbgrader saw it)."""
    if not job.notebooks:
        return {}
    from grading.tool.gradebook import worker_grades

    work = folder / "kernel"
    if work.exists():
        shutil.rmtree(work)
    target = work / "submitted" / job.student / job.assignment
    _fresh_copy(folder / "submission", target, notebooks=job.notebooks)
    _fresh_copy(folder / "source", work / "source" / job.assignment, notebooks=False)
    shutil.copy(folder / "gradebook.db", work / "gradebook.db")
    worker_job = WorkerJob(str(work), job.assignment, job.student, job.notebooks, job.timeout, str(work / "source"),
                           job.exclude_overwriting)
    (work / "job.json").write_text(worker_job.to_json())
    sandbox = make_sandbox(work, job.slot, limits, job.insecure)  # (re)creates work/home
    _install_output_cap(work / "home")
    _give(work, sandbox.uid)
    socket_path = work / SOCKET_NAME
    wall = max(900, 20 * job.timeout * max(1, len(job.notebooks)))
    with TestServer(socket_path, job.assignment, job.timeout) as server:
        result = sandbox.run([sys.executable, "-m", "grading.tool.worker", str(work / "job.json")],
                             env=sandbox_env(CS231N_HIDDEN_SOCKET=str(socket_path)), cwd=work, timeout=wall)
        sent = server.sent_values()
    event = result.event()
    if event:
        record.events.append(f"notebooks: {event}")
    outcome = _read_json(inside(work, Path("result.json")))
    for name in job.notebooks:
        nb_result = outcome.get(name) if isinstance(outcome.get(name), dict) else None
        if nb_result is None:
            nb_result = {"success": False, "error": event or f"the grading worker wrote no result "
                                                              f"(exit code {result.returncode})"}
        produced = inside(work, Path("autograded") / job.student / job.assignment / f"{name}.ipynb")
        ok = bool(nb_result.get("success")) and produced is not None
        record.notebooks[name] = ok
        if ok:
            removed = redact(produced, sent)
            if removed:
                record.events.append(f"{name}.ipynb: {removed} output(s) showing hidden-test inputs were removed")
        record.nbgrader[name] = {k: str(v)[-4000:] for k, v in nb_result.items()}
    kernel = {}
    try:
        if inside(work, Path("gradebook.db")) is None:
            raise FileNotFoundError("gradebook.db")
        grades = worker_grades(work, job.assignment, job.student)
    except Exception:  # a gradebook the student's code damaged: no in-kernel results to compare
        grades = {}
    for nb, cells in grades.items():
        if record.notebooks.get(nb):
            record.kernel_scores[nb] = {gid: (None if auto is None else float(auto)) for gid, (auto, _) in cells.items()}
            kernel[nb] = {gid: None if auto is None else float(auto) >= job.max_scores.get(gid, 0.0)
                          for gid, (auto, _) in cells.items()}
    return kernel


def _install_output_cap(home: Path) -> None:
    """The kernels' IPython start-up file that caps each cell's output (grading/kernel/output_cap.py)."""
    from grading.kernel.output_cap import CAP, STARTUP
    from grading.tool.execute import TRUNCATED

    startup = home / ".ipython" / "profile_default" / "startup"
    startup.mkdir(parents=True, exist_ok=True)
    (startup / "00-cs231n-output-cap.py").write_text(STARTUP % {"cap": CAP, "notice": TRUNCATED.format(CAP)})


def inside(folder: Path, relative: Path) -> Path | None:
    """``folder / relative`` when it is a regular file really inside ``folder`` (the sandboxed code could
    have left a symlink there to make the grader read or overwrite something else); otherwise None."""
    base = Path(os.path.realpath(folder))
    real = Path(os.path.realpath(folder / relative))
    if real != base / relative or not real.is_file():
        return None
    return real


def run_job(job_json: str, scores_only: bool = False, limits_json: str | None = None) -> str:
    """:func:`grade` on JSON in and out: what a thread pool or a Dask worker runs."""
    limits = Limits(**json.loads(limits_json)) if limits_json else None
    return grade(Job.from_json(job_json), scores_only, limits).to_json()


def _read_json(path: Path | None) -> dict:
    if path is None:
        return {}
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _fresh_copy(src: Path, dest: Path, notebooks) -> Path:
    """Copy ``src`` to ``dest``; ``notebooks``: False (none), or the names of those to include."""
    if dest.exists():
        shutil.rmtree(dest)
    keep = set(notebooks) if notebooks else set()

    def ignore(folder, names):
        return [n for n in names if n in ("__pycache__", ".ipynb_checkpoints")
                or (n.endswith(".ipynb") and n[:-len(".ipynb")] not in keep)]

    shutil.copytree(src, dest, ignore=ignore, symlinks=True)  # never follow a student's link
    return dest


def _give(folder: Path, uid: int | None) -> None:
    """Make ``folder`` (recursively) the sandbox uid's."""
    if uid is None:
        return
    for root, dirs, files in os.walk(folder):
        os.chown(root, uid, uid)
        for name in files:
            os.chown(os.path.join(root, name), uid, uid, follow_symlinks=False)
