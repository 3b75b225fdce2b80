"""grading.tool.execute.ResilientExecute: a cell that kills the kernel costs only itself."""

from __future__ import annotations

import nbformat
import pytest
from nbclient.exceptions import DeadKernelError

from grading.tool.execute import SKIPPED_ENAME, ResilientExecute


def _run(sources, tmp_path, **traits):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(s) for s in sources]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    ResilientExecute(timeout=30, **traits).preprocess(nb, {"metadata": {"path": str(tmp_path)}})
    return nb


@pytest.mark.slow
def test_the_killing_cell_is_skipped_and_the_rest_runs_with_the_state_before_it(tmp_path):
    nb = _run(["x = 20", "print('first run')", "import os; os._exit(1)", "print(x + 1)"], tmp_path)
    assert [o.ename for o in nb.cells[2].outputs] == [SKIPPED_ENAME]
    assert "stopped the kernel" in nb.cells[2].outputs[0].evalue
    assert nb.cells[3].outputs[0].text == "21\n"  # state replayed in the fresh kernel
    assert nb.cells[1].outputs[0].text == "first run\n"  # outputs of the first run are kept, once


@pytest.mark.slow
def test_past_the_limit_the_notebook_is_given_up(tmp_path):
    with pytest.raises(DeadKernelError):
        _run(["import os; os._exit(1)", "import os; os._exit(2)"], tmp_path, max_kernel_deaths=1)


def test_unreadable_notebooks_are_left_out_of_nbgraders_list_in_place(tmp_path):
    from grading.tool.execute import skip_unreadable_notebooks

    good, bad = tmp_path / "a.ipynb", tmp_path / "knn.ipynb"
    nbformat.write(nbformat.v4.new_notebook(), good)
    bad.write_text('{"cells": [')
    notebooks = [str(bad), str(good)]
    skip_unreadable_notebooks(assignment="a1", student="s", notebooks=notebooks)
    assert notebooks == [str(good)]
