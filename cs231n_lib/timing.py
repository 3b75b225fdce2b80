"""Timing helper: best-of-n wall time, and a ratio table against a peer."""

from __future__ import annotations

import time

from .progress import progress


def time_function(f, *args, repeat=3, **kwargs):
    """Best wall-clock seconds of ``repeat`` calls of ``f(*args, **kwargs)``."""
    best = float("inf")
    for _ in range(max(1, repeat)):
        t0 = time.perf_counter()
        f(*args, **kwargs)
        best = min(best, time.perf_counter() - t0)
    return best


def compare_times(named_functions, *args, repeat=3, reference=None, verbose=True, **kwargs):
    """Time each ``name -> f`` on the same arguments; return ``{name: seconds}``.

    With ``verbose`` prints one line each, with the ratio to ``reference``
    (a name; default: the fastest).
    """
    names = progress(named_functions, desc="timing") if verbose else named_functions
    times = {name: time_function(named_functions[name], *args, repeat=repeat, **kwargs) for name in names}
    ref = times[reference] if reference is not None else min(times.values())
    if verbose:
        width = max(len(n) for n in times)
        for name, t in times.items():
            print(f"{name:<{width}}  {t * 1e3:9.2f} ms  {t / ref:7.2f}x")
    return times
