"""Flag code in a submission that tries to get around the grader, for a person to review.

Nothing here changes a score: the authoritative scores come from the trusted
scorer, which such code cannot reach.  The flags tell the TA (and the
student, in the feedback) what was seen.  Only lines the student wrote are
looked at: a line that also appears in the released file is not.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

_MODULES = r"(?:np|numpy|builtins|__builtins__|torch|math|scipy|sklearn|cs231n_lib[\w.]*|grading[\w.]*|checks|core)"
PATTERNS = [
    (re.compile(rf"^\s*{_MODULES}\.[\w.]+\s*=[^=]"), "replaces part of a library (e.g. numpy or the check helpers)"),
    (re.compile(rf"setattr\(\s*{_MODULES}\b"), "replaces part of a library (setattr)"),
    (re.compile(r"^\s*(?:from\s+grading\b|import\s+grading\b)|__import__\(\s*['\"]grading"),
     "imports the grader's own modules"),
    (re.compile(r"\brun_hidden\s*="), "replaces run_hidden"),
    (re.compile(r"input_transformers|ast_transformers|events\.register|set_custom_exc|register_magic|"
                r"input_splitter|sys\.settrace|sys\.setprofile|sys\.excepthook"),
     "installs an IPython or interpreter hook"),
    (re.compile(r"sys\.modules\s*\["), "edits sys.modules"),
    (re.compile(r"\bos\._exit\b|\bos\.kill\b|\bos\.abort\b|\bsignal\.(?:signal|alarm)\b"),
     "kills or signals processes"),
    (re.compile(r"\bos\.fork\b|\bmultiprocessing\b|\bsubprocess\b|\bos\.system\b|\bos\.popen\b|\bpty\b"),
     "starts processes"),
    (re.compile(r"\bsocket\b|\burllib\b|\brequests\b|\bhttp\.client\b"), "uses the network"),
    (re.compile(r"""['"][^'"]*(?:solutions/|gradebook\.db|grading/|/root\b|/home/|\.\./\.\.)"""),
     "reads files outside the submission (solutions, grader, gradebook or home)"),
    (re.compile(r"\bgc\.get_objects\b|\binspect\.(?:stack|currentframe)\b|sys\._getframe"),
     "inspects the caller's frames or objects"),
]


def _code_cells(path: Path) -> list[tuple[str, str]]:
    """``(label, source)`` of the code cells of notebook ``path`` ([] when unreadable)."""
    try:
        cells = json.loads(path.read_text(encoding="utf-8")).get("cells", [])
    except (OSError, ValueError, AttributeError):
        return []
    out = []
    for i, cell in enumerate(cells):
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        source = cell.get("source", "")
        source = "".join(source) if isinstance(source, list) else str(source)
        gid = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id") if isinstance(cell.get("metadata"), dict) else None
        out.append((f"{path.name}, cell {gid or i + 1}", source))
    return out


def _code(line: str) -> str:
    """``line`` without a trailing comment (a ``#`` outside quotes)."""
    quote = None
    for i, ch in enumerate(line):
        if quote:
            if ch == quote:
                quote = None
        elif ch in "'\"":
            quote = ch
        elif ch == "#":
            return line[:i]
    return line


def _lines(text: str) -> set[str]:
    return {line.strip() for line in text.splitlines() if line.strip()}


def scan(submission: Path, release: Path) -> list[str]:
    """One flag per suspicious line the student wrote, e.g.
    ``knn.ipynb, cell 2, line 5: replaces part of a library (...): `np.allclose = ...```."""
    submission, release = Path(submission), Path(release)
    flags = []
    for path in sorted(p for p in submission.rglob("*") if p.is_file() and not p.is_symlink()
                       and "__pycache__" not in p.parts and ".ipynb_checkpoints" not in p.parts):
        rel = path.relative_to(submission)
        if path.suffix == ".ipynb":
            released = {line for _, src in _code_cells(release / rel) for line in _lines(src)}
            sources = _code_cells(path)
        elif path.suffix == ".py":
            try:
                sources = [(str(rel), path.read_text(encoding="utf-8", errors="replace"))]
            except OSError:
                continue
            released = _lines((release / rel).read_text(encoding="utf-8")) if (release / rel).is_file() else set()
        else:
            continue
        for label, source in sources:
            for number, line in enumerate(source.splitlines(), 1):
                if not line.strip() or line.strip() in released or line.lstrip().startswith("#"):
                    continue
                for pattern, what in PATTERNS:
                    if pattern.search(_code(line)):
                        shown = line.strip() if len(line.strip()) <= 80 else line.strip()[:77] + "..."
                        flags.append(f"{label}, line {number}: {what}: `{shown}`")
                        break
    return flags
