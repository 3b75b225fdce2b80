"""nbgrader's Execute, surviving a cell that kills the kernel.

When a cell kills the kernel (``os._exit``, a segfault, running out of memory),
nbgrader's own Execute abandons the whole notebook, and plain ``nbgrader
autograde`` then drops the student's whole assignment.  :class:`ResilientExecute`
instead records an error on that cell, starts a fresh kernel, replays the
cells before it (without the ones that killed it) and carries on, so only the
work that depends on that cell is lost.

Two more things nbgrader gets wrong are fixed here too: a cell's output is
capped (``max_output_bytes``; a student printing a gigabyte cannot exhaust
the grader's memory), and text on stderr -- warnings -- is kept but shown as
ordinary output, because nbgrader scores any test cell with stderr output 0
(a correct answer that prints a warning would lose its points).

It is the Execute step of ``Autograde.autograde_preprocessors`` in
``grading/nbgrader_config.py``, so plain nbgrader (CLI and Formgrader) and
``python -m grading autograde`` grade a kernel-killing cell the same way.
"""

from __future__ import annotations

import copy

from nbclient.exceptions import DeadKernelError
from jupyter_core.utils import ensure_async, run_sync
from nbformat import NotebookNode
from nbgrader.preprocessors import Execute
from traitlets import Integer

#: Appended (once) to a cell whose output went over the cap.
TRUNCATED = "[output truncated by the autograder: this cell printed more than {} bytes]"
DIED = "stopped the kernel (os._exit, a crash, or running out of memory)"
#: Marks the error output of a cell that was skipped (grading/tool/diagnose.py reports it).
SKIPPED_ENAME = "CellSkippedByAutograder"


def skipped_error(why: str) -> NotebookNode:
    """The error output recorded on a cell that was skipped."""
    text = f"the autograder skipped this cell: it {why}; the cells after it ran in a fresh kernel"
    return NotebookNode(output_type="error", ename=SKIPPED_ENAME, evalue=text, traceback=[f"{SKIPPED_ENAME}: {text}"])


class ResilientExecute(Execute):
    """``Execute`` that skips a cell which kills the kernel and goes on in a fresh kernel."""

    max_kernel_deaths = Integer(3, help="cells that may kill the kernel before the notebook is given up").tag(config=True)
    max_output_bytes = Integer(1 << 20, help="output kept per cell; the rest is dropped").tag(config=True)

    def preprocess(self, nb, resources=None, km=None):
        self._dead_cells: list[int] = []
        self._output_bytes: dict[int, int] = {}
        return super().preprocess(nb, resources, km)

    def output(self, outs, msg, display_id, cell_index):
        content = msg.get("content", {})
        size = len(content.get("text", "")) if msg["msg_type"] == "stream" else len(str(content.get("data", "")))
        used = self._output_bytes.get(cell_index, 0)
        self._output_bytes[cell_index] = used + size
        cap = self.max_output_bytes
        if used + size > cap:
            if used > cap:
                return None  # already truncated
            notice = TRUNCATED.format(cap)
            if msg["msg_type"] == "stream":
                msg = dict(msg, content=dict(content, text=content.get("text", "")[: max(0, cap - used)] + "\n"))
                super().output(outs, msg, display_id, cell_index)
            outs.append(NotebookNode(output_type="stream", name="stdout", text=notice + "\n"))
            return None
        return super().output(outs, msg, display_id, cell_index)

    def preprocess_cell(self, cell, resources, index):
        cell, resources = self._execute_cell(cell, resources, index)
        for out in cell.get("outputs", []):
            if out.get("output_type") == "stream" and out.get("name") == "stderr":
                out["name"] = "stdout"  # warnings never change a score (see the module docstring)
        return cell, resources

    def _execute_cell(self, cell, resources, index):
        try:
            return super().preprocess_cell(cell, resources, index)
        except DeadKernelError:
            self._dead_cells.append(index)
            if len(self._dead_cells) > self.max_kernel_deaths:
                raise
            self.log.warning("Cell %d %s; skipping it and replaying the cells before it in a new kernel", index, DIED)
            cell.outputs = [skipped_error(DIED)]
            self._restart_and_replay(index, resources)
            return cell, self.resources

    async def _restart(self) -> None:
        await ensure_async(self.km.restart_kernel(now=True))
        await ensure_async(self.kc.wait_for_ready(timeout=self.startup_timeout))

    def _restart_and_replay(self, upto: int, resources) -> None:
        run_sync(self._restart)()
        for i, earlier in enumerate(self.nb.cells[:upto]):
            if earlier.cell_type == "code" and i not in self._dead_cells:
                # A copy: the outputs graded are those of the first run.
                super().preprocess_cell(copy.deepcopy(earlier), resources, i)


def skip_unreadable_notebooks(assignment=None, student=None, notebooks=None, **_):
    """``Autograde.pre_convert_hook``: leave out the student's notebooks that cannot be read.

    nbgrader stops at the first notebook it cannot read and grades none of the
    ones after it (in alphabetical order), so one corrupt ``knn.ipynb`` would cost
    ``softmax`` and ``svm`` too.  nbgrader passes its own list of the notebooks it
    is about to grade; the unreadable ones are removed from it in place, and they
    score 0 (their grades are never filled in) as in ``python -m grading autograde``.
    """
    from pathlib import Path

    from .inspect_nb import read_notebook

    for path in list(notebooks or []):
        if read_notebook(Path(path))[1] is not None:
            notebooks.remove(path)
