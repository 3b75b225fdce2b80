"""Grades out of the gradebook: ``python -m grading export ASSIGNMENT --csv PATH``.

One row per student: total, max, per-notebook points, per-graded-cell points,
how many cells still need a manual grade, and the autograder's message.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

from nbgrader.api import Gradebook

from .autograde import load_messages
from .course import COURSE_ID, db_url
from .gradebook import assignment_cells


@dataclass
class Row:
    student: str
    total: float
    max_score: float
    notebooks: dict[str, float] = field(default_factory=dict)
    cells: dict[str, float] = field(default_factory=dict)  # "<notebook>:<grade_id>" -> points
    needs_manual: int = 0
    message: str = ""


def grade_rows(root: Path, assignment: str) -> tuple[list[str], list[Row]]:
    """``(cell column names, rows sorted by student)`` for every student with a submission."""
    layout = assignment_cells(root, assignment)
    cell_columns = [f"{nb}:{gid}" for nb, cells in layout.items() for gid in cells]
    messages = load_messages(root, assignment)
    rows = []
    with Gradebook(db_url(root), COURSE_ID) as gb:
        for submission in sorted(gb.find_assignment(assignment).submissions, key=lambda s: s.student.id):
            row = Row(submission.student.id, float(submission.score), float(submission.max_score))
            for nb in submission.notebooks:
                row.notebooks[nb.name] = float(nb.score)
                for grade in nb.grades:
                    row.cells[f"{nb.name}:{grade.name}"] = float(grade.score)
                    row.needs_manual += bool(grade.needs_manual_grade)
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
    """A plain-text table: student, points per notebook, total / max, message."""
    layout = assignment_cells(root, assignment)
    _, rows = grade_rows(root, assignment)
    maxima = {nb: sum(c.max_score for c in cells.values()) for nb, cells in layout.items()}
    header = ["student"] + [f"{nb} (/{fmt(m)})" for nb, m in maxima.items()] + ["total", "message"]
    body = [
        [r.student]
        + [fmt(r.notebooks.get(nb, 0.0)) for nb in layout]
        + [f"{fmt(r.total)}/{fmt(r.max_score)}", _clip(r.message, width)]
        for r in rows
    ]
    widths = [max(len(str(x)) for x in col) for col in zip(header, *body)]
    lines = ["  ".join(str(x).ljust(w) for x, w in zip(line, widths)).rstrip() for line in [header] + body]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def fmt(x: float) -> str:
    return f"{x:g}"


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 3] + "..."
