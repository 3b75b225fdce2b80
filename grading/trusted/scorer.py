"""The authoritative scores: every hidden test of an assignment, run in this
(trusted) process on a sandboxed student process's objects.

The test's inputs are drawn here (scorer salt, never shown to the notebook
run), the student's code runs over there and hands back data, and the oracle
and the comparison run here, so nothing the student's code does can change the
comparison.  A test that hangs or kills the process costs that test; the
process is restarted for the next one.
"""

from __future__ import annotations

from pathlib import Path

from grading.hidden.core import HiddenTest, Outcome, execute

from .student_process import StudentProcess


def score(tests: list[HiddenTest], folder: Path, sandbox, seconds_per_test: float) -> list[tuple[HiddenTest, Outcome, list[str]]]:
    """``(test, outcome, sandbox events)`` for each test, in order."""
    results = []
    student = StudentProcess(folder, sandbox)
    try:
        for test in tests:
            student.ensure_started()
            student.peer.set_budget(seconds_per_test)
            outcome = execute(test, None, student.session())
            events = []
            if not outcome.passed and "MemoryError" in outcome.message:
                limit = getattr(getattr(sandbox, "limits", None), "memory_bytes", None)
                events.append(f"{test.grade_id}: your code ran out of memory"
                              + (f" (the grader's limit is {limit / 2**30:.1f} GiB per process)" if limit else ""))
            if not outcome.passed:
                problem = student.failure(_last_error(student))
                if problem is not None:
                    outcome = Outcome(False, f"hidden test {test.grade_id}: {problem}", outcome.seconds)
                    events.append(f"{test.grade_id}: {problem}")
                    student.stop()
            if student.peer is not None:
                try:
                    student.peer.set_budget(10)
                    student.peer.request("reset")
                except Exception as exc:
                    problem = student.failure(exc) or f"the process running your code stopped answering ({exc})"
                    events.append(f"after {test.grade_id}: {problem}")
                    student.stop()
            results.append((test, outcome, events))
    finally:
        student.stop()
    return results


def _last_error(student: StudentProcess):
    """The timeout that cut the test short, if any (the peer's budget ran out)."""
    from grading.kernel.peer import RemoteTimeout
    import time

    peer = student.peer
    if peer is not None and peer.deadline is not None and time.monotonic() >= peer.deadline:
        return RemoteTimeout(peer._budget)
    return None
