"""Grades out of the gradebook: ``python -m grading export ASSIGNMENT --csv PATH``.

One row per student: total, max, per-notebook points, per-graded-cell points,
how many cells still need a manual grade, and the autograder's message.  The
table printed after autograding keeps the auto-graded points (test cells)
apart from the points that wait for a grader (written answers).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

from nbgrader.api import Gradebook

from .autograde import load_messages
from .course import COURSE_ID
from .gradebook import assignment_cells, existing_db_url


@dataclass
class Row:
    student: str
    total: float
    max_score: float
    notebooks: dict[str, float] = field(default_factory=dict)
    cells: dict[str, float] = field(default_factory=dict)  # "<notebook>:<grade_id>" -> points
    needs_manual: int = 0
    pending: set[str] = field(default_factory=set)  # "<notebook>:<grade_id>" still to be graded by hand
    message: str = ""


def grade_rows(root: Path, assignment: str) -> tuple[list[str], list[Row]]:
    """``(cell column names, rows sorted by student)`` for every student with a submission."""
    layout = assignment_cells(root, assignment)
    cell_columns = [f"{nb}:{gid}" for nb, cells in layout.items() for gid in cells]
    messages = load_messages(root, assignment)
    rows = []
    with Gradebook(existing_db_url(root), COURSE_ID) as gb:
        for submission in sorted(gb.find_assignment(assignment).submissions, key=lambda s: s.student.id):
            row = Row(submission.student.id, float(submission.score), float(submission.max_score))
            for nb in submission.notebooks:
                row.notebooks[nb.name] = float(nb.score)
                for grade in nb.grades:
                    row.cells[f"{nb.name}:{grade.name}"] = float(grade.score)
                    row.needs_manual += bool(grade.needs_manual_grade)
                    if grade.needs_manual_grade:
                        row.pending.add(f"{nb.name}:{grade.name}")
            row.message = "; ".join(messages.get(row.student, [])) or "ok"
            rows.append(row)
    return cell_columns, rows


def write_csv(root: Path, assignment: str, path: Path) -> Path:
    """Write the grades CSV to ``path``; returns it."""
    layout = assignment_cells(root, assignment)
    cell_columns, rows = grade_rows(root, assignment)
    header = ["student", "total", "max_score"] + list(layout) + cell_columns + ["needs_manual_grade", "message"]
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        for r in rows:
            writer.writerow(
                [r.student, fmt(r.total), fmt(r.max_score)]
                + [fmt(r.notebooks.get(nb, 0.0)) for nb in layout]
                + [fmt(r.cells.get(c, 0.0)) for c in cell_columns]
                + [r.needs_manual, r.message]
            )
    return path


def grade_table(root: Path, assignment: str, width: int = 60) -> str:
    """A plain-text table: student, points per notebook, auto-graded points, points by hand, total, message."""
    layout = assignment_cells(root, assignment)
    _, rows = grade_rows(root, assignment)
    maxima = {nb: sum(c.max_score for c in cells.values()) for nb, cells in layout.items()}
    points = {f"{nb}:{gid}": c for nb, cells in layout.items() for gid, c in cells.items()}
    auto = {key: c.max_score for key, c in points.items() if not c.solution}  # test cells
    manual = {key: c.max_score for key, c in points.items() if c.solution}  # answers a grader reads
    auto_max = sum(auto.values())
    header = (["student"] + [f"{nb} (/{fmt(m)})" for nb, m in maxima.items()]
              + [f"auto (/{fmt(auto_max)})", f"by hand (/{fmt(sum(manual.values()))})", "total", "message"])
    body = []
    for r in rows:
        auto_points = sum(r.cells.get(k, 0.0) for k in auto)
        body.append(
            [r.student]
            + [fmt(r.notebooks.get(nb, 0.0)) for nb in layout]
            + [fmt(auto_points), _by_hand(r, manual), f"{fmt(r.total)}/{fmt(r.max_score)}",
               _clip(_status(r, auto_points, auto_max), width)]
        )
    widths = [max(len(str(x)) for x in col) for col in zip(header, *body)]
    lines = ["  ".join(str(x).ljust(w) for x, w in zip(line, widths)).rstrip() for line in [header] + body]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def _by_hand(row: Row, manual: dict[str, float]) -> str:
    """Points given by a grader so far, and how many still wait for one: ``"2 + 3 to grade"``."""
    pending = sum(points for key, points in manual.items() if key in row.pending)
    graded = sum(row.cells.get(key, 0.0) for key in manual if key not in row.pending)
    if not pending:
        return fmt(graded)
    return f"{fmt(pending)} to grade" if not graded else f"{fmt(graded)} + {fmt(pending)} to grade"


def _status(row: Row, auto_points: float, auto_max: float) -> str:
    """The autograder's message, or "ok"; never "ok" when no auto test passed."""
    if row.message != "ok" or auto_max == 0 or auto_points > 0:
        return row.message
    return "no auto-graded test passed (nothing implemented?)"


def fmt(x: float) -> str:
    return f"{x:g}"


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 3] + "..."
