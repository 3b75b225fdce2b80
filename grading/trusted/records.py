"""Typed records passed between the grading stages, each with a JSON round trip.

- :class:`TestRecord` -- one hidden test of one student: the authoritative
  (trusted) result, the in-kernel result, and whether they disagree.
- :class:`StudentRecord` -- everything grading one student produced: tests,
  notebook problems, sandbox events, messages; written atomically once the
  student is done, so a killed run resumes with what is missing.
- :class:`Job` -- what a grading worker needs to grade one student;
- :class:`WorkerJob` -- what the sandboxed nbgrader run of that student needs.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path


class _Record:
    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=1, sort_keys=True)

    @classmethod
    def from_dict(cls, data: dict):
        known = {f.name for f in fields(cls)}
        unknown = set(data) - known
        if unknown:
            raise ValueError(f"{cls.__name__}: unknown fields {sorted(unknown)}")
        return cls(**data)

    @classmethod
    def from_json(cls, text: str):
        return cls.from_dict(json.loads(text))


@dataclass
class TestRecord(_Record):
    assignment: str
    grade_id: str
    notebook: str
    max_score: float
    score: float                      # authoritative: from the trusted scorer
    message: str                      # what was checked / what differed (student-facing, no inputs)
    seconds: float = 0.0
    kernel_passed: bool | None = None  # what nbgrader's run of the notebook showed (None: not run)
    events: list[str] = field(default_factory=list)  # sandbox events in plain words

    @property
    def passed(self) -> bool:
        return self.score >= self.max_score

    @property
    def disagrees(self) -> bool:
        """The notebook run and the trusted scorer disagree: possible tampering."""
        return self.kernel_passed is not None and self.kernel_passed != self.passed

    @property
    def flag(self) -> str | None:
        if not self.disagrees:
            return None
        seen = "passed" if self.kernel_passed else "failed"
        said = (f"{self.grade_id}: the notebook showed this test as {seen}, but the trusted grader, running your "
                f"code on its own in a sandbox, found it {'passed' if self.passed else 'failed'}. The trusted "
                "result counts")
        if self.kernel_passed:  # a pass that the trusted run does not reproduce: the grader's concern
            return (said + ". Possible tampering (patched checks, edited or blanked test cells), or code that "
                           "depends on the notebook's state.")
        # A failure that the trusted run does not reproduce costs the student nothing; usually a visible check of
        # the cell goes through another function (a numerical gradient through the forward pass) that is wrong.
        return (said + " (full marks). Usually a visible check in that cell uses another of your functions that is "
                       "still wrong (e.g. a numerical gradient through your forward pass): fix that one too. "
                       "Otherwise your code depends on the notebook's state.")


@dataclass
class StudentRecord(_Record):
    assignment: str
    student: str
    checksum: str                     # of the submission's files: a changed submission is graded again
    tests: list[dict] = field(default_factory=list)   # TestRecord dicts
    notebooks: dict[str, bool] = field(default_factory=dict)  # notebook -> ran under nbgrader
    messages: list[str] = field(default_factory=list)
    events: list[str] = field(default_factory=list)
    mode: str = "full"                # "full" (notebooks run) or "scores-only"
    nbgrader: dict[str, dict] = field(default_factory=dict)  # notebook -> nbgrader's {success, log, error}
    kernel_scores: dict[str, dict] = field(default_factory=dict)  # notebook -> grade id -> nbgrader's auto score
    timings: dict[str, float] = field(default_factory=dict)  # seconds per stage (bench/grading.py reports them)

    def test_records(self) -> list[TestRecord]:
        return [TestRecord.from_dict(t) for t in self.tests]

    def flags(self) -> list[str]:
        return [t.flag for t in self.test_records() if t.flag]

    def total(self) -> float:
        return sum(t.score for t in self.test_records())


@dataclass
class Job(_Record):
    assignment: str
    student: str
    folder: str                       # the student's private working directory (host path)
    checksum: str                     # of the submission's files
    notebooks: list[str]              # readable notebooks to run under nbgrader
    hidden: dict[str, list[str]]      # notebook -> grade ids of its hidden-test cells
    max_scores: dict[str, float]      # grade id -> points
    timeout: int                      # seconds per cell / per hidden test
    exclude_overwriting: list[str] = field(default_factory=list)
    slot: int = 0
    insecure: bool = False


@dataclass
class WorkerJob(_Record):
    """What the sandboxed nbgrader worker (``grading/tool/worker.py``) grades: one student's notebooks in a
    private course directory holding only them, the release's provided files and an empty gradebook."""
    course_dir: str
    assignment: str
    student: str
    notebooks: list[str]
    timeout: int
    source_dir: str
    exclude_overwriting: list[str] = field(default_factory=list)


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` so that a reader (or a resumed run) sees the old file or the new one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
