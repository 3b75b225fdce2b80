"""nbgrader's Execute, remembering which cell is running (for the grading worker).

When a cell kills the kernel (``os._exit``, a segfault, out of memory) or cannot
be interrupted, nbgrader abandons the whole notebook.  The worker then reads
the index of the cell that was running from ``$CS231N_RUNNING_CELL_FILE``,
replaces that (student-written, never a test) cell with one that raises, and
grades the notebook again, so only what depends on that cell is lost.
"""

from __future__ import annotations

import os

from nbgrader.preprocessors import Execute

RUNNING_CELL_ENV = "CS231N_RUNNING_CELL_FILE"


class TrackingExecute(Execute):
    """``Execute`` that writes the index of each cell to a file before running it."""

    def preprocess_cell(self, cell, resources, index):
        path = os.environ.get(RUNNING_CELL_ENV)
        if path:
            with open(path, "w") as f:
                f.write(str(index))
        return super().preprocess_cell(cell, resources, index)


def skipped_cell_source(why: str) -> str:
    """Source that replaces a cell that stopped the kernel while grading."""
    return (
        f"# The autograder skipped this cell: it {why}.\n"
        f"raise RuntimeError('this cell was skipped by the autograder: it {why}')\n"
    )
