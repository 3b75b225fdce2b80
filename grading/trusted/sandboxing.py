"""What a sandboxed grading process of this course may see, and its environment.

Read-only: the Python environment, ``cs231n_lib``, ``grading`` (minus the
hidden-test modules, the oracles and the bundled samples), the datasets.  Not
there at all: ``solutions/``, ``tests/``, the course directory (gradebook,
other students), the instructor's home.  Writable: the private folder only.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from grading.sandbox import Limits, Sandbox

from ..tool.course import REPO


def readonly_paths() -> list[Path]:
    paths = [Path(sys.prefix), REPO / "cs231n_lib", REPO / "grading", REPO / "datasets"]
    if os.environ.get("CS231N_DATA"):
        paths.append(Path(os.environ["CS231N_DATA"]).expanduser())
    base = Path(sys.base_prefix)
    if not str(base).startswith("/usr"):
        paths.append(base)
    return [p.resolve() for p in paths if p.exists()]


def hidden_paths() -> list[Path]:
    hidden = REPO / "grading" / "hidden"
    paths = [p for p in hidden.iterdir() if p.is_dir() and (p / "__init__.py").exists()]
    paths += [REPO / "grading" / "oracles", REPO / "grading" / "samples"]
    return [p for p in paths if p.exists()]


def sandbox_env(**extra: str) -> dict[str, str]:
    env = {
        "PATH": f"{Path(sys.executable).parent}:/usr/local/bin:/usr/bin:/bin",
        "PYTHONPATH": str(REPO),
        "MPLBACKEND": "Agg",
        "PYTHONDONTWRITEBYTECODE": "1",
        "CS231N_ORACLE_DEVICE": "cpu",
    }
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        env[var] = os.environ.get(var, "1")
    for var in ("CS231N_DATA", "CS231N_SYSTEM_DATA", "CS231N_FAST", "CS231N_CELL_TIMEOUT"):
        if os.environ.get(var):
            env[var] = os.environ[var]
    env.update(extra)
    return env


#: The limits of a grading sandbox: the sandbox's defaults, with fewer processes (a notebook run needs about
#: 40 threads and processes; a fork bomb stops sooner).
GRADING_LIMITS = Limits(processes=128)


def make_sandbox(folder: Path, slot: int, limits: Limits | None = None, insecure: bool = False) -> Sandbox:
    return Sandbox(Path(folder), readonly=readonly_paths(), hidden=hidden_paths(), slot=slot,
                   limits=limits or GRADING_LIMITS, insecure=insecure)
