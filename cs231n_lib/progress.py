"""Progress bars for the slow cells (cross-validation, searches, training, timing):
tqdm's notebook bar in Jupyter, a text bar elsewhere (tqdm.auto picks)."""

from __future__ import annotations

from tqdm.auto import tqdm

__all__ = ["progress"]


def progress(iterable=None, desc=None, total=None, **kwargs):
    """``for x in progress(items, desc="folds"):`` shows a bar that stays when done."""
    return tqdm(iterable, desc=desc, total=total, leave=True, dynamic_ncols=True, **kwargs)
