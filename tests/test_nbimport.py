import json

import nbformat
import pytest

from cs231n_lib.nbimport import NotebookImportError, definitions_source, import_notebook


def _write(path, *cells):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(c) for c in cells]
    nbformat.write(nb, str(path))


def test_only_definitions_run(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    _write(tmp_path / "svm.ipynb",
           "import numpy as np\n%matplotlib inline\nSCALE = 3\nDEFAULT = {'a': 1}",
           "def f(x):\n    return SCALE * np.asarray(x)",
           "raise RuntimeError('training cell must not run')",
           "class C:\n    def g(self):\n        return f(2)",
           "model = C()\nmodel.g()\nprint('side effect')")
    mod = import_notebook("svm.ipynb")
    assert mod.f(1) == 3 and mod.C().g() == 6 and mod.DEFAULT == {"a": 1}
    assert not hasattr(mod, "model")
    C, f = import_notebook("svm", names=["C", "f"])
    assert f(2) == 6


def test_syntax_error_cell_is_skipped_with_warning(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    _write(tmp_path / "a.ipynb", "def ok():\n    return 1", "def broken(:\n    pass")
    with pytest.warns(UserWarning, match="code cell 2"):
        assert import_notebook("a.ipynb", names="ok")() == 1
    with pytest.warns(UserWarning), pytest.raises(NotebookImportError, match="does not define broken"):
        import_notebook("a.ipynb", names="broken")


@pytest.mark.parametrize("content, message", [
    (None, "does not exist"),
    ("{not json", "not a valid notebook"),
    (json.dumps({"cells": "nope"}), "not a valid notebook"),
])
def test_missing_or_corrupt_notebook_gives_clear_error(tmp_path, monkeypatch, content, message):
    monkeypatch.chdir(tmp_path)
    if content is not None:
        (tmp_path / "svm.ipynb").write_text(content)
    with pytest.raises(NotebookImportError, match=message) as info:
        import_notebook("svm.ipynb")
    assert "svm.ipynb" in str(info.value)


def test_failing_definition_names_the_notebook(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    _write(tmp_path / "b.ipynb", "import module_that_does_not_exist_123")
    with pytest.raises(NotebookImportError, match="b.ipynb.*ModuleNotFoundError"):
        import_notebook("b.ipynb")


def test_definitions_source_keeps_constants_but_not_calls():
    src, skipped = definitions_source(["X = 1\ny = f()\nZZ = g()\nW = np.random.randn(3)\nw = [1, 2]"])
    assert "X = 1" in src and "ZZ = g()" in src and "w = [1, 2]" in src
    assert "y = f()" not in src and "randn" not in src  # single capitals are data (W, X), not constants
    assert skipped == []


def test_constants_that_need_notebook_data_are_left_out(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    _write(tmp_path / "d.ipynb", "NUM_DEV = 5\nX_DEV = data['X_train'][:NUM_DEV]", "def f():\n    return NUM_DEV")
    mod = import_notebook("d.ipynb")
    assert mod.f() == 5 and not hasattr(mod, "X_DEV")


def test_nbgrader_test_cells_are_not_imported(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    nb = nbformat.v4.new_notebook()
    solution = nbformat.v4.new_code_cell("def f():\n    return 1")
    solution.metadata["nbgrader"] = {"grade": False, "solution": True, "grade_id": "f"}
    test = nbformat.v4.new_code_cell("from instructor_only_module import secret\nassert f() == 1")
    test.metadata["nbgrader"] = {"grade": True, "solution": False, "grade_id": "test_f", "points": 1}
    nb.cells = [solution, test]
    nbformat.write(nb, str(tmp_path / "c.ipynb"))
    assert import_notebook("c.ipynb", names="f")() == 1
