"""grading.trusted.tamper: static flags on lines the student wrote (not on released lines, not on
comments), in the package's .py files and in the notebooks' code cells."""

from __future__ import annotations

import json
import os

import pytest

from grading.trusted.tamper import PATTERNS, scan

#: One line per PATTERNS category (in order) that this category, and no earlier one, flags.
SAMPLES = [
    "np.allclose = lambda *a, **k: True",
    "setattr(np, 'allclose', lambda *a, **k: True)",
    "from grading.hidden import core",
    "run_hidden = lambda *args: None",
    "sys.settrace(tracer)",
    "sys.modules['cs231n_lib.checks'] = fake",
    "os._exit(0)",
    "import subprocess",
    "import socket",
    "open('/home/instructor/solutions/knn.py').read()",
    "frame = sys._getframe(1)",
]

#: More lines each category should flag.
MORE = [
    ("    numpy.testing.assert_allclose = noop", 0),
    ("cs231n_lib.checks.check_close = noop", 0),
    ("__builtins__.print = quiet", 0),
    ("setattr(cs231n_lib.checks, 'check_close', noop)", 1),
    ("import grading", 2),
    ("m = __import__('grading.hidden.core')", 2),
    ("get_ipython().input_transformers_post.append(f)", 4),
    ("ip.events.register('pre_run_cell', f)", 4),
    ("sys.excepthook = hide", 4),
    ("os.kill(os.getppid(), 9)", 6),
    ("signal.alarm(1)", 6),
    ("pid = os.fork()", 7),
    ("os.system('ls')", 7),
    ("from multiprocessing import Pool", 7),
    ("import urllib.request", 8),
    ("requests.get(url)", 8),
    ("data = open('../../gradebook.db', 'rb').read()", 9),
    ("p = 'grading/hidden/assignment1/knn.py'", 9),
    ("for o in gc.get_objects(): pass", 10),
    ("f = inspect.currentframe().f_back", 10),
    ("inspect.stack()", 10),
]

#: Ordinary student code: no flag.
CLEAN = [
    "dists = np.sqrt(np.sum((X[:, None] - self.X_train[None]) ** 2, axis=2))",
    "self.W = 0.001 * np.random.randn(dim, num_classes)",
    "np.random.seed(0)",
    "x = np.zeros(3)",
    "if np.allclose(a, b): pass",
    "loss == np.sum(margins)",
    "from cs231n.classifiers import KNearestNeighbor",
    "import numpy as np",
    "y_pred = np.argmax(X @ self.W, axis=1)",
    "result = run_hidden_like(3)",
]


def _category(line):
    return next((i for i, (pattern, _) in enumerate(PATTERNS) if pattern.search(line)), None)


def test_every_category_has_a_sample():
    assert len(SAMPLES) == len(PATTERNS)
    assert [_category(line) for line in SAMPLES] == list(range(len(PATTERNS)))


def _py(root, rel, lines):
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n")
    return path


# Notebooks as plain nbformat-4 JSON (nbformat itself is slow to import and the scanner reads JSON).
def new_code_cell(source, metadata=None):
    return {"cell_type": "code", "execution_count": None, "metadata": metadata or {}, "outputs": [],
            "source": source}


def new_markdown_cell(source):
    return {"cell_type": "markdown", "metadata": {}, "source": source}


def new_raw_cell(source):
    return {"cell_type": "raw", "metadata": {}, "source": source}


def _nb(root, rel, *cells):
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"cells": list(cells), "metadata": {}, "nbformat": 4, "nbformat_minor": 5}))
    return path


def _graded_cell(source, grade_id):
    return new_code_cell(source, metadata={"nbgrader": {"grade_id": grade_id, "solution": True}})


@pytest.fixture
def folders(tmp_path):
    sub, rel = tmp_path / "submission", tmp_path / "release"
    sub.mkdir()
    rel.mkdir()
    return sub, rel


MODULE = "cs231n/classifiers/k_nearest_neighbor.py"
PROLOGUE = ["import numpy as np", "", "class KNearestNeighbor:", "    pass"]


@pytest.mark.parametrize("index", range(len(SAMPLES)))
def test_each_category_is_flagged_in_a_python_file(folders, index):
    sub, rel = folders
    _py(rel, MODULE, PROLOGUE)
    _py(sub, MODULE, PROLOGUE + ["    " + SAMPLES[index]])
    flags = scan(sub, rel)
    what = PATTERNS[index][1]
    assert flags == [f"{MODULE}, line 5: {what}: `{SAMPLES[index]}`"]


@pytest.mark.parametrize("line,index", MORE)
def test_more_lines_of_each_category(folders, line, index):
    sub, _ = folders
    _py(sub, MODULE, [line])
    flags = scan(sub, folders[1])
    assert len(flags) == 1 and PATTERNS[index][1] in flags[0]


@pytest.mark.parametrize("index", range(len(SAMPLES)))
def test_each_category_is_flagged_in_a_notebook_cell(folders, index):
    sub, rel = folders
    _nb(rel, "knn.ipynb", new_markdown_cell("# k-NN"), _graded_cell("# your code here\npass", "knn_code"))
    _nb(sub, "knn.ipynb", new_markdown_cell("# k-NN"),
        _graded_cell(f"x = 1\n{SAMPLES[index]}", "knn_code"), new_code_cell(SAMPLES[index]))
    flags = scan(sub, rel)
    what = PATTERNS[index][1]
    assert flags == [f"knn.ipynb, cell knn_code, line 2: {what}: `{SAMPLES[index]}`",
                     f"knn.ipynb, cell 3, line 1: {what}: `{SAMPLES[index]}`"]


@pytest.mark.parametrize("index", range(len(SAMPLES)))
def test_a_line_that_is_in_the_release_is_not_flagged(folders, index):
    sub, rel = folders
    line = SAMPLES[index]
    _py(rel, MODULE, PROLOGUE + [f"        {line}"])  # other indentation: lines compare stripped
    _py(sub, MODULE, PROLOGUE + [f"    {line}", "    x = 2"])
    _nb(rel, "knn.ipynb", new_code_cell(f"import numpy as np\n{line}"))
    _nb(sub, "knn.ipynb", new_code_cell(f"{line}\nimport numpy as np"), new_code_cell(f"  {line}"))
    assert scan(sub, rel) == []


def test_a_release_line_in_another_file_does_not_excuse_the_line(folders):
    sub, rel = folders
    _py(rel, "cs231n/other.py", [SAMPLES[0]])
    _py(sub, MODULE, [SAMPLES[0]])
    _nb(rel, "svm.ipynb", new_code_cell(SAMPLES[6]))
    _nb(sub, "knn.ipynb", new_code_cell(SAMPLES[6]))
    flags = scan(sub, rel)
    assert len(flags) == 2


@pytest.mark.parametrize("index", range(len(SAMPLES)))
def test_a_commented_line_is_not_flagged(folders, index):
    sub, rel = folders
    _py(sub, MODULE, PROLOGUE + [f"    # {SAMPLES[index]}", f"#{SAMPLES[index]}"])
    _nb(sub, "knn.ipynb", new_code_cell(f"   # {SAMPLES[index]}\nx = 1"))
    assert scan(sub, rel) == []


@pytest.mark.parametrize("line", CLEAN)
def test_ordinary_code_is_not_flagged(folders, line):
    sub, rel = folders
    _py(sub, MODULE, [line])
    _nb(sub, "knn.ipynb", new_code_cell(line))
    assert scan(sub, rel) == []


def test_one_flag_per_line_with_its_number(folders):
    sub, rel = folders
    _py(sub, MODULE, ["import numpy as np", "import socket, subprocess", "", "np.sum = len"])
    flags = scan(sub, rel)
    assert [f.split(": ")[0] for f in flags] == [f"{MODULE}, line 2", f"{MODULE}, line 4"]


def test_a_long_line_is_shortened(folders):
    sub, rel = folders
    line = "np.allclose = lambda *args, **kwargs: True  " + "x" * 100
    _py(sub, MODULE, [line])
    (flag,) = scan(sub, rel)
    shown = flag.split("`")[1]
    assert len(shown) == 80 and shown.endswith("...") and shown.startswith("np.allclose = lambda")


def test_caches_links_other_files_and_unreadable_notebooks_are_skipped(folders, tmp_path):
    sub, rel = folders
    _py(sub, "cs231n/__pycache__/k.py", [SAMPLES[0]])
    _nb(sub, ".ipynb_checkpoints/knn-checkpoint.ipynb", new_code_cell(SAMPLES[0]))
    _py(sub, "notes.txt", [SAMPLES[0]])
    (sub / "broken.ipynb").write_text("{not json")
    (sub / "list.ipynb").write_text("[1, 2]")
    outside = _py(tmp_path, "outside.py", [SAMPLES[0]])
    os.symlink(outside, sub / "link.py")
    assert scan(sub, rel) == []


def test_cells_that_are_not_code_are_not_read(folders):
    sub, rel = folders
    _nb(sub, "knn.ipynb", new_markdown_cell(SAMPLES[0]), new_raw_cell(SAMPLES[8]))
    assert scan(sub, rel) == []


def test_notebook_sources_stored_as_a_list_of_lines(folders):
    sub, rel = folders
    cell = {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None,
            "source": ["x = 1\n", "import socket\n"]}
    (sub / "knn.ipynb").write_text(json.dumps({"cells": [cell], "metadata": {}, "nbformat": 4,
                                               "nbformat_minor": 5}))
    (flag,) = scan(sub, rel)
    assert flag.startswith("knn.ipynb, cell 1, line 2: uses the network")


def test_a_trailing_comment_is_not_flagged(folders):
    sub, rel = folders
    _py(sub, MODULE, ["x = np.zeros(3)  # no socket or subprocess here"])
    assert scan(sub, rel) == []
