"""Formulas in feedback without the network: a local MathJax next to every feedback page.

nbconvert's pages load MathJax from a CDN, so a student reading feedback
offline sees raw LaTeX.  The feedback template (``grading/templates/cs231n_feedback``)
loads :data:`URL` instead, relative to the page, and :func:`install` puts
the files there: the part of MathJax 2.7 from the ``jupyter-server-mathjax``
package that typesets TeX with the HTML-CSS output and STIX web fonts
(about 2 MB).  Every ``feedback/<student>/<assignment>/`` folder gets its own
``mathjax/`` so it works wherever it is copied; the files are hard links to
one copy in ``<course>/.mathjax`` where the file system allows, so a class of
hundreds costs the disk space of one copy.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from .course import ToolError

FOLDER = "mathjax"
#: What the feedback page loads, relative to itself.
URL = f"{FOLDER}/MathJax.js?config=TeX-AMS-MML_HTMLorMML-full,Safe"
#: The files MathJax loads for that configuration (tests/test_grading_feedback.py checks offline).
PARTS = (
    "MathJax.js",
    "LICENSE",
    "config",
    "jax/input/TeX",
    "jax/element",
    "jax/output/HTML-CSS",
    "fonts/HTML-CSS/STIX-Web/woff",
    "extensions/MathMenu.js",
    "extensions/MathZoom.js",
    "extensions/Safe.js",
    "extensions/TeX",
    "extensions/HTML-CSS",
    "extensions/tex2jax.js",
    "extensions/AssistiveMML.js",
    "extensions/MathEvents.js",
    "extensions/toMathML.js",
    "localization/en",
)


def package_static() -> Path:
    """The MathJax files of the installed ``jupyter-server-mathjax`` package."""
    try:
        import jupyter_server_mathjax
    except ImportError:
        raise ToolError(
            "feedback needs the jupyter-server-mathjax package for its formulas: "
            "run `.venv/bin/pip install -e '.[dev]'` (or `pip install jupyter-server-mathjax`)"
        ) from None
    return Path(jupyter_server_mathjax.__file__).parent / "static"


def install(root: Path, folder: Path) -> Path:
    """Put MathJax into ``folder/mathjax`` (hard links into ``<course>/.mathjax``); returns it."""
    cache = _course_copy(Path(root))
    dest = Path(folder) / FOLDER
    if dest.exists():
        shutil.rmtree(dest)
    shutil.copytree(cache, dest, copy_function=_link_or_copy)
    return dest


def _course_copy(root: Path) -> Path:
    cache = root / ".mathjax"
    if (cache / "MathJax.js").exists():
        return cache
    static = package_static()
    partial = root / ".mathjax.partial"
    if partial.exists():
        shutil.rmtree(partial)
    for part in PARTS:
        src = static / part
        if src.is_dir():
            shutil.copytree(src, partial / part)
        else:
            (partial / part).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, partial / part)
    partial.rename(cache)
    return cache


def _link_or_copy(src: str, dst: str) -> None:
    try:
        os.link(src, dst)
    except OSError:  # another file system, or links not allowed
        shutil.copy2(src, dst)
