"""A tiny fixture assignment for the grading-tool tests (not collected: no ``test_`` prefix).

``fixture1/squares.ipynb``: a solution cell, a test cell with visible and
hidden tests (the hidden test goes through ``grading.hidden.run_hidden``), a
second solution/test pair, an environment test, and a manually graded
markdown answer.  Points: square 2, cube 1, env 1 (auto, 4) + answer 3 (manual).
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import nbformat

ASSIGNMENT = "fixture1"
NOTEBOOK = "squares"
SECRET = "SECRET_HIDDEN_INPUT_4242"  # appears only inside the hidden region
ORACLE_MARK = "ORACLE_CODE_MARK"  # likewise


def _meta(grade_id, *, grade, solution, locked, points=None):
    meta = {"grade": grade, "grade_id": grade_id, "locked": locked, "schema_version": 3, "solution": solution, "task": False}
    if points is not None:
        meta["points"] = points
    return {"nbgrader": meta}


def _code(source, **meta):
    cell = nbformat.v4.new_code_cell(source)
    if meta:
        cell.metadata.update(_meta(**meta))
    return cell


def _markdown(source, **meta):
    cell = nbformat.v4.new_markdown_cell(source)
    if meta:
        cell.metadata.update(_meta(**meta))
    return cell


#: The fixture defines its hidden test inside the hidden region and calls it by its bare grade_id:
#: fixture1 has no package of hidden tests (grading/hidden/fixture1), so the release's points check
#: (grading/tool/points.py) leaves the cell's own points (2) alone.
HIDDEN_SQUARE = f"""### BEGIN HIDDEN TESTS
from grading.hidden.core import hidden_test, run_hidden
def _check(f):  # {ORACLE_MARK}
    from cs231n_lib.checks import check_close
    x = {1234}  # {SECRET}
    check_close("square of the hidden input", f(x), x ** 2)
hidden_test("fixture1", "fixture_square_hidden", 1)(_check)
run_hidden("fixture_square_hidden", square)
### END HIDDEN TESTS"""


def solution_notebook() -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"display_name": "Python 3", "language": "python", "name": "python3"}
    nb.metadata["language_info"] = {"name": "python"}
    nb.cells = [
        _markdown("# Squares\nImplement `square` and `cube`."),
        _code("import os\nimport numpy as np"),
        _code(
            "def square(x):\n    ### BEGIN SOLUTION\n    return x * x\n    ### END SOLUTION",
            grade_id="square_impl", grade=False, solution=True, locked=False,
        ),
        _code(
            "assert square(3) == 9, 'square(3) should be 9'\nprint('visible check passed')\n" + HIDDEN_SQUARE,
            grade_id="square_test", grade=True, solution=False, locked=True, points=2,
        ),
        _code(
            "def cube(x):\n    ### BEGIN SOLUTION\n    return x ** 3\n    ### END SOLUTION",
            grade_id="cube_impl", grade=False, solution=True, locked=False,
        ),
        _code(
            "assert cube(2) == 8\n### BEGIN HIDDEN TESTS\nassert cube(-3) == -27\n### END HIDDEN TESTS",
            grade_id="cube_test", grade=True, solution=False, locked=True, points=1,
        ),
        _code(
            "from cs231n_lib.config import fast_mode\n"
            "assert os.environ.get('NBGRADER_EXECUTION') == 'autograde', 'nbgrader sets NBGRADER_EXECUTION'\n"
            "assert fast_mode()",
            grade_id="env_test", grade=True, solution=False, locked=True, points=1,
        ),
        _markdown(
            "Why is squaring cheap?\n\n### BEGIN SOLUTION\nOne multiplication.\n### END SOLUTION",
            grade_id="why_answer", grade=True, solution=True, locked=False, points=3,
        ),
    ]
    return nb


def extra_notebook() -> nbformat.NotebookNode:
    """A second notebook (1 point) so that per-notebook isolation can be checked."""
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"display_name": "Python 3", "language": "python", "name": "python3"}
    nb.cells = [
        _code("def double(x):\n    ### BEGIN SOLUTION\n    return 2 * x\n    ### END SOLUTION",
              grade_id="double_impl", grade=False, solution=True, locked=False),
        _code("assert double(4) == 8", grade_id="double_test", grade=True, solution=False, locked=True, points=1),
    ]
    return nb


def write_fixture_source(root: Path) -> Path:
    """Write ``<root>/fixture1/{squares,extra}.ipynb``; returns ``root`` (a source directory)."""
    folder = Path(root) / ASSIGNMENT
    folder.mkdir(parents=True, exist_ok=True)
    for index, nb in enumerate([solution_notebook(), extra_notebook()]):
        for i, cell in enumerate(nb.cells):  # fixed ids: the fixture's release is byte-stable
            cell.id = f"c{index}-{i}"
        nbformat.write(nb, folder / ("squares.ipynb" if index == 0 else "extra.ipynb"))
    return Path(root)


#: Sample students of the fixture, in the YAML format of grading/samples/.
SAMPLE_SPEC = r"""
assignment: fixture1
students:
  - id: perfect
    base: solution
    expect: {}
  - id: untouched
    base: release
    layout: flat
    expect: {zero: ["*"], points: {"squares:env_test": 1}}
  - id: wrong_hidden
    about: passes the visible check, fails the hidden one
    base: solution
    edits:
      - {notebook: squares, cell: square_impl, old: "return x * x", new: "return x * x if x < 100 else 0"}
    expect: {zero: ["squares:square_test"]}
  - id: syntax
    base: solution
    layout: flat
    edits:
      - {notebook: squares, cell: cube_impl, old: "return x ** 3", new: "return x ** (3"}
    expect: {zero: ["squares:cube_test"], messages: ["SyntaxError in cube_impl"]}
  - id: loop
    base: solution
    edits:
      - {notebook: squares, cell: square_impl, old: "return x * x", new: "while True:\n        pass"}
    expect: {zero: ["squares:square_test"], messages: ["square_test ran longer than"]}
  - id: deleted
    base: solution
    edits:
      - {notebook: squares, delete_cell: cube_test}
    expect: {zero: ["squares:cube_test"], messages: ["cube_test deleted"]}
  - id: edited
    about: wrong cube, and its test replaced by `assert True`
    base: solution
    edits:
      - {notebook: squares, cell: cube_impl, old: "return x ** 3", new: "return x ** 2"}
      - {notebook: squares, cell: cube_test, set_source: "assert True"}
    expect: {zero: ["squares:cube_test"], messages: ["cube_test were edited; the original tests were restored"]}
  - id: corrupt
    base: solution
    edits:
      - {notebook: squares, corrupt: true}
    expect: {zero: ["squares:*"], messages: ["squares.ipynb is not valid notebook JSON"]}
  - id: missing
    base: solution
    layout: flat
    edits:
      - {notebook: extra, rename: "extra (1).ipynb"}
    expect: {zero: ["extra:*"], messages: ["extra.ipynb is missing (found instead: extra (1).ipynb"]}
  - id: killer
    about: a solution cell kills the kernel when it runs; it is skipped, the rest is graded
    base: solution
    edits:
      - {notebook: squares, cell: cube_impl, old: "def cube(x):", new: "import os\nos._exit(1)\ndef cube(x):"}
    expect: {zero: ["squares:cube_test"], messages: ["cube_impl stopped the kernel"]}
  - id: killer_in_test
    about: the student's function kills the kernel when a test calls it; that test scores 0, the rest is graded
    base: solution
    edits:
      - {notebook: squares, cell: square_impl, old: "return x * x", new: "import os\n    os._exit(1)"}
      - {notebook: extra, append_cell: "print('still graded')"}
    expect: {zero: ["squares:square_test"], messages: ["square_test stopped the kernel"]}
"""


def html_text(page: str) -> str:
    """The visible text of an HTML feedback page (no tags, styles or scripts)."""
    body = page[page.find("<body"):]
    body = re.sub(r"<(style|script).*?</\1>", "", body, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", "", body))
