"""Run-time switches shared by notebooks, tests and grading.

Fast mode shrinks data and epochs so that a whole notebook runs in well under a
minute (tests, autograding, a quick look).  It is on when ``CS231N_FAST`` is set
to a true value, or when nbgrader executes the notebook (it sets
``NBGRADER_EXECUTION`` in the kernel's environment).
"""

from __future__ import annotations

import os
from pathlib import Path

_TRUE = {"1", "true", "yes", "on"}

#: The repository root (the folder holding ``cs231n_lib/``) for an editable
#: install; ``None`` consumers should not rely on it outside a checkout.
REPO_ROOT = Path(__file__).resolve().parent.parent


def fast_mode() -> bool:
    """True when notebooks should run their small, quick configuration."""
    if os.environ.get("CS231N_FAST", "").strip().lower() in _TRUE:
        return True
    return bool(os.environ.get("NBGRADER_EXECUTION"))


def pick(default, fast):
    """``fast`` in fast mode, ``default`` otherwise: ``num_iters = pick(1500, 100)``."""
    return fast if fast_mode() else default
