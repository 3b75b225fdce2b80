"""Instructor command line: ``python -m grading <command>``.

    release  [ASSIGNMENT ...]              solutions/<a> -> assignments/<a> (default: all)
    autograde ASSIGNMENT SUBMISSIONS_DIR   grade a folder of submissions (--jobs N, --scheduler tcp://...,
                                           --scores-only, --insecure, --restart)
    feedback ASSIGNMENT                    HTML feedback per student (hidden tests removed)
    export   ASSIGNMENT --csv PATH         grades CSV + a grade table
    demo                                   all of the above on bundled sample submissions

Common options: ``--course-dir`` (default ``$CS231N_COURSE_DIR`` or
``~/cs231n-course``), ``--timeout`` seconds per cell.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from .tool import autograde, course, demo, export, feedback, gradable, release, samples
from .tool.course import ToolError


def _parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--course-dir", type=Path, help="course working directory (submitted/, autograded/, gradebook.db)")
    common.add_argument("--timeout", type=int, help="seconds a cell may run before it is interrupted (default 60)")
    common.add_argument("--source-dir", type=Path, help="instructor notebooks (default <repo>/solutions)")
    common.add_argument("--release-dir", type=Path, help="student release (default <repo>/assignments)")
    parser = argparse.ArgumentParser(prog="python -m grading", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("release", parents=[common], help="regenerate assignments/ from solutions/")
    p.add_argument("assignments", nargs="*", help="default: every assignment in the configuration")

    p = sub.add_parser("autograde", parents=[common], help="autograde a folder of submissions")
    p.add_argument("assignment")
    p.add_argument("submissions", type=Path, help="<dir>/<student>/<assignment>/<nb>.ipynb or <dir>/<student>/<nb>.ipynb")
    p.add_argument("--jobs", type=int, default=1, help="students graded in parallel (default 1)")
    _grading_options(p)

    p = sub.add_parser("feedback", parents=[common], help="write feedback HTML per student")
    p.add_argument("assignment")
    p.add_argument("--student", default="*", help="one student (default all)")

    p = sub.add_parser("export", parents=[common], help="grades CSV and table")
    p.add_argument("assignment")
    p.add_argument("--csv", type=Path, help="where to write the CSV (default <course>/exports/<assignment>_grades.csv)")

    p = sub.add_parser("demo", parents=[common], help="release, grade, feed back and export the bundled samples")
    p.add_argument("--assignment", default="assignment1", help="which sample spec (grading/samples/<name>.yaml)")
    p.add_argument("--jobs", type=int, default=max(1, min(4, os.cpu_count() or 1)))
    _grading_options(p)
    return parser


def _grading_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--scheduler", help="grade on a Dask cluster: the scheduler's address, e.g. tcp://10.0.0.5:8786 "
                                       "(workers need this repository and the course directory at the same paths)")
    p.add_argument("--scores-only", action="store_true",
                   help="only the trusted scorer (no notebook runs): fast regrades; notebooks of the last full run stay")
    p.add_argument("--insecure", action="store_true",
                   help="run student code WITHOUT the sandbox (a quick local check on a machine without bubblewrap)")
    p.add_argument("--restart", action="store_true",
                   help="grade every student again instead of resuming (default: students already graded, with an "
                        "unchanged submission, are kept)")


def _grading_kwargs(args) -> dict:
    return {"scores_only": args.scores_only, "insecure": args.insecure, "scheduler": args.scheduler,
            "resume": not args.restart}


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return _run(args)
    except ToolError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


def _run(args) -> int:
    course_dir = args.course_dir
    if args.command == "demo" and course_dir is None:
        course_dir = demo.default_course_dir()
    cfg = course.load_config(course_dir, args.timeout, args.source_dir, args.release_dir)
    root = course.course_root(cfg)

    if args.command == "release":
        names = args.assignments or course.default_assignments(cfg)
        for folder in release.release_all(cfg, names):
            print(f"released {folder}")
        return 0
    if args.command == "autograde":
        if args.jobs < 1:
            raise ToolError(f"--jobs must be at least 1, got {args.jobs}")
        gradable.require_gradable(cfg, args.assignment)  # not demos, nor a typo
        autograde.autograde(cfg, args.assignment, args.submissions, jobs=args.jobs, **_grading_kwargs(args))
        print()
        print(export.grade_table(root, args.assignment))
        return 0
    if args.command == "feedback":
        files = feedback.generate(cfg, args.assignment, args.student)
        print(f"wrote {len(files)} feedback file(s) under {root / 'feedback'}")
        return 0
    if args.command == "export":
        path = export.write_csv(root, args.assignment, args.csv or root / "exports" / f"{args.assignment}_grades.csv")
        print(export.grade_table(root, args.assignment))
        print(f"\ngrades CSV: {path}")
        return 0
    if args.command == "demo":
        result = demo.run_demo(cfg, samples.spec_path(args.assignment), jobs=args.jobs,
                               timeout_given=args.timeout is not None, **_grading_kwargs(args))
        return 1 if result["mismatches"] else 0
    raise AssertionError(args.command)


if __name__ == "__main__":
    sys.exit(main())
