"""grading/tool/points.py: a hidden-test cell's points come from the @hidden_test definitions, and a cell
that disagrees with them fails the generation (our release and plain nbgrader alike)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

import grading_helpers as fx
from grading.hidden import core
from grading.tool import course, release
from grading.tool.gradebook import assignment_cells
from grading.tool.points import HiddenTestPoints, HiddenTestPointsError

REPO = course.REPO
CONFIG = REPO / "grading" / "nbgrader_config.py"


def _cell(grade_id, hidden, *, grade=True, points=99):
    cell = nbformat.v4.new_code_cell(f"check()\n### BEGIN HIDDEN TESTS\n{hidden}\n### END HIDDEN TESTS")
    meta = {"grade": grade, "grade_id": grade_id, "locked": True, "schema_version": 3, "solution": False,
            "task": False}
    if grade:
        meta["points"] = points
    cell.metadata["nbgrader"] = meta
    return cell


def _preprocess(*cells):
    nb = nbformat.v4.new_notebook(cells=list(cells))
    out, _ = HiddenTestPoints().preprocess(nb, {"nbgrader": {"assignment": "fixture9", "notebook": "squares"}})
    return [c.metadata["nbgrader"].get("points") for c in out.cells]


@pytest.fixture
def registry(monkeypatch):
    """Hidden tests of a made-up assignment ``fixture9`` (which counts as having a hidden-test package)
    and one of ``fixture8``."""
    def define(assignment, grade_id, points):
        test = core.HiddenTest(assignment, grade_id, points, lambda: None)
        monkeypatch.setitem(core.REGISTRY, (assignment, grade_id), test)

    define("fixture9", "sq_one", 2)
    define("fixture9", "sq_two", 3)
    define("fixture9", "sq_extra", 0.5)
    define("fixture8", "sq_other", 1)
    monkeypatch.setattr(core, "assignments", lambda: ["fixture8", "fixture9"])


def test_generation_runs_hidden_test_points_first_then_nbgraders_defaults():
    from nbgrader.converters import GenerateAssignment

    configured = course.load_config().GenerateAssignment.preprocessors
    defaults = [f"nbgrader.preprocessors.{p.__name__}" for p in GenerateAssignment().preprocessors]
    assert configured == ["grading.tool.points.HiddenTestPoints", *defaults]


def test_points_follow_the_definitions_not_the_source_metadata(registry):
    points = _preprocess(
        _cell("sq_one", 'run_hidden("fixture9/sq_one")', points=99),
        _cell("sq_two", "run_hidden('fixture9/sq_two')\nrun_hidden('fixture9/sq_extra')", points=3),
        _cell("plain", "assert 1 + 1 == 2", points=4),  # hidden asserts, no hidden-test definition
    )
    assert points == [2, 3.5, 4]
    assert isinstance(points[0], int)  # 2 stays 2 in the release, not 2.0


@pytest.mark.parametrize("cell, message", [
    (_cell("sq_nope", 'run_hidden("fixture9/sq_nope")'),
     """squares.ipynb, cell sq_nope: run_hidden("fixture9/sq_nope"): no hidden test 'sq_nope' in fixture9"""),
    (_cell("sq_other", 'run_hidden("fixture8/sq_other")'),
     """squares.ipynb, cell sq_other: run_hidden("fixture8/sq_other") names a test of fixture8, """
     "but this notebook belongs to fixture9"),
    (_cell("sq_first", 'run_hidden("fixture9/sq_one")'),
     "squares.ipynb, cell sq_first: its grade_id 'sq_first' is not the grade_id of the test it runs ('sq_one')"),
    (_cell("sq_one", 'run_hidden("sq_one")'),
     """squares.ipynb, cell sq_one: run_hidden("sq_one") must name the assignment too"""),
    (_cell("sq_one", "run_hidden(NAME)"),
     'squares.ipynb, cell sq_one: a run_hidden call does not name its test as a literal "assignment/grade_id"'),
    (_cell("sq_one", 'run_hidden("fixture9/sq_one")', grade=False),
     "squares.ipynb, cell sq_one: calls run_hidden but is not a grade cell"),
])
def test_a_cell_that_disagrees_with_the_definitions_fails_with_a_readable_message(registry, cell, message):
    with pytest.raises(HiddenTestPointsError) as caught:
        _preprocess(_cell("sq_two", 'run_hidden("fixture9/sq_two")'), cell)
    assert message in str(caught.value)
    assert "sq_two" not in str(caught.value)  # only the bad cell is named


def test_a_test_counts_in_one_cell_only(registry):
    with pytest.raises(HiddenTestPointsError, match="cell sq_two: .*also called in cell sq_one"):
        _preprocess(_cell("sq_one", 'run_hidden("fixture9/sq_one")'),
                    _cell("sq_two", 'run_hidden("fixture9/sq_two")\nrun_hidden("fixture9/sq_one")'))


def test_every_problem_of_a_notebook_is_listed_at_once(registry):
    with pytest.raises(HiddenTestPointsError) as caught:
        _preprocess(_cell("sq_a", 'run_hidden("fixture9/sq_a")'), _cell("sq_b", 'run_hidden("fixture9/sq_b")'))
    assert "cell sq_a:" in str(caught.value) and "cell sq_b:" in str(caught.value)


def test_a_bare_name_is_left_alone_where_the_assignment_has_no_hidden_test_package():
    nb = fx.solution_notebook()  # fixture1 defines its hidden test inside the notebook
    before = [c.metadata.get("nbgrader", {}).get("points") for c in nb.cells]
    out, _ = HiddenTestPoints().preprocess(nb, {"nbgrader": {"assignment": fx.ASSIGNMENT, "notebook": "squares"}})
    assert [c.metadata.get("nbgrader", {}).get("points") for c in out.cells] == before


def test_our_release_fails_on_an_unknown_test_and_names_notebook_and_cell(tmp_path):
    source = fx.write_fixture_source(tmp_path / "source")
    path = source / fx.ASSIGNMENT / "squares.ipynb"
    path.write_text(path.read_text().replace('run_hidden(\\"fixture_square_hidden\\"',
                                             'run_hidden(\\"fixture1/no_such_test\\"'))
    cfg = course.load_config(tmp_path / "course", None, source, tmp_path / "release")
    with pytest.raises(course.ToolError) as caught:
        release.release(cfg, fx.ASSIGNMENT)
    assert ("squares.ipynb, cell square_test: run_hidden(\"fixture1/no_such_test\"): "
            "no hidden test 'no_such_test' in fixture1") in str(caught.value)
    assert not (tmp_path / "release" / fx.ASSIGNMENT / "squares.ipynb").exists()


def _plain_generate(tmp_path: Path, source: Path, assignment: str) -> subprocess.CompletedProcess:
    """Plain ``nbgrader generate_assignment`` with the course config, as in tests/test_release.py."""
    cmd = [
        str(Path(sys.executable).parent / "nbgrader"), "generate_assignment", assignment, "--force",
        f"--JupyterApp.config_file={CONFIG}",
        f"--CourseDirectory.source_directory={source}",
        f"--CourseDirectory.release_directory={tmp_path / 'release'}",
        f"--CourseDirectory.root={tmp_path / 'course'}",
    ]
    (tmp_path / "elsewhere").mkdir(exist_ok=True)
    (tmp_path / "course").mkdir(exist_ok=True)
    return subprocess.run(cmd, cwd=tmp_path / "elsewhere", capture_output=True, text=True, timeout=300,
                          env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)})


def _source_with_wrong_points(tmp_path: Path) -> Path:
    """A copy of ``solutions/assignment1`` whose every hidden-test cell claims 99 points."""
    source = tmp_path / "source"
    shutil.copytree(REPO / "solutions" / "assignment1", source / "assignment1",
                    ignore=shutil.ignore_patterns("__pycache__", ".ipynb_checkpoints"))
    for path in (source / "assignment1").glob("*.ipynb"):
        nb = json.loads(path.read_text())
        for cell in nb["cells"]:
            meta = cell.get("metadata", {}).get("nbgrader", {})
            if meta.get("grade") and "run_hidden(" in "".join(cell["source"]):
                meta["points"] = 99
        path.write_text(json.dumps(nb, indent=1))
    return source


@pytest.mark.slow
def test_plain_nbgrader_generate_assignment_takes_the_points_of_the_definitions(tmp_path):
    tests = core.load_assignment("assignment1")
    proc = _plain_generate(tmp_path, _source_with_wrong_points(tmp_path), "assignment1")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    released = {}
    for path in sorted((tmp_path / "release" / "assignment1").glob("*.ipynb")):
        for cell in nbformat.read(path, as_version=4).cells:
            if "run_hidden(" in cell.source:
                pytest.fail(f"{path.name} ships a run_hidden call")
            meta = cell.metadata.get("nbgrader", {})
            if meta.get("grade") and meta["grade_id"] in tests:
                released[meta["grade_id"]] = meta["points"]
    expected = {gid: test.points for gid, test in tests.items()}
    assert released == expected
    recorded = {gid: cell.max_score for cells in assignment_cells(tmp_path / "course", "assignment1").values()
                for gid, cell in cells.items() if gid in tests}
    assert recorded == expected  # the gradebook, which autograding scores against


@pytest.mark.slow
def test_plain_nbgrader_generate_assignment_fails_loudly_on_an_unknown_test(tmp_path):
    source = _source_with_wrong_points(tmp_path)
    path = source / "assignment1" / "knn.ipynb"
    path.write_text(path.read_text().replace('run_hidden(\\"assignment1/knn_two_loops\\")',
                                             'run_hidden(\\"assignment1/knn_two_loop\\")'))
    proc = _plain_generate(tmp_path, source, "assignment1")
    assert proc.returncode != 0
    assert ("knn.ipynb, cell knn_two_loops: run_hidden(\"assignment1/knn_two_loop\"): "
            "no hidden test 'knn_two_loop' in assignment1") in proc.stdout + proc.stderr
    assert not list((tmp_path / "release").rglob("*.ipynb")), "a release was left behind"
