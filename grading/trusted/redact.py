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

_NUMBER = re.compile(r"-?\d+\.\d{3,}(?:[eE][-+]?\d+)?|-?\d\.\d+[eE][-+]?\d+")
#: An output showing this many of the hidden inputs (to 6 significant digits) is dropped.
MIN_MATCHES = 3
NOTICE = "[output removed by the grader: it shows inputs of a hidden test]\n"


def _matches(text: str, values: np.ndarray) -> int:
    numbers = np.array([float(m) for m in _NUMBER.findall(text)[:100_000]], dtype=np.float64)
    numbers = numbers[np.isfinite(numbers) & (numbers != 0)]
    if numbers.size == 0 or values.size == 0:
        return 0
    idx = np.clip(np.searchsorted(values, numbers), 1, len(values) - 1)
    nearest = np.minimum(np.abs(values[idx] - numbers), np.abs(values[idx - 1] - numbers))
    return int(np.sum(nearest <= 5e-6 * np.abs(numbers)))


def _text(output) -> str:
    if output.get("output_type") == "stream":
        return output.get("text", "")
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
            if output.get("output_type") in ("stream", "execute_result", "display_data") and \
                    _matches(_text(output), values) >= MIN_MATCHES:
                cell.outputs[i] = nbformat.v4.new_output("stream", name="stdout", text=NOTICE)
                replaced += 1
    if replaced:
        nbformat.write(nb, path)
    return replaced
