"""Parallel, distributed and resumable grading give the same grades as a serial run.

Scores-only mode (the trusted scorer in its sandbox, no notebook runs) on eight
of the bundled assignment-1 samples, so the four runs fit in CI time:

- serial (1 job) -- the reference CSV;
- a Dask ``LocalCluster`` (``--scheduler``), the same code path as local jobs;
- the CLI with 2 jobs, killed with SIGKILL after a few students, then run
  again: it resumes (grading only who is missing) and writes the serial CSV.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from grading.tool import autograde, course, export, samples

pytestmark = pytest.mark.slow
SPEC = course.REPO / "grading" / "samples" / "assignment1.yaml"
# No infinite loop (it would cost a timeout per run); correct, buggy, broken and missing work.
PICK = ["s01_perfect", "s02_untouched_release", "s03_knn_one_loop_no_sqrt", "s08_knn_kills_kernel",
        "s09_softmax_grad_sign", "s11_softmax_missing", "s12_svm_module_syntax_error", "s13_softmax_module_raises"]


def _course(tmp_path, name):
    root = tmp_path / name
    spec = samples.load_spec(SPEC)
    students = [s for s in spec.students if s.id in PICK]
    cfg = course.load_config(root, spec.timeout)
    autograde.register(cfg, spec.assignment)
    subs = samples.build(spec.assignment, students, course.source_dir(cfg), root / "release", root / "samples")
    return cfg, root, subs


def _csv(root):
    path = export.write_csv(root, "assignment1", root / "grades.csv")
    return path.read_text()


@pytest.fixture(scope="module")
def serial(tmp_path_factory):
    cfg, root, subs = _course(tmp_path_factory.mktemp("serial"), "course")
    autograde.autograde(cfg, "assignment1", subs, jobs=1, scores_only=True, log=lambda *a: None)
    return _csv(root)


def test_serial_scores_only_matches_the_spec(serial):
    rows = {line.split(",")[0]: line for line in serial.splitlines()[1:]}
    assert sorted(rows) == sorted(PICK)
    assert ",38" in rows["s01_perfect"] and ",0," in rows["s02_untouched_release"]


def test_a_dask_cluster_gives_the_serial_grades(serial, tmp_path):
    distributed = pytest.importorskip("distributed")
    cfg, root, subs = _course(tmp_path, "course")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        log = []
        autograde.autograde(cfg, "assignment1", subs, scores_only=True, scheduler=cluster.scheduler_address,
                            log=log.append)
    assert any("Dask scheduler tcp://" in line for line in log)
    assert _csv(root) == serial


@pytest.mark.timeout(900)
def test_killed_with_sigkill_and_resumed_gives_the_same_csv(serial, tmp_path):
    cfg, root, subs = _course(tmp_path, "course")
    records = autograde.state_dir(root, "assignment1") / "records"
    cmd = [sys.executable, "-m", "grading", "autograde", "assignment1", str(subs), "--course-dir", str(root),
           "--scores-only", "--jobs", "2", "--timeout", str(int(cfg.Execute.timeout))]
    env = dict(os.environ, PYTHONPATH=str(course.REPO))
    proc = subprocess.Popen(cmd, cwd=course.REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            start_new_session=True)
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline and proc.poll() is None:
        if records.is_dir() and len(list(records.glob("*.json"))) >= 3:
            break
        time.sleep(0.2)
    assert proc.poll() is None, "the run finished before it could be killed:\n" + proc.stdout.read().decode()
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    done = len(list(records.glob("*.json")))
    assert 3 <= done < len(PICK)

    resumed = subprocess.run(cmd, cwd=course.REPO, env=env, capture_output=True, text=True, timeout=600)
    assert resumed.returncode == 0, resumed.stdout[-3000:] + resumed.stderr[-3000:]
    assert f"resuming: {done} student(s) already graded, {len(PICK) - done} to go" in resumed.stdout
    assert _csv(root) == serial
