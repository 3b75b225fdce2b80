"""The demo notebooks: clean (no outputs, no graded cells) and they run, displaying their widget."""

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

DEMOS = Path(__file__).resolve().parent.parent / "solutions" / "demos"
NOTEBOOKS = sorted(p.name for p in DEMOS.glob("*.ipynb"))  # every demo (the gallery serves them all)
WIDGET_MIME = "application/vnd.jupyter.widget-view+json"


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_demo_notebook_is_clean(name):
    nb = nbformat.read(DEMOS / name, as_version=4)
    nbformat.validate(nb)
    assert nb.cells[0].cell_type == "markdown" and len(nb.cells[0].source) > 300
    for cell in nb.cells:
        assert not cell.metadata.get("nbgrader", {}).get("grade"), f"{name}: demos carry no graded cells"
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, f"{name}: clear the outputs before committing"


@pytest.mark.slow
@pytest.mark.parametrize("name", NOTEBOOKS)
def test_demo_notebook_runs_and_shows_a_widget(name):
    nb = nbformat.read(DEMOS / name, as_version=4)
    NotebookClient(nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(DEMOS)}}).execute()
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    assert any(WIDGET_MIME in o.get("data", {}) for o in outputs)
