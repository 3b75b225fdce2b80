"""grading/tool/collect.py: both submission layouts, clear errors, originals untouched."""

from __future__ import annotations

import os

import pytest

from grading.tool.collect import copy_submission, find_submissions
from grading.tool.course import ToolError


def _touch(path, text="{}"):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_course_and_flat_layouts_mix(tmp_path):
    _touch(tmp_path / "bob" / "a1" / "knn.ipynb")
    _touch(tmp_path / "amy" / "knn.ipynb")
    _touch(tmp_path / ".hidden" / "knn.ipynb")
    _touch(tmp_path / "notes.txt")
    subs = find_submissions(tmp_path, "a1")
    assert [(s.student, s.folder) for s in subs] == [("amy", tmp_path / "amy"), ("bob", tmp_path / "bob" / "a1")]
    assert subs[1].notebook("knn").exists()


def test_a_course_directory_with_submitted_is_accepted(tmp_path):
    _touch(tmp_path / "submitted" / "carl" / "a1" / "svm.ipynb")
    assert [s.student for s in find_submissions(tmp_path, "a1")] == ["carl"]


def test_clear_errors(tmp_path):
    with pytest.raises(ToolError, match="does not exist"):
        find_submissions(tmp_path / "nope", "a1")
    with pytest.raises(ToolError, match="no student folders"):
        find_submissions(tmp_path, "a1")
    _touch(tmp_path / "bad name" / "knn.ipynb")
    with pytest.raises(ToolError, match="not a usable student id"):
        find_submissions(tmp_path, "a1")


def test_copy_leaves_the_original_alone(tmp_path):
    original = _touch(tmp_path / "in" / "dan" / "knn.ipynb", '{"x": 1}')
    os.chmod(original, 0o444)
    stat = original.stat()
    sub = find_submissions(tmp_path / "in", "a1")[0]
    copied = copy_submission(sub, tmp_path / "course" / "submitted" / "dan" / "a1")
    assert copied.notebook("knn").read_text() == '{"x": 1}'
    assert original.stat().st_mtime_ns == stat.st_mtime_ns and original.stat().st_mode == stat.st_mode
    # copying again replaces the copy; copying onto itself is a no-op
    copy_submission(sub, copied.folder)
    assert copy_submission(copied, copied.folder) == copied


def test_found_instead_names_misnamed_notebooks_and_a_misnamed_folder(tmp_path):
    from grading.tool.collect import found_instead

    flat = tmp_path / "amy"
    _touch(flat / "knn (1).ipynb")
    _touch(flat / "Softmax.ipynb")
    _touch(flat / "svm.ipynb")
    hint = found_instead(flat, "knn", ["knn", "svm", "softmax"], "assignment1")
    assert hint == " (found instead: Softmax.ipynb, knn (1).ipynb; name it knn.ipynb)"

    nested = tmp_path / "carol"
    _touch(nested / "assignment_1" / "knn.ipynb")
    _touch(nested / ".ipynb_checkpoints" / "knn-checkpoint.ipynb")
    sub = {s.student: s for s in find_submissions(tmp_path, "assignment1")}["carol"]
    assert sub.folder == nested  # no assignment1/ folder: read as a flat folder, where knn.ipynb is missing
    assert found_instead(sub.folder, "knn", ["knn"], "assignment1") == (
        " (found instead: assignment_1/knn.ipynb; the notebooks go in a folder named assignment1, not assignment_1)")
    assert found_instead(tmp_path / "empty", "knn", ["knn"], "assignment1") == ""
