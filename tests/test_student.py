"""cs231n_lib.student: the student's package is imported module by module; a broken module
is named with its file and line, and costs only what needs it."""

from __future__ import annotations

import sys

import pytest

from cs231n_lib.checks import CheckFailed
from cs231n_lib.student import StudentCodeError, Unavailable, load, load_object


@pytest.fixture
def package(tmp_path, monkeypatch):
    """A fresh ``pkg_student`` package in tmp_path, importable from the working directory (as in a notebook)."""
    root = tmp_path / "pkg_student"
    root.mkdir()
    (root / "__init__.py").write_text("")
    (root / "good.py").write_text("def f():\n    return 1\n\n\nclass C:\n    pass\n")
    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    yield root
    for name in [m for m in sys.modules if m.startswith("pkg_student")]:
        del sys.modules[name]


def test_a_module_that_imports_gives_its_objects(package):
    f, C = load("pkg_student.good", "f", "C")
    assert f() == 1 and isinstance(C(), C)
    assert load("pkg_student.good", "f") is f


def test_a_syntax_error_names_file_and_line_and_costs_only_its_module(package, capsys):
    (package / "broken.py").write_text("x = 1\nfor i in range(3)\n    pass\n")
    g = load("pkg_student.broken", "g")
    printed = capsys.readouterr().out
    assert printed.startswith("cannot use g: pkg_student/broken.py, line 2: SyntaxError")
    assert "for i in range(3)" in printed
    with pytest.raises(StudentCodeError, match=r"pkg_student/broken.py, line 2"):
        g(1)
    assert load("pkg_student.good", "f")() == 1


def test_an_error_while_importing_names_the_students_line_not_the_library(package):
    (package / "raises.py").write_text("import numpy as np\n\nnp.load('no_such_file.npy')\n")
    obj = load_object("pkg_student.raises", "h")
    assert isinstance(obj, Unavailable)
    with pytest.raises(StudentCodeError, match=r"pkg_student/raises.py, line 3: FileNotFoundError"):
        obj()


def test_even_sys_exit_at_import_is_reported(package):
    (package / "exits.py").write_text("import sys\nsys.exit(3)\n")
    with pytest.raises(StudentCodeError, match="SystemExit"):
        load_object("pkg_student.exits", "f")()


def test_a_missing_file_or_name_says_what_to_do(package):
    with pytest.raises(StudentCodeError, match=r"pkg_student/nothing.py was not found next to this notebook"):
        load_object("pkg_student.nothing", "f")()
    with pytest.raises(StudentCodeError, match="defines no g: do not rename"):
        load_object("pkg_student.good", "g")()


def test_the_placeholder_fails_however_it_is_used(package):
    (package / "broken.py").write_text("def (:\n")
    K = load_object("pkg_student.broken", "K")
    with pytest.raises(StudentCodeError):
        K.train
    with pytest.raises(StudentCodeError):
        class Toy(K):  # noqa: F841  (subclassing in a notebook check)
            pass
    assert "unavailable" in repr(K)
    assert issubclass(StudentCodeError, CheckFailed)  # rendered as its message alone in Jupyter


def test_fixing_the_file_and_loading_again_works(package):
    (package / "later.py").write_text("def f(:\n")
    assert isinstance(load_object("pkg_student.later", "f"), Unavailable)
    (package / "later.py").write_text("def f():\n    return 2\n")
    assert load_object("pkg_student.later", "f")() == 2


@pytest.mark.slow
def test_in_a_kernel_an_edit_is_used_at_the_next_cell_and_nothing_else_is_reloaded(tmp_path):
    """%autoreload 1 + load(): the student's saved edit takes effect; a changed library module is not reloaded."""
    import nbformat
    from nbclient import NotebookClient

    (tmp_path / "pkg_student").mkdir()
    (tmp_path / "pkg_student" / "__init__.py").write_text("")
    (tmp_path / "pkg_student" / "m.py").write_text("def f():\n    return 1\n")
    (tmp_path / "other_lib.py").write_text("VALUE = 'old'\n")
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(s) for s in [
        "%load_ext autoreload\n%autoreload 1\nfrom cs231n_lib.student import load\nimport other_lib\n"
        "f = load('pkg_student.m', 'f')\nprint(f())",
        "import pathlib, time\ntime.sleep(1.1)\n"
        "pathlib.Path('pkg_student/m.py').write_text('def f():\\n    return 2\\n')\n"
        "pathlib.Path('other_lib.py').write_text('VALUE = \"new\"\\n')",
        "print(f(), other_lib.VALUE)",
    ]]
    NotebookClient(nb, timeout=60, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}).execute()
    assert nb.cells[0].outputs[0].text == "1\n"
    assert nb.cells[2].outputs[0].text == "2 old\n"
