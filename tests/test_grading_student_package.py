"""grading.tool.student_package: solution regions of the student package are stripped exactly,
anything unsafe is refused with file and line, and autograding keeps the student's modules."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from grading.markers import CODE_STUB
from grading.tool.student_package import StripError, strip_source, strip_tree, student_files

SOURCE = '''import numpy as np


class Knn:
    def predict(self, X):
        """Docstring stays."""
        X = np.asarray(X)
        ### BEGIN SOLUTION
        return X * 2  # the answer
        ### END SOLUTION


def loss(W):
    for i in range(3):
        ### BEGIN SOLUTION
        W = W + i
        ### END SOLUTION
    return W
'''


def checked_in(name):
    return {"Knn": "knn.ipynb", "loss": "svm.ipynb"}[name]


def test_each_region_becomes_a_stub_naming_the_function_and_notebook():
    out = strip_source(SOURCE, "cs231n/m.py", checked_in)
    assert "the answer" not in out and "W = W + i" not in out and "SOLUTION" not in out
    assert 'raise NotImplementedError("Knn.predict is not written yet; checked in knn.ipynb")' in out
    assert '        raise NotImplementedError("loss is not written yet; checked in svm.ipynb")' in out
    assert '"""Docstring stays."""' in out and "X = np.asarray(X)" in out and out.count(CODE_STUB) == 2
    namespace = {}
    exec(compile(out, "m.py", "exec"), namespace)
    with pytest.raises(NotImplementedError, match="Knn.predict"):
        namespace["Knn"]().predict([1])


@pytest.mark.parametrize("text, message", [
    ("def f():\n    ### BEGIN SOLUTION\n    return 1\n", "line 2: ### BEGIN SOLUTION is never closed"),
    ("def f():\n    return 1\n    ### END SOLUTION\n", "line 3: ### END SOLUTION without"),
    ("def f():\n    ### BEGIN SOLUTION\n    ### BEGIN SOLUTION\n", "line 3: ### BEGIN SOLUTION inside the region opened on line 2"),
    ("x = 1  ### BEGIN SOLUTION\n", "line 1: a solution marker must stand alone"),
    ("### BEGIN HIDDEN TESTS\nassert True\n### END HIDDEN TESTS\n", "line 1: hidden tests belong in grading/hidden"),
    ("def f(x):\n    ### BEGIN SOLUTION\n    if x:\n    ### END SOLUTION\n        return 1\n", "would not parse"),
])
def test_unsafe_modules_are_refused_with_file_and_line(text, message):
    with pytest.raises(StripError, match=f"cs231n/m.py.*{message}"):
        strip_source(text, "cs231n/m.py", lambda name: "nb.ipynb")


@given(st.lists(st.sampled_from(["x = 1", "def f():", "    return 2", "# comment", "", "class A:", "    pass"]), max_size=12))
def test_text_without_markers_is_unchanged(lines):
    text = "\n".join(lines)
    try:
        compile(text, "m.py", "exec")
    except SyntaxError:
        return
    assert strip_source(text, "m.py", lambda name: "nb.ipynb") == text


def test_strip_tree_and_student_files(tmp_path):
    a = tmp_path / "source" / "assignment9"
    (a / "cs231n" / "classifiers").mkdir(parents=True)
    (a / "cs231n" / "__init__.py").write_text('"""provided, no solution"""\n')
    (a / "cs231n" / "classifiers" / "m.py").write_text(SOURCE)
    (a / "knn.ipynb").write_text('{"source": "load(\\"cs231n.classifiers.m\\", \\"Knn\\")"}')
    (a / "svm.ipynb").write_text('{"source": "load(\\"cs231n.classifiers.m\\", \\"loss\\")"}')
    assert student_files(tmp_path / "source") == {"assignment9": ["cs231n/classifiers/m.py"]}
    changed = strip_tree(a)
    assert changed == [a / "cs231n" / "classifiers" / "m.py"]
    text = changed[0].read_text()
    assert "checked in knn.ipynb" in text and "checked in svm.ipynb" in text
    assert (a / "cs231n" / "__init__.py").read_text() == '"""provided, no solution"""\n'
