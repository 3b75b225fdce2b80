"""Feedback must never reveal hidden tests: an nbconvert preprocessor that removes them.

nbgrader 0.9.6's ``generate_feedback`` renders the autograded notebook as it
ran, i.e. test cells *with* their hidden region (restored from the gradebook)
and with full tracebacks, whose frames quote the hidden lines and
``grading/hidden/core.py``.  For every cell that held hidden tests this
preprocessor

- drops the hidden region from the source (a comment says that hidden tests ran),
- keeps what the visible checks printed, up to the line ``run_hidden`` prints
  before a hidden test starts, and drops everything after it (the student's own
  prints during a hidden test could show hidden inputs); of an error it keeps
  only ``Name: message``: the hidden-test protocol writes those messages to say
  what differs without the inputs;

and in any other cell it shortens tracebacks that pass through the
instructor-side packages to their last line.
"""

from __future__ import annotations

from nbformat.notebooknode import NotebookNode
from nbconvert.preprocessors import Preprocessor
from traitlets import Bool

from grading.hidden.core import START_MARKER
from grading.markers import HIDDEN_BEGIN_TEXT, INSTRUCTOR_CODE

from .inspect_nb import strip_hidden

HIDDEN_NOTE = "# (hidden tests ran here; they are not shown)"


class ScrubHidden(Preprocessor):
    """Remove hidden-test code, their outputs and instructor-side traceback frames."""

    enabled = Bool(True, help="always on: feedback must never show hidden tests").tag(config=True)

    def preprocess_cell(self, cell: NotebookNode, resources, index):
        if cell.cell_type != "code":
            return cell, resources
        if HIDDEN_BEGIN_TEXT in cell.source:
            cell.source = strip_hidden(cell.source).rstrip() + "\n" + HIDDEN_NOTE
            errors = [o for o in cell.get("outputs", []) if o.get("output_type") == "error"]
            cell.outputs = _visible_part(cell.get("outputs", [])) + ([_short_error(errors[-1])] if errors else [])
            return cell, resources
        cell.outputs = [
            _short_error(o) if o.get("output_type") == "error" and _mentions_instructor_code(o) else o
            for o in cell.get("outputs", [])
        ]
        return cell, resources


def _visible_part(outputs) -> list:
    """The stream outputs printed before the first hidden test started.

    Without the start line nothing is kept: what printed what cannot be told apart.
    """
    kept = []
    for output in outputs:
        if output.get("output_type") != "stream":
            continue  # rich outputs are dropped; the error is added back by the caller
        text = output.get("text", "")
        if START_MARKER in text:
            before = text.split(START_MARKER, 1)[0]
            if before:
                kept.append(NotebookNode(output_type="stream", name=output.get("name", "stdout"), text=before))
            return kept
        kept.append(output)
    return []


def _mentions_instructor_code(output: NotebookNode) -> bool:
    text = "\n".join(output.get("traceback", []))
    return any(marker in text for marker in INSTRUCTOR_CODE)


def _short_error(output: NotebookNode) -> NotebookNode:
    line = f"{output.get('ename', 'Error')}: {output.get('evalue', '')}".rstrip(": ")
    return NotebookNode(output_type="error", ename=output.get("ename", "Error"), evalue=output.get("evalue", ""), traceback=[line])
