"""The student release: deterministic, free of solutions and hidden tests, equal to what is committed."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

import grading_helpers as fx
from grading import markers
from grading.tool import course, release

REPO = course.REPO
FORBIDDEN = markers.RELEASE_FORBIDDEN
GRADING_IMPORT = re.compile(r"^\s*(from|import)\s+grading\b", re.M)


def _tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _released_assignments() -> list[str]:
    cfg = course.load_config()
    return [a for a in course.default_assignments(cfg) if list((REPO / "solutions" / a).glob("*.ipynb"))]


def assert_clean_release(path: Path) -> None:
    """No solution, hidden test or grading import in a released file; notebooks without outputs;
    modules that still parse."""
    text = path.read_text()
    for marker in FORBIDDEN:
        assert marker not in text, f"{path} contains {marker!r}"
    if path.suffix == ".py":
        assert not GRADING_IMPORT.search(text), f"{path} imports grading"
        compile(text, str(path), "exec")
        return
    nb = json.loads(text)
    for index, cell in enumerate(nb["cells"]):
        source = "".join(cell["source"])
        assert not GRADING_IMPORT.search(source), f"{path} cell {index} imports grading"
        if cell["cell_type"] == "code":
            assert cell["outputs"] == [] and cell["execution_count"] is None, f"{path} cell {index} has outputs"


def _with_package(tmp_path, module_text: str) -> Path:
    """The fixture source plus a student package module ``cs231n/mod.py`` holding ``module_text``."""
    source = fx.write_fixture_source(tmp_path / "source")
    (source / fx.ASSIGNMENT / "cs231n").mkdir()
    (source / fx.ASSIGNMENT / "cs231n" / "mod.py").write_text(module_text)
    return source


MODULE = """def double(x):
    ### BEGIN SOLUTION
    return 2 * x  # SOLUTION_MARK
    ### END SOLUTION
"""


def _plain_generate(tmp_path, source) -> subprocess.CompletedProcess:
    nbgrader = Path(sys.executable).parent / "nbgrader"
    cmd = [
        str(nbgrader), "generate_assignment", fx.ASSIGNMENT, "--force",
        f"--JupyterApp.config_file={REPO / 'grading' / 'nbgrader_config.py'}",
        f"--CourseDirectory.source_directory={source}",
        f"--CourseDirectory.release_directory={tmp_path / 'release'}",
        f"--CourseDirectory.root={tmp_path / 'course'}",
    ]
    (tmp_path / "elsewhere").mkdir(exist_ok=True)
    (tmp_path / "course").mkdir(exist_ok=True)  # nbgrader changes into it; the default ~/cs231n-course is made by the config
    return subprocess.run(cmd, cwd=tmp_path / "elsewhere", capture_output=True, text=True, timeout=300,
                          env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)})


def test_the_markers_are_nbgraders_delimiters_and_stubs():
    """grading/markers.py and nbgrader strip the same regions and write the same stubs."""
    from nbgrader.preprocessors import ClearHiddenTests, ClearSolutions

    solutions, hidden = ClearSolutions(), ClearHiddenTests()
    assert (solutions.begin_solution_delimeter, solutions.end_solution_delimeter) == (
        markers.SOLUTION_BEGIN_TEXT, markers.SOLUTION_END_TEXT)
    assert (hidden.begin_test_delimeter, hidden.end_test_delimeter) == (
        markers.HIDDEN_BEGIN_TEXT, markers.HIDDEN_END_TEXT)
    assert solutions.code_stub["python"].split("\n")[0] == markers.CODE_STUB
    assert solutions.text_stub == markers.ANSWER_STUB
    for line in (markers.BEGIN_SOLUTION, markers.END_SOLUTION, markers.BEGIN_HIDDEN_TESTS, markers.END_HIDDEN_TESTS):
        assert any(text in line for text in markers.RELEASE_FORBIDDEN), line


def test_fixture_release_is_deterministic_and_clean(tmp_path):
    source = fx.write_fixture_source(tmp_path / "source")
    trees = []
    for run in ("a", "b"):
        cfg = course.load_config(tmp_path / f"course_{run}", None, source, tmp_path / f"release_{run}")
        out = release.release(cfg, fx.ASSIGNMENT)
        trees.append(_tree(out))
    assert trees[0] == trees[1] and sorted(trees[0]) == ["extra.ipynb", "squares.ipynb"]
    for name in trees[0]:
        assert_clean_release(tmp_path / "release_a" / fx.ASSIGNMENT / name)  # every file of the release
    squares = (tmp_path / "release_a" / fx.ASSIGNMENT / "squares.ipynb").read_text()
    assert fx.SECRET not in squares and "raise NotImplementedError()" in squares and markers.ANSWER_STUB in squares


def test_regenerating_into_the_same_folder_gives_identical_bytes(tmp_path):
    source = fx.write_fixture_source(tmp_path / "source")
    cfg = course.load_config(tmp_path / "course", None, source, tmp_path / "release")
    first = _tree(release.release(cfg, fx.ASSIGNMENT))
    assert _tree(release.release(cfg, fx.ASSIGNMENT)) == first


def test_unknown_assignment_is_a_clear_error(tmp_path):
    cfg = course.load_config(tmp_path / "course", None, fx.write_fixture_source(tmp_path / "s"), tmp_path / "r")
    with pytest.raises(course.ToolError, match="no assignment 'nope'.*known: fixture1"):
        release.release(cfg, "nope")


@pytest.mark.slow
@pytest.mark.parametrize("assignment", _released_assignments())
def test_committed_release_equals_a_fresh_release(assignment, tmp_path):
    cfg = course.load_config(tmp_path / "course", None, None, tmp_path / "release")
    fresh = _tree(release.release(cfg, assignment))
    committed_dir = REPO / "assignments" / assignment
    assert committed_dir.is_dir(), f"assignments/{assignment} is missing: run `python -m grading release {assignment}`"
    assert _tree(committed_dir) == fresh, f"assignments/{assignment} is stale: run `python -m grading release {assignment}`"
    for path in committed_dir.rglob("*"):
        if path.is_file():
            assert_clean_release(path)


@pytest.mark.slow
def test_plain_nbgrader_cli_works_with_the_config_from_any_directory(tmp_path):
    proc = _plain_generate(tmp_path, fx.write_fixture_source(tmp_path / "source"))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert_clean_release(tmp_path / "release" / fx.ASSIGNMENT / "squares.ipynb")
    assert (tmp_path / "course" / "gradebook.db").exists()


def test_our_release_strips_the_student_package(tmp_path):
    source = _with_package(tmp_path, MODULE)
    cfg = course.load_config(tmp_path / "course", None, source, tmp_path / "release")
    out = release.release(cfg, fx.ASSIGNMENT)
    for path in out.rglob("*"):
        if path.is_file():
            assert_clean_release(path)
    text = (out / "cs231n" / "mod.py").read_text()
    assert "SOLUTION_MARK" not in text and 'raise NotImplementedError("double is not written yet' in text


@pytest.mark.slow
def test_plain_nbgrader_generate_assignment_never_ships_a_solution(tmp_path):
    proc = _plain_generate(tmp_path, _with_package(tmp_path, MODULE))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    released = tmp_path / "release" / fx.ASSIGNMENT
    for path in released.rglob("*"):
        if path.is_file():
            assert_clean_release(path)
    assert "SOLUTION_MARK" not in (released / "cs231n" / "mod.py").read_text()


@pytest.mark.slow
def test_plain_nbgrader_fails_loudly_on_a_module_it_cannot_strip(tmp_path):
    broken = MODULE.replace("    ### END SOLUTION\n", "")
    proc = _plain_generate(tmp_path, _with_package(tmp_path, broken))
    assert proc.returncode != 0
    assert "cs231n/mod.py, line 2: ### BEGIN SOLUTION is never closed" in proc.stdout + proc.stderr
    assert not any((tmp_path / "release").rglob("mod.py")), "a release with the solution was left behind"
