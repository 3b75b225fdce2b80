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


def test_autograde_fails_closed_without_bubblewrap_and_names_the_fix(tmp_path, capsys, monkeypatch):
    from grading.sandbox import detect_layers

    monkeypatch.setenv("CS231N_SANDBOX_BWRAP", str(tmp_path / "no-bwrap"))
    detect_layers.cache_clear()
    try:
        (tmp_path / "subs" / "amy").mkdir(parents=True)
        code = main(["autograde", "assignment1", str(tmp_path / "subs"), "--course-dir", str(tmp_path / "c")])
        err = capsys.readouterr().err
    finally:
        monkeypatch.delenv("CS231N_SANDBOX_BWRAP")
        detect_layers.cache_clear()
    assert code == 2 and "bubblewrap" in err and "--insecure" in err
    assert not (tmp_path / "c" / "gradebook.db").exists()  # nothing was graded


def test_insecure_scores_only_run_says_so_loudly(tmp_path, capsys):
    """--insecure (a quick local check): the trusted scorer runs unsandboxed, and the log says so."""
    import shutil

    from grading.tool.course import REPO

    sub = tmp_path / "subs" / "amy"
    shutil.copytree(REPO / "assignments" / "assignment1", sub)
    code = main(["autograde", "assignment1", str(tmp_path / "subs"), "--course-dir", str(tmp_path / "c"),
                 "--scores-only", "--insecure"])
    out = capsys.readouterr().out
    assert code == 0
    assert "INSECURE" in out and "WARNING: --insecure" in out
    assert "amy: 0 points" in out  # the release implements nothing
