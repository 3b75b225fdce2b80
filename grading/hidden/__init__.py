"""Hidden tests, each defined once: seeded inputs, an independent oracle, a
comparison with tolerance, and points.  A hidden test cell in a notebook only
calls ``run_hidden(grade_id, <student objects>)``.
"""

from .core import REGISTRY, HiddenTest, HiddenTestFailed, hidden_test, load_assignment, run_hidden

__all__ = ["REGISTRY", "HiddenTest", "HiddenTestFailed", "hidden_test", "load_assignment", "run_hidden"]
