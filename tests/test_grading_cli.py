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
    assert "course directory" in capsys.readouterr().err and not (tmp_path / "c").exists()


def test_export_with_a_wrong_course_dir_says_so_in_one_line_and_creates_nothing(tmp_path, capsys):
    missing, empty = tmp_path / "missing", tmp_path / "empty"
    empty.mkdir()
    assert main(["export", "assignment1", "--course-dir", str(missing)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and f"course directory {missing} does not exist" in err and "--course-dir" in err
    assert main(["export", "assignment1", "--course-dir", str(empty)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and f"{empty} is not a course directory (it has no gradebook.db)" in err
    assert not missing.exists() and list(empty.iterdir()) == []


def test_demos_cannot_be_autograded_and_are_not_offered(tmp_path, capsys):
    subs = tmp_path / "subs" / "amy"
    subs.mkdir(parents=True)
    assert main(["autograde", "demos", str(tmp_path / "subs"), "--course-dir", str(tmp_path / "c")]) == 2
    err = capsys.readouterr().err
    assert "'demos' has no graded cells" in err and "gradable: assignment1" in err and "demos," not in err
    assert main(["autograde", "assignment9", str(tmp_path / "subs"), "--course-dir", str(tmp_path / "c")]) == 2
    err = capsys.readouterr().err
    assert "no assignment 'assignment9' to grade" in err and "gradable: assignment1" in err
    assert not (tmp_path / "c").exists()


def test_demo_refuses_a_non_empty_course_dir(tmp_path, capsys):
    (tmp_path / "c").mkdir()
    (tmp_path / "c" / "gradebook.db").write_text("")
    assert main(["demo", "--course-dir", str(tmp_path / "c")]) == 2
    assert "not empty" in capsys.readouterr().err
