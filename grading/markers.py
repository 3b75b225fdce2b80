"""The markers of the course's notebooks and modules, in one place.

nbgrader finds a region by its delimiter anywhere in a line (``"BEGIN SOLUTION"
in line``); the course writes each delimiter as a ``###`` comment on its own
line.  The delimiters are nbgrader's defaults (``ClearSolutions`` and
``ClearHiddenTests``; a test checks they still are), so the student package's
stripper (:mod:`grading.tool.student_package`) and nbgrader strip the same
regions.

The ``*_FORBIDDEN`` tuples are what must never reach a student: the release
check (``tests/test_release.py``) and the feedback leak check
(:mod:`grading.tool.feedback`) use them.
"""

from __future__ import annotations

# -- delimiters, as nbgrader matches them (a substring of a line) ------------------------------
SOLUTION_BEGIN_TEXT = "BEGIN SOLUTION"
SOLUTION_END_TEXT = "END SOLUTION"
HIDDEN_BEGIN_TEXT = "BEGIN HIDDEN TESTS"
HIDDEN_END_TEXT = "END HIDDEN TESTS"

# -- the lines the course writes --------------------------------------------------------------
BEGIN_SOLUTION = f"### {SOLUTION_BEGIN_TEXT}"
END_SOLUTION = f"### {SOLUTION_END_TEXT}"
BEGIN_HIDDEN_TESTS = f"### {HIDDEN_BEGIN_TEXT}"
END_HIDDEN_TESTS = f"### {HIDDEN_END_TEXT}"

# -- what replaces a solution in the release ----------------------------------------------------
#: First line of nbgrader's python code stub (``ClearSolutions.code_stub``); the student
#: package's stripper writes it too, followed by a ``raise NotImplementedError`` naming the function.
CODE_STUB = "# YOUR CODE HERE"
#: nbgrader's stub for a written answer (``ClearSolutions.text_stub``).
ANSWER_STUB = "YOUR ANSWER HERE"

# -- instructor-only text ---------------------------------------------------------------------------
#: Instructor-side code: a traceback through it is cut to its last line in feedback.
INSTRUCTOR_CODE = ("grading/hidden", "grading/oracles", "grading.hidden", "grading.oracles", "run_hidden")

#: Never in feedback handed to a student.  (Solution regions are not listed: a
#: submission may quote them itself, and nbgrader never copies solution cells
#: from the gradebook into a submission.)
FEEDBACK_FORBIDDEN = (
    HIDDEN_BEGIN_TEXT,
    HIDDEN_END_TEXT,
    "run_hidden",
    "grading.hidden",
    "grading/hidden",
    "grading.oracles",
    "grading/oracles",
)

#: Never in a released file (notebooks and the student package).
RELEASE_FORBIDDEN = (SOLUTION_BEGIN_TEXT, SOLUTION_END_TEXT, *FEEDBACK_FORBIDDEN)


def split_hidden(source: str) -> tuple[str, str]:
    """``(lines outside, lines inside)`` the hidden-test regions of ``source``, as nbgrader delimits them."""
    outside, inside, hidden = [], [], False
    for line in source.split("\n"):
        if HIDDEN_BEGIN_TEXT in line:
            hidden = True
        elif HIDDEN_END_TEXT in line:
            hidden = False
        else:
            (inside if hidden else outside).append(line)
    return "\n".join(outside), "\n".join(inside)
