"""Measurements taken next to the student's code (in its own process), called by
hidden tests through ``grading.hidden.core.student_object("grading.kernel.probes:<name>")``.

They report numbers only.  A student's code could fool a probe in its own
process; what a probe measures is graded as a property of honest code.
"""

from __future__ import annotations

import tracemalloc


def peak_bytes(f, *args) -> int:
    """Peak bytes traced (numpy buffers included) while running ``f(*args)``; the result is dropped."""
    was_tracing = tracemalloc.is_tracing()
    if not was_tracing:
        tracemalloc.start()
    try:
        start, _ = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        f(*args)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        if not was_tracing:
            tracemalloc.stop()
    return max(0, peak - start)


def changed_inputs(f, *args):
    """``(f(*args), indices of the array arguments f changed in place)``, next to the student's code
    (where the arrays ``f`` works on are)."""
    import numpy as np

    before = [np.array(a, copy=True) if isinstance(a, np.ndarray) else None for a in args]
    out = f(*args)
    changed = [i for i, (b, a) in enumerate(zip(before, args)) if b is not None and not np.array_equal(b, a)]
    return out, changed
