"""Drop notebook output that shows hidden-test inputs.

The test server remembers every float it sent to the kernel.  A student's code
may record those inputs while a hidden test runs and print them in a later
cell; any text output holding several of them is replaced by a notice, so
neither the feedback nor the Formgrader shows them.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import numpy as np

_NUMBER = re.compile(r"-?\d+\.\d+(?:[eE][-+]?\d+)?")
#: Only numbers printed with at least this many significant digits are compared (numpy prints 8):
#: round numbers and short ones (accuracies, "0.274") match random inputs by chance.
MIN_DIGITS = 7
#: An output is dropped when at least MIN_MATCHES of its long numbers, and at least half of them (or at
#: least MANY), are hidden inputs (to a relative 1e-7: numpy prints 8 significant digits).
MIN_MATCHES = 5
MANY = 20
NOTICE = "[output removed by the grader: it shows inputs of a hidden test]\n"


def _digits(token: str) -> int:
    mantissa = token.lstrip("-").split("e")[0].split("E")[0].replace(".", "").lstrip("0").rstrip("0")
    return len(mantissa)


def _matches(text: str, values: np.ndarray) -> bool:
    tokens = [t for t in _NUMBER.findall(text)[:100_000] if _digits(t) >= MIN_DIGITS]
    numbers = np.array([float(t) for t in tokens], dtype=np.float64)
    numbers = numbers[np.isfinite(numbers) & (numbers != 0)]
    if numbers.size < MIN_MATCHES or values.size < 2:
        return False
    idx = np.clip(np.searchsorted(values, numbers), 1, len(values) - 1)
    nearest = np.minimum(np.abs(values[idx] - numbers), np.abs(values[idx - 1] - numbers))
    hits = int(np.sum(nearest <= 1e-7 * np.abs(numbers)))
    return hits >= MIN_MATCHES and (2 * hits >= numbers.size or hits >= MANY)


def _text(output) -> str:
    if output.get("output_type") == "stream":
        return output.get("text", "")
    if output.get("output_type") == "error":  # raise ValueError(str(recorded_inputs)) shows them too
        return " ".join([str(output.get("evalue", ""))] + [str(line) for line in output.get("traceback", [])])
    data = output.get("data", {})
    return "".join(str(data.get(k, "")) for k in ("text/plain", "text/html", "text/markdown", "text/latex"))


def redact(path: Path, values: np.ndarray) -> int:
    """Replace every output of ``path`` that shows hidden inputs; returns how many were replaced."""
    values = np.unique(np.asarray(values, dtype=np.float64))
    values = values[np.isfinite(values) & (values != 0)]
    if values.size < 2:
        return 0
    nb = nbformat.read(path, as_version=4)
    replaced = 0
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        for i, output in enumerate(cell.get("outputs", [])):
            if output.get("output_type") in ("stream", "execute_result", "display_data", "error") and \
                    _matches(_text(output), values):
                cell.outputs[i] = nbformat.v4.new_output("stream", name="stdout", text=NOTICE)
                replaced += 1
    if replaced:
        nbformat.write(nb, path)
    return replaced
