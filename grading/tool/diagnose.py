"""Turn what happened while grading one notebook into clear messages for the student and the TA."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat

from cs231n_lib.student import IMPORT_FAILED

from .execute import DIED, SKIPPED_ENAME, TRUNCATED
from .inspect_nb import Inspection

_TRUNCATED = re.compile(re.escape(TRUNCATED).replace(re.escape("{}"), r"(\d+)"))
_SYNTAX = {"SyntaxError", "IndentationError", "TabError"}
#: A syntax error in a file other than a cell (cells compile as "<digits>.py" in ipykernel).
_IN_MODULE = re.compile(r"\((?!\d+\.py,)[^()]*\.py, line \d+\)$")


def failure_message(notebook: str, result: dict, trusted: bool = False) -> str:
    """Why nbgrader could not autograde ``notebook`` (its captured log and traceback in ``result``).

    ``trusted``: the hidden tests were scored outside the notebook anyway (say so instead of "scores 0")."""
    message = _failure(notebook, result)
    if trusted:
        message = message.replace(f"; {notebook} scores 0", "; its hidden tests were still scored (outside the "
                                  "notebook) and its written answers are kept as submitted")
    return message


def _failure(notebook: str, result: dict) -> str:
    text = (result.get("log", "") or "") + "\n" + (result.get("error", "") or "")
    if "DeadKernelError" in text or "Kernel died" in text or "kernel died" in text:
        return (
            f"{notebook}.ipynb: the kernel died while the notebook ran (os._exit, a crash, "
            f"or out of memory); {notebook} scores 0"
        )
    if "UnresponsiveKernelError" in text or "became unresponsive" in text:
        return (
            f"{notebook}.ipynb: a cell ran past the time limit and could not be interrupted "
            f"(an infinite loop that swallows KeyboardInterrupt?); {notebook} scores 0"
        )
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    last = next((line for line in reversed(lines) if "Error" in line or "Exception" in line), lines[-1] if lines else "")
    return f"{notebook}.ipynb could not be autograded ({last[:200]}); {notebook} scores 0"


def cell_messages(notebook: str, autograded: Path, timeout: int) -> list[str]:
    """Time-outs, syntax errors, cells skipped because they killed the kernel, and student modules
    that do not import, found in the executed notebook ``autograded``."""
    nb = nbformat.read(autograded, as_version=4)
    messages = []
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        label = cell.metadata.get("nbgrader", {}).get("grade_id") or f"cell {index + 1}"
        names = [out.get("ename") for out in cell.get("outputs", []) if out.get("output_type") == "error"]
        printed = "".join(out.get("text", "") for out in cell.get("outputs", []) if out.get("output_type") == "stream")
        broken = [line[len(IMPORT_FAILED):] for line in printed.splitlines() if line.startswith(IMPORT_FAILED)]
        cut = _TRUNCATED.search(printed)
        if cut:
            messages.append(f"{notebook}.ipynb: {label} printed more than {cut.group(1)} bytes; the rest was dropped")
        if broken:
            messages.append(f"{notebook}.ipynb: {broken[0]}; the tests that need it score 0")
        if SKIPPED_ENAME in names:
            messages.append(f"{notebook}.ipynb: {label} {DIED}; it was skipped and the rest of {notebook} was graded")
        elif "CellTimeoutError" in names:
            messages.append(
                f"{notebook}.ipynb: {label} ran longer than {timeout} s and was interrupted "
                "(infinite loop?); the tests that depend on it score 0"
            )
        elif _SYNTAX & set(names):
            out = next(o for o in cell.outputs if o.get("output_type") == "error" and o.get("ename") in _SYNTAX)
            if _IN_MODULE.search(out.evalue or ""):
                continue  # a module of the student package: reported once, by the cell that imports it
            messages.append(f"{notebook}.ipynb: {out.ename} in {label} ({out.evalue}); the tests that need it score 0")
    return messages


#: How the student package's loader explains a module that does not import (cs231n_lib.student._reason).
_NO_IMPORT = re.compile(r"^(?:hidden test \S+: )?(?P<where>[^\n]+)\n(?:.*\n)*?The module (?P<module>\S+) does not import")


def import_messages(tests) -> list[str]:
    """One message per student module that did not import, found in the trusted test records ``tests``
    (what scores-only grading has instead of the notebooks' import cells): the notebook that needs it,
    the file, line and error."""
    messages, seen = [], set()
    for test in tests:
        found = _NO_IMPORT.match(test.message or "")
        if test.passed or not found or (test.notebook, found["module"]) in seen:
            continue
        seen.add((test.notebook, found["module"]))
        messages.append(f"{test.notebook}.ipynb: {found['where']}; the tests that need it score 0")
    return messages


def inspection_messages(notebook: str, found: Inspection) -> list[str]:
    """Messages for a notebook that was missing/corrupt, or whose test cells were deleted or edited."""
    if found.problem:
        return [f"{found.problem}; {notebook} scores 0"]
    messages = []
    if found.deleted:
        messages.append(f"{notebook}.ipynb: graded cell(s) {', '.join(found.deleted)} deleted; they score 0")
    if found.duplicated:
        messages.append(f"{notebook}.ipynb: graded cell(s) {', '.join(found.duplicated)} appear more than once; "
                        "only the first copy counts (flagged for review)")
    if found.unknown:
        messages.append(f"{notebook}.ipynb: graded cell(s) {', '.join(found.unknown)} are not in the release "
                        "(renamed grade_id?); they are not graded (flagged for review)")
    if found.edited:
        messages.append(
            f"{notebook}.ipynb: test cell(s) {', '.join(found.edited)} were edited; "
            "the original tests were restored and graded instead"
        )
    return messages
