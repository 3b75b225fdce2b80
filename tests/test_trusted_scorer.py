"""grading.trusted.scorer in a real sandbox (bubblewrap), and grade_job's helpers: ``slot``,
``_grouped``, ``inside``.

The scorer runs hidden tests here on objects that live in a sandboxed student
process; a test whose code kills that process fails saying so, and the next
test runs in a fresh process.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from grading.hidden.core import find
from grading.sandbox import detect_layers
from grading.trusted import grade_job
from grading.trusted.grade_job import _give, _grouped, inside, slot
from grading.trusted.sandboxing import make_sandbox
from grading.trusted.scorer import score

REPO = Path(__file__).resolve().parent.parent
SOLUTION = REPO / "solutions" / "assignment1" / "cs231n"
LAYERS = detect_layers()
needs_sandbox = pytest.mark.skipif(
    not LAYERS.sandboxed, reason=f"no usable bubblewrap sandbox here: {LAYERS.problem or 'bwrap not installed'}")

#: Seconds per hidden test: small, the tests below take well under a second each.
BUDGET = 10

DIE = '''

def _die(self, X):
    import os
    os._exit(3)


KNearestNeighbor.compute_distances_two_loops = _die
'''


def _submission(tmp_path: Path, name: str, append_to_knn: str = "") -> Path:
    os.chmod(tmp_path, 0o755)
    folder = tmp_path / name
    shutil.copytree(SOLUTION, folder / "cs231n", ignore=shutil.ignore_patterns("__pycache__"))
    if append_to_knn:
        knn = folder / "cs231n" / "classifiers" / "k_nearest_neighbor.py"
        knn.write_text(knn.read_text() + append_to_knn)
    return folder


def _score(folder: Path, tests):
    with slot() as n:  # a slot (uid) no concurrent grading job holds
        sandbox = make_sandbox(folder, n)
        _give(folder, sandbox.uid)
        return score(tests, folder, sandbox, BUDGET)


@pytest.fixture(scope="module")
def tests():
    return [find("assignment1/knn_two_loops"), find("assignment1/svm_naive_loss")]


@needs_sandbox
def test_the_solution_passes_in_the_sandbox(tmp_path, tests):
    results = _score(_submission(tmp_path, "good"), tests)
    assert [t.grade_id for t, _, _ in results] == ["knn_two_loops", "svm_naive_loss"]
    for test, outcome, events in results:
        assert outcome.passed, outcome.message
        assert outcome.message == f"hidden test {test.grade_id}: passed"
        assert events == []


@needs_sandbox
def test_a_process_that_exits_costs_only_that_test(tmp_path, tests):
    results = _score(_submission(tmp_path, "dies", DIE), tests)
    (knn, knn_outcome, knn_events), (svm, svm_outcome, svm_events) = results
    assert not knn_outcome.passed
    assert "exited with code 3" in knn_outcome.message
    assert knn_outcome.message.startswith("hidden test knn_two_loops: ")
    assert any(e.startswith("knn_two_loops: ") and "exited with code 3" in e for e in knn_events)
    assert svm_outcome.passed, svm_outcome.message  # a fresh process for the next test
    assert svm_events == []


# ----------------------------------------------------------------------------- slot

@pytest.fixture
def slot_dir(tmp_path, monkeypatch):
    folder = tmp_path / "slots"
    monkeypatch.setattr(grade_job, "SLOT_DIR", folder)
    return folder


def test_nested_holders_get_distinct_slots_and_free_them(slot_dir):
    with slot() as a:
        with slot() as b:
            with slot() as c:
                assert len({a, b, c}) == 3
        with slot() as d:  # b and c are free again: the lowest is handed out
            assert d == b
    with slot() as e:
        assert e == a == 0
    assert sorted(p.name for p in slot_dir.iterdir()) == ["slot-0", "slot-1", "slot-2"]


def test_a_slot_is_freed_when_the_body_raises(slot_dir):
    with pytest.raises(RuntimeError, match="in the job"):
        with slot() as a:
            raise RuntimeError("in the job")
    with slot() as b:
        assert b == a


def test_threads_get_distinct_slots(slot_dir):
    held, release, seen = threading.Barrier(5), threading.Event(), []

    def job():
        with slot() as n:
            seen.append(n)
            held.wait(10)
            release.wait(10)

    threads = [threading.Thread(target=job) for _ in range(4)]
    for t in threads:
        t.start()
    held.wait(10)
    assert sorted(seen) == [0, 1, 2, 3]
    release.set()
    for t in threads:
        t.join(10)


def test_a_slot_another_process_holds_is_skipped_until_that_process_ends(slot_dir):
    slot_dir.mkdir()
    holder = subprocess.Popen(
        [sys.executable, "-c", "import fcntl, sys, time\n"
                               f"f = open({str(slot_dir / 'slot-0')!r}, 'a')\n"
                               "fcntl.flock(f, fcntl.LOCK_EX)\n"
                               "print('held', flush=True)\n"
                               "time.sleep(60)\n"],
        stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        with slot() as n:
            assert n == 1
    finally:
        holder.kill()
        holder.wait(10)
    with slot() as n:  # the lock went with the process
        assert n == 0


def test_all_slots_taken(slot_dir, monkeypatch):
    monkeypatch.setattr(grade_job, "SLOTS", 2)
    with slot(), slot():
        with pytest.raises(RuntimeError, match="all 2 sandbox slots"):
            with slot():
                pass


def test_a_slot_file_is_locked_while_held(slot_dir):
    with slot() as n:
        with open(slot_dir / f"slot-{n}", "a") as f:
            with pytest.raises(OSError):
                fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
    with open(slot_dir / f"slot-{n}", "a") as f:
        fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
        fcntl.flock(f, fcntl.LOCK_UN)


# ----------------------------------------------------------------------------- _grouped

def test_identical_problems_are_grouped_in_order():
    events = ["knn_two_loops: your code ran out of memory",
              "notebooks: stopped after 900 s (wall-time limit)",
              "knn_one_loop: your code ran out of memory",
              "svm_train: the process running your code was killed by signal SIGSEGV",
              "knn_no_loops: your code ran out of memory"]
    assert _grouped(events) == [
        "knn_two_loops, knn_one_loop, knn_no_loops: your code ran out of memory",
        "notebooks: stopped after 900 s (wall-time limit)",
        "svm_train: the process running your code was killed by signal SIGSEGV"]


def test_events_without_a_simple_name_are_kept_whole():
    events = ["after knn_two_loops: the process stopped answering",
              "after svm_train: the process stopped answering",
              "no prefix at all",
              "no prefix at all",
              "knn.ipynb: 2 output(s) showing hidden-test inputs were removed"]
    assert _grouped(events) == ["after knn_two_loops: the process stopped answering",
                                "after svm_train: the process stopped answering",
                                "no prefix at all",
                                "knn.ipynb: 2 output(s) showing hidden-test inputs were removed"]


def test_nothing_to_group():
    assert _grouped([]) == []


NAMES = st.sampled_from(["knn_a", "knn_b", "svm", "after svm", "notebooks"])
PROBLEMS = st.sampled_from(["ran out of memory", "exited with code 3", "timed out: 10 s"])
UNNAMED = st.sampled_from(["the grader's test server stopped", "no result"])  # (real events all have a name)
EVENTS = st.lists(st.one_of(st.builds(lambda w, p: f"{w}: {p}", NAMES, PROBLEMS), UNNAMED), max_size=12)


@settings(max_examples=200, deadline=None)
@given(EVENTS)
def test_grouping_keeps_every_problem_once_and_every_name(events):
    out = _grouped(events)
    assert len(out) == len(set(out)) <= len(events)
    for event in events:
        who, _, what = event.partition(": ")
        if " " in who or not _:
            assert event in out
        else:
            lines = [line for line in out if line.endswith(": " + what) and " " not in line.split(": ")[0]
                     .replace(", ", ",")]
            assert len(lines) == 1 and who in lines[0].split(": ")[0].split(", ")


def test_the_same_event_twice_is_shown_once():
    assert _grouped(["knn_a: ran out of memory", "knn_a: ran out of memory"]) == ["knn_a: ran out of memory"]


# ----------------------------------------------------------------------------- inside

@pytest.fixture
def work(tmp_path):
    folder = tmp_path / "work"
    (folder / "sub").mkdir(parents=True)
    (folder / "result.json").write_text("{}")
    (folder / "sub" / "x.ipynb").write_text("{}")
    (tmp_path / "secret.txt").write_text("instructor only")
    return folder


def test_inside_gives_a_regular_file_of_the_folder(work):
    assert inside(work, Path("result.json")) == work.resolve() / "result.json"
    assert inside(work, Path("sub/x.ipynb")) == work.resolve() / "sub" / "x.ipynb"


def test_inside_refuses_what_is_missing_or_not_a_file(work):
    assert inside(work, Path("missing.json")) is None
    assert inside(work, Path("sub")) is None


def test_inside_refuses_a_symlink_pointing_outside(work, tmp_path):
    (work / "result.json").unlink()
    os.symlink(tmp_path / "secret.txt", work / "result.json")
    assert inside(work, Path("result.json")) is None
    os.symlink("/etc/passwd", work / "passwd.json")
    assert inside(work, Path("passwd.json")) is None


def test_inside_refuses_a_symlinked_folder_on_the_way(work, tmp_path):
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "x.ipynb").write_text("{}")
    shutil.rmtree(work / "sub")
    os.symlink(tmp_path / "elsewhere", work / "sub")
    assert inside(work, Path("sub/x.ipynb")) is None


def test_inside_refuses_a_link_to_another_file_of_the_folder_and_dot_dot(work, tmp_path):
    os.symlink(work / "result.json", work / "alias.json")
    assert inside(work, Path("alias.json")) is None
    assert inside(work, Path("../secret.txt")) is None
    assert inside(work, Path("sub/../result.json")) is None


def test_inside_accepts_a_folder_reached_through_a_link(work, tmp_path):
    os.symlink(work, tmp_path / "work-link")
    assert inside(tmp_path / "work-link", Path("result.json")) == work.resolve() / "result.json"
