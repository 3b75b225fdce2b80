"""Hidden tests, each defined once: seeded inputs, an independent oracle, a
comparison with tolerance, and points.  A hidden test cell in a notebook only
calls ``run_hidden("<assignment>/<grade_id>")``; see :mod:`grading.hidden.core`.
"""

from .core import (REGISTRY, HiddenTest, HiddenTestFailed, HiddenTestImportError, case_rng, find, hidden_test,
                   load_assignment, run_hidden, student_object)

__all__ = ["REGISTRY", "HiddenTest", "HiddenTestFailed", "HiddenTestImportError", "case_rng", "find", "hidden_test",
           "load_assignment", "run_hidden", "student_object"]
