"""Grading throughput on one generated class of assignment-1 submissions, every grader measured in this run:

- plain serial ``nbgrader autograde`` (the CLI, one course directory, no sandbox, in-kernel scores);
- ``python -m grading autograde`` with 1, 2 and N jobs (sandboxed, trusted scores, notebooks run);
- ``--scores-only`` (the trusted scorer alone) with 2 jobs.

Submissions per minute and the ratio to serial nbgrader are printed (ratios: this
machine's absolute timings are noisy), then where a submission's time goes.

    make bench-grading                        # 40 students
    python bench/grading.py --students 12     # a quicker look
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests"))

from grading.tool import autograde, course, samples  # noqa: E402

SPEC = REPO / "grading" / "samples" / "assignment1.yaml"
#: The infinite-loop sample is left out: its cut-off cells would measure the timeout, not the grader.
SKIP = {"s04_knn_infinite_loop"}


def make_class(n: int, folder: Path) -> tuple[Path, list[samples.Student]]:
    """``n`` students cycling through the bundled samples (correct, buggy and broken)."""
    spec = samples.load_spec(SPEC)
    base = [s for s in spec.students if s.id not in SKIP]
    students = []
    for i in range(n):
        s = base[i % len(base)]
        students.append(samples.Student(f"{s.id}_{i // len(base)}", s.base, s.layout, s.edits, s.expect, s.about))
    cfg = course.load_config(folder / "build", spec.timeout)
    autograde.register(cfg, spec.assignment)
    subs = samples.build(spec.assignment, students, course.source_dir(cfg), folder / "build" / "release",
                         folder / "class")
    return subs, students


def plain_serial(subs: Path, folder: Path, timeout: int) -> float:
    import plain_nbgrader

    found = {p.name: (p / "assignment1" if (p / "assignment1").is_dir() else p) for p in sorted(subs.iterdir())}
    start = time.monotonic()
    plain_nbgrader.grade(found, "assignment1", folder, timeout, groups=1)
    return time.monotonic() - start


def ours(subs: Path, folder: Path, timeout: int, jobs: int, scores_only: bool = False) -> tuple[float, list]:
    cfg = course.load_config(folder, timeout)
    start = time.monotonic()
    autograde.autograde(cfg, "assignment1", subs, jobs=jobs, scores_only=scores_only, log=lambda *a: None)
    seconds = time.monotonic() - start
    records = [json.loads(p.read_text()) for p in sorted((autograde.state_dir(folder, "assignment1") / "records").glob("*.json"))]
    return seconds, records


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=40)
    parser.add_argument("--jobs", default=f"1,2,{max(2, os.cpu_count() or 2)}", help="comma-separated job counts")
    parser.add_argument("--timeout", type=int, default=60, help="seconds per cell")
    parser.add_argument("--no-plain", action="store_true", help="skip plain serial nbgrader (the slowest)")
    args = parser.parse_args(argv)

    work = Path(tempfile.mkdtemp(prefix="cs231n-bench-grading-"))
    try:
        subs, students = make_class(args.students, work)
        print(f"class: {len(students)} submissions of assignment 1 (correct, buggy, broken), "
              f"{os.cpu_count()} CPU(s), {args.timeout} s per cell", flush=True)
        results = {}
        if not args.no_plain:
            results["plain nbgrader, serial"] = (plain_serial(subs, work / "plain", args.timeout), [])
            print(f"  measured plain nbgrader ({results['plain nbgrader, serial'][0]:.0f} s)", flush=True)
        for jobs in sorted({int(j) for j in args.jobs.split(",")}):
            results[f"ours, {jobs} job(s)"] = ours(subs, work / f"jobs{jobs}", args.timeout, jobs)
            print(f"  measured ours with {jobs} job(s) ({results[f'ours, {jobs} job(s)'][0]:.0f} s)", flush=True)
        results["ours, scores-only, 2 jobs"] = ours(subs, work / "scores", args.timeout, 2, scores_only=True)
        print(f"  measured scores-only ({results['ours, scores-only, 2 jobs'][0]:.0f} s)", flush=True)

        peer = results.get("plain nbgrader, serial", (None,))[0]
        print(f"\n{'grader':<28} {'submissions/min':>16} {'vs serial nbgrader':>20}")
        for name, (seconds, _) in results.items():
            rate = 60 * len(students) / seconds
            ratio = f"{peer / seconds:.2f}x" if peer else "-"
            print(f"{name:<28} {rate:16.1f} {ratio:>20}")
        _overhead(results)
        return {name: seconds for name, (seconds, _) in results.items()}
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _overhead(results) -> None:
    """Mean seconds per submission in each stage, from the records' timings (1-job run and scores-only)."""
    for name in ("ours, 1 job(s)", "ours, scores-only, 2 jobs"):
        records = results.get(name, (0, []))[1]
        timings = [r.get("timings", {}) for r in records if r.get("timings")]
        if not timings:
            continue
        keys = sorted({k for t in timings for k in t})
        means = {k: sum(t.get(k, 0.0) for t in timings) / len(timings) for k in keys}
        print(f"\nwhere a submission's time goes ({name}, mean of {len(timings)}):")
        for k in keys:
            print(f"  {k:<36} {means[k]:7.2f} s")


if __name__ == "__main__":
    main()
