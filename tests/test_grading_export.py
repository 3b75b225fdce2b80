"""grading/tool/export.py: the grade table keeps auto-graded points apart from points graded by hand.

The gradebook is built with nbgrader's API (no autograding): one notebook with
a 2-point test and a 3-point written answer, three students.
"""

from __future__ import annotations

import re

from nbgrader.api import Gradebook

from grading.tool import course, export
from grading.tool.course import COURSE_ID, db_url


def _course(root):
    course.load_config(root)  # puts .venv/bin (nbgrader's `alembic`) on PATH
    root.mkdir()
    with Gradebook(db_url(root), COURSE_ID) as gb:
        gb.add_assignment("a1")
        gb.add_notebook("nb", "a1")
        gb.add_grade_cell("t", "nb", "a1", max_score=2, cell_type="code")
        gb.add_source_cell("t", "nb", "a1", cell_type="code", source="assert f()", locked=True)
        gb.add_grade_cell("why", "nb", "a1", max_score=3, cell_type="markdown")
        gb.add_solution_cell("why", "nb", "a1")
        gb.add_source_cell("why", "nb", "a1", cell_type="markdown", source="YOUR ANSWER HERE")
        for student, auto, manual in [("done", 2, None), ("nothing", 0, None), ("marked", 2, 1.5)]:
            gb.add_student(student)
            gb.add_submission("a1", student)
            test = gb.find_grade("t", "nb", "a1", student)
            test.auto_score, test.needs_manual_grade = auto, False
            answer = gb.find_grade("why", "nb", "a1", student)
            answer.auto_score, answer.needs_manual_grade = None, manual is None
            answer.manual_score = manual
        gb.db.commit()
    return root


def _rows(table):
    return {line.split()[0]: line for line in table.splitlines()[2:]}


def test_grade_table_separates_auto_points_from_points_to_grade_by_hand(tmp_path):
    table = export.grade_table(_course(tmp_path / "c"), "a1")
    header = table.splitlines()[0]
    assert re.search(r"nb \(/5\)\s+auto \(/2\)\s+by hand \(/3\)\s+total\s+message", header)
    rows = _rows(table)
    assert re.search(r"^done\s+2\s+2\s+3 to grade\s+2/5\s+ok$", rows["done"])
    assert re.search(r"^marked\s+3.5\s+2\s+1.5\s+3.5/5\s+ok$", rows["marked"])


def test_nothing_passed_is_not_ok(tmp_path):
    row = _rows(export.grade_table(_course(tmp_path / "c"), "a1"))["nothing"]
    assert "no auto-graded test passed (nothing implemented?)" in row and not row.endswith(" ok")
