"""grading/__main__.py: argument errors come back as one clear line, exit code 2."""

from __future__ import annotations

from grading.__main__ import main


def test_missing_submissions_folder(tmp_path, capsys):
    code = main(["autograde", "assignment1", str(tmp_path / "nope"), "--course-dir", str(tmp_path / "c")])
    assert code == 2 and "submissions folder" in capsys.readouterr().err


def test_bad_jobs_and_timeout(tmp_path, capsys):
    assert main(["autograde", "assignment1", str(tmp_path), "--jobs", "0", "--course-dir", str(tmp_path / "c")]) == 2
    assert "--jobs must be at least 1" in capsys.readouterr().err
    assert main(["feedback", "assignment1", "--timeout", "0", "--course-dir", str(tmp_path / "c")]) == 2
    assert "timeout must be a positive" in capsys.readouterr().err


def test_unknown_assignment_and_nothing_to_feed_back(tmp_path, capsys):
    assert main(["release", "nope", "--course-dir", str(tmp_path / "c"), "--release-dir", str(tmp_path / "r")]) == 2
    assert "no assignment 'nope'" in capsys.readouterr().err
    assert main(["feedback", "assignment1", "--course-dir", str(tmp_path / "c")]) == 2
    assert "nothing autograded" in capsys.readouterr().err


def test_demo_refuses_a_non_empty_course_dir(tmp_path, capsys):
    (tmp_path / "c").mkdir()
    (tmp_path / "c" / "gradebook.db").write_text("")
    assert main(["demo", "--course-dir", str(tmp_path / "c")]) == 2
    assert "not empty" in capsys.readouterr().err
