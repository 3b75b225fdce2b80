"""Progress bars for the slow cells (cross-validation, searches, training, timing):
tqdm's notebook bar in Jupyter, a text bar elsewhere (tqdm.auto picks).

- ``progress(iterable, desc=...)`` wraps a loop: one step per item.
- ``with working("LinearSVC.fit"):`` is for one long call that has no loop to wrap (a scikit-learn ``fit``, a
  ``train`` call): a bar that counts the seconds elapsed, ticked by a background thread until the block ends.
"""

from __future__ import annotations

import threading
import time
from contextlib import contextmanager

from tqdm.auto import tqdm

__all__ = ["progress", "working"]

#: The name of the ticking threads of ``working`` (tests look for leftovers by it).
TICKER_THREAD_NAME = "cs231n-working-ticker"


def progress(iterable=None, desc=None, total=None, **kwargs):
    """``for x in progress(items, desc="folds"):`` shows a bar that stays when done."""
    return tqdm(iterable, desc=desc, total=total, leave=True, dynamic_ncols=True, **kwargs)


@contextmanager
def working(desc, interval=1.0, **kwargs):
    """``with working("LinearSVC.fit"): model.fit(X, y)`` shows ``LinearSVC.fit: 00:07 elapsed`` while the block runs.

    A daemon thread sets the bar's count to the whole seconds elapsed every ``interval`` seconds; it is stopped and
    joined when the block ends, also when the block raises (the exception propagates; the bar then says "failed").
    Yields the tqdm bar (its ``n`` is the number of whole seconds elapsed).
    """
    bar = tqdm(total=None, desc=desc, unit="s", leave=True, dynamic_ncols=True,
               bar_format="{desc}: {elapsed} elapsed", **kwargs)
    start = time.perf_counter()
    stop = threading.Event()

    def tick():
        while not stop.wait(interval):
            bar.n = int(time.perf_counter() - start)
            bar.refresh()

    ticker = threading.Thread(target=tick, name=TICKER_THREAD_NAME, daemon=True)
    ticker.start()
    failed = True
    try:
        yield bar
        failed = False
    finally:
        stop.set()
        ticker.join()
        bar.n = int(time.perf_counter() - start)
        if failed:
            bar.set_description_str(f"{desc} (failed)", refresh=False)
            if hasattr(bar, "container"):  # the notebook bar: red, as tqdm shows a loop that raised
                bar.colour = "red"
        bar.close()
