"""grading.trusted.records: JSON round trips of the records passed between grading stages,
refusal of unknown fields, the tampering flag, and atomic writes."""

from __future__ import annotations

import json
import os
from dataclasses import asdict, fields

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from grading.trusted import records
from grading.trusted.records import Job, StudentRecord, write_atomic
from grading.trusted.records import TestRecord as TRecord  # an alias: pytest would collect a Test* name

text = st.text(max_size=30)
names = st.text(st.characters(categories=("L", "N"), include_characters="_-."), min_size=1, max_size=12)
numbers = st.floats(allow_nan=False, allow_infinity=False, width=64)
points = st.floats(0, 100, allow_nan=False)

test_records = st.builds(
    TRecord, assignment=names, grade_id=names, notebook=names, max_score=points, score=points,
    message=text, seconds=st.floats(0, 1e5), kernel_passed=st.none() | st.booleans(),
    events=st.lists(text, max_size=3))

student_records = st.builds(
    StudentRecord, assignment=names, student=names, checksum=st.text("0123456789abcdef", max_size=64),
    tests=st.lists(test_records.map(asdict), max_size=4),
    notebooks=st.dictionaries(names, st.booleans(), max_size=3),
    messages=st.lists(text, max_size=3), events=st.lists(text, max_size=3),
    mode=st.sampled_from(["full", "scores-only"]),
    nbgrader=st.dictionaries(names, st.dictionaries(names, text, max_size=3), max_size=2),
    kernel_scores=st.dictionaries(names, st.dictionaries(names, st.none() | points, max_size=3), max_size=2),
    timings=st.dictionaries(names, numbers, max_size=3))

jobs = st.builds(
    Job, assignment=names, student=names, folder=text, checksum=text, notebooks=st.lists(names, max_size=3),
    hidden=st.dictionaries(names, st.lists(names, max_size=3), max_size=3),
    max_scores=st.dictionaries(names, points, max_size=4), timeout=st.integers(1, 10_000),
    exclude_overwriting=st.lists(names, max_size=2), slot=st.integers(0, 511), insecure=st.booleans())


# ----------------------------------------------------------------------------- round trips

@settings(max_examples=80, deadline=None)
@given(st.one_of(test_records, student_records, jobs))
def test_json_round_trip(record):
    text_ = record.to_json()
    back = type(record).from_json(text_)
    assert back == record
    assert type(back) is type(record)
    assert back.to_json() == text_  # stable output: a resumed run writes the same bytes
    assert json.loads(text_) == asdict(record)


@settings(max_examples=40, deadline=None)
@given(student_records)
def test_a_student_records_tests_come_back_as_test_records(record):
    back = StudentRecord.from_json(record.to_json())
    tests = back.test_records()
    assert all(isinstance(t, TRecord) for t in tests)
    assert [asdict(t) for t in tests] == record.tests
    assert back.total() == pytest.approx(sum(t["score"] for t in record.tests))
    assert back.flags() == [t.flag for t in tests if t.flag]


@pytest.mark.parametrize("cls,example", [
    (TRecord, TRecord("a1", "g", "knn", 2.0, 2.0, "ok")),
    (StudentRecord, StudentRecord("a1", "s", "abc")),
    (Job, Job("a1", "s", "/f", "abc", ["knn"], {"knn": ["g"]}, {"g": 2.0}, 60)),
])
def test_unknown_fields_are_rejected(cls, example):
    data = asdict(example)
    data["surprise"] = 1
    data["also_new"] = 2
    with pytest.raises(ValueError, match=r"unknown fields \['also_new', 'surprise'\]") as info:
        cls.from_dict(data)
    assert cls.__name__ in str(info.value)
    with pytest.raises(ValueError):
        cls.from_json(json.dumps(data))


def test_a_missing_required_field_is_an_error():
    data = asdict(TRecord("a1", "g", "knn", 2.0, 2.0, "ok"))
    del data["score"]
    with pytest.raises(TypeError):
        TRecord.from_dict(data)


def test_defaults_fill_fields_that_older_records_lack():
    data = asdict(StudentRecord("a1", "s", "abc"))
    for name in ("timings", "kernel_scores", "mode"):
        del data[name]
    back = StudentRecord.from_dict(data)
    assert back.timings == {} and back.kernel_scores == {} and back.mode == "full"


def test_every_field_is_in_the_json():
    for record in (TRecord("a1", "g", "knn", 2.0, 0.0, "m"), StudentRecord("a1", "s", "c"),
                   Job("a1", "s", "/f", "c", [], {}, {}, 1)):
        assert set(json.loads(record.to_json())) == {f.name for f in fields(record)}


# ----------------------------------------------------------------------------- flag

@settings(max_examples=100, deadline=None)
@given(test_records)
def test_flag_only_when_the_kernel_result_disagrees(record):
    passed = record.score >= record.max_score
    assert record.passed == passed
    should_flag = record.kernel_passed is not None and record.kernel_passed != passed
    assert record.disagrees == should_flag
    assert (record.flag is not None) == should_flag
    if should_flag:
        assert record.flag.startswith(f"{record.grade_id}: ")


@pytest.mark.parametrize("score,kernel,flagged", [
    (2.0, None, False), (0.0, None, False),
    (2.0, True, False), (0.0, False, False),
    (0.0, True, True), (2.0, False, True),
    (1.9, True, True),   # partial points count as failed
    (2.5, False, True),  # over the maximum counts as passed
])
def test_flag_table(score, kernel, flagged):
    record = TRecord("a1", "knn_two_loops", "knn", 2.0, score, "m", kernel_passed=kernel)
    assert (record.flag is not None) is flagged


def test_flag_wording_says_what_each_side_saw():
    shown_passed = TRecord("a1", "knn_two_loops", "knn", 2.0, 0.0, "m", kernel_passed=True).flag
    assert "showed this test as passed" in shown_passed and "found it failed" in shown_passed
    shown_failed = TRecord("a1", "knn_two_loops", "knn", 2.0, 2.0, "m", kernel_passed=False).flag
    assert "showed this test as failed" in shown_failed and "found it passed" in shown_failed
    assert "trusted result counts" in shown_passed and "tampering" in shown_passed
    assert "another of your functions" in shown_failed and "tampering" not in shown_failed


def test_student_record_flags_and_total():
    tests = [TRecord("a1", "a", "knn", 2.0, 2.0, "m", kernel_passed=True),
             TRecord("a1", "b", "knn", 3.0, 0.0, "m", kernel_passed=True),
             TRecord("a1", "c", "svm", 1.0, 1.0, "m", kernel_passed=None)]
    record = StudentRecord("a1", "s", "x", tests=[asdict(t) for t in tests])
    assert record.total() == 3.0
    flags = record.flags()
    assert len(flags) == 1 and flags[0].startswith("b: ")


# ----------------------------------------------------------------------------- write_atomic

def _listing(folder):
    return sorted(p.name for p in folder.iterdir())


def test_write_atomic_writes_and_makes_parents(tmp_path):
    path = tmp_path / "deep" / "er" / "record.json"
    write_atomic(path, "first")
    assert path.read_text() == "first"
    write_atomic(path, "second, longer than the first")
    assert path.read_text() == "second, longer than the first"
    assert _listing(path.parent) == ["record.json"]


@settings(max_examples=30, deadline=None)
@given(st.text(st.characters(exclude_categories=("Cs",)), max_size=200))
def test_write_atomic_round_trips_any_text(tmp_path_factory, value):
    path = tmp_path_factory.mktemp("atomic") / "f.txt"
    write_atomic(path, value)
    assert path.read_bytes().decode("utf-8") == value


@pytest.mark.parametrize("exc", [OSError("disk went away"), KeyboardInterrupt()])
def test_a_failing_replace_leaves_the_old_content_and_no_temp_file(tmp_path, monkeypatch, exc):
    path = tmp_path / "record.json"
    write_atomic(path, "old content")

    def broken_replace(src, dst):
        assert os.path.exists(src)  # the new content was written in full next to the target
        assert open(src).read() == "new content"
        raise exc

    monkeypatch.setattr(records.os, "replace", broken_replace)
    with pytest.raises(type(exc)):
        write_atomic(path, "new content")
    assert path.read_text() == "old content"
    assert _listing(tmp_path) == ["record.json"]


def test_a_failure_while_writing_leaves_the_old_content_and_no_temp_file(tmp_path, monkeypatch):
    path = tmp_path / "record.json"
    write_atomic(path, "old content")

    def broken_fsync(fd):
        raise OSError("no space left on device")

    monkeypatch.setattr(records.os, "fsync", broken_fsync)
    with pytest.raises(OSError, match="no space"):
        write_atomic(path, "new content")
    assert path.read_text() == "old content"
    assert _listing(tmp_path) == ["record.json"]


def test_a_failed_first_write_leaves_nothing(tmp_path, monkeypatch):
    monkeypatch.setattr(records.os, "replace", lambda src, dst: (_ for _ in ()).throw(OSError("boom")))
    with pytest.raises(OSError):
        write_atomic(tmp_path / "new.json", "content")
    assert _listing(tmp_path) == []


def test_a_text_that_cannot_be_encoded_leaves_the_old_content(tmp_path):
    path = tmp_path / "record.json"
    write_atomic(path, "old content")
    with pytest.raises(UnicodeEncodeError):
        write_atomic(path, "lone surrogate \ud800")
    assert path.read_text() == "old content"
    assert _listing(tmp_path) == ["record.json"]


WorkerJob = getattr(records, "WorkerJob", None)


@pytest.mark.skipif(WorkerJob is None, reason="records.WorkerJob is not there yet")
@settings(max_examples=40, deadline=None)
@given(st.data())
def test_worker_job_json_round_trip(data):
    job = data.draw(st.builds(
        WorkerJob, course_dir=text, assignment=names, student=names, notebooks=st.lists(names, max_size=3),
        timeout=st.integers(1, 10_000), source_dir=text, exclude_overwriting=st.lists(names, max_size=2)))
    assert WorkerJob.from_json(job.to_json()) == job
    with pytest.raises(ValueError, match="unknown fields"):
        WorkerJob.from_dict({**asdict(job), "extra": 1})
