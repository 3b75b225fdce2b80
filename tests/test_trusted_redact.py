"""grading.trusted.redact: an output that prints hidden-test inputs (the floats the test server sent
to the kernel) is replaced by a notice; unrelated numbers, accuracies and short numbers stay."""

from __future__ import annotations

import nbformat
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from grading.trusted.redact import MANY, MIN_MATCHES, NOTICE, redact
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output


def _stream(text, name="stdout"):
    return new_output("stream", name=name, text=text)


def _result(text, mime="text/plain"):
    return new_output("execute_result", data={mime: text}, execution_count=1)


def _display(text, mime="text/plain"):
    return new_output("display_data", data={mime: text})


def _write(path, *cells):
    nb = new_notebook(cells=list(cells))
    nbformat.write(nb, path)
    return path


def _outputs(path):
    nb = nbformat.read(path, as_version=4)
    return [[dict(o) for o in cell.get("outputs", [])] for cell in nb.cells]


def _cell(*outputs, source="x"):
    cell = new_code_cell(source)
    cell.outputs = list(outputs)
    return cell


@pytest.fixture
def hidden():
    """What the test server sent: a few arrays of random inputs (float64 and float32), flattened."""
    rng = np.random.default_rng(2024)
    X = rng.standard_normal((6, 5))
    W = (0.001 * rng.standard_normal((5, 3))).astype(np.float32)
    y = rng.standard_normal(40).astype(np.float32)
    sent = np.concatenate([X.ravel(), W.astype(np.float64).ravel(), y.astype(np.float64).ravel()])
    return {"X": X, "W": W, "y": y, "sent": sent}


# ----------------------------------------------------------------------------- removed

@pytest.mark.parametrize("shown", ["X", "W", "y"])
def test_printing_a_tracked_input_array_is_removed(tmp_path, hidden, shown):
    arr = hidden[shown]
    nb = _write(tmp_path / "knn.ipynb", _cell(_stream(f"the inputs were\n{arr}\n")))  # print(arr)
    assert redact(nb, hidden["sent"]) == 1
    assert _outputs(nb) == [[dict(_stream(NOTICE))]]


@pytest.mark.parametrize("make", [
    lambda a: _result(repr(a)),                                  # the cell's last expression
    lambda a: _display(repr(a)),                                 # display(arr)
    lambda a: _display(f"<pre>{a}</pre>", "text/html"),
    lambda a: _result(str(a.tolist())),                          # a list prints 17 digits
    lambda a: _stream(str(a), name="stderr"),
    lambda a: _stream(np.array2string(a[:3], separator=", ")),
])
def test_every_kind_of_text_output_is_looked_at(tmp_path, hidden, make):
    nb = _write(tmp_path / "knn.ipynb", _cell(make(hidden["X"])))
    assert redact(nb, hidden["sent"]) == 1
    assert _outputs(nb)[0][0]["text"] == NOTICE


def test_only_the_outputs_that_show_inputs_are_replaced(tmp_path, hidden):
    unrelated = np.random.default_rng(99).standard_normal((6, 5))
    nb = _write(tmp_path / "svm.ipynb",
                new_markdown_cell(f"{hidden['X']}"),
                _cell(_stream("training...\n"), _stream(f"{hidden['X']}\n"), _result("0.274")),
                _cell(_stream(f"{unrelated}\n")),
                _cell(_display(repr(hidden["y"]))))
    assert redact(nb, hidden["sent"]) == 2
    outputs = _outputs(nb)
    assert outputs[0] == []  # a markdown cell has none (and is left alone)
    assert outputs[1][0]["text"] == "training...\n"
    assert outputs[1][1]["text"] == NOTICE
    assert outputs[1][2]["data"] == {"text/plain": "0.274"}
    assert outputs[2][0]["text"] == f"{unrelated}\n"
    assert outputs[3][0]["text"] == NOTICE
    assert nbformat.read(nb, as_version=4).cells[0].source == f"{hidden['X']}"


@settings(max_examples=15, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(3, 8), st.integers(4, 8), st.sampled_from([np.float64, np.float32]),
       st.floats(0.1, 100.0))
def test_any_printed_input_array_is_removed(tmp_path_factory, seed, n, d, dtype, scale):
    """(At least 12 entries: of a handful of printed numbers nearly all must match, and numpy's 8 decimals
    leave a number below 0.05 more than 1e-7 away from the input now and then.)"""
    arr = (scale * np.random.default_rng(seed).standard_normal((n, d))).astype(dtype)
    nb = _write(tmp_path_factory.mktemp("nb") / "a.ipynb", _cell(_stream(f"{arr}\n")))
    assert redact(nb, arr.astype(np.float64).ravel()) == 1


@settings(max_examples=15, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(0, 2**32 - 1))
def test_unrelated_random_numbers_are_kept(tmp_path_factory, seed, other):
    if seed == other:
        other += 1
    sent = np.random.default_rng(seed).standard_normal(500)
    printed = np.random.default_rng([other, 1]).standard_normal((10, 8))
    nb = _write(tmp_path_factory.mktemp("nb") / "a.ipynb", _cell(_stream(f"{printed}\n")))
    assert redact(nb, sent) == 0


# ----------------------------------------------------------------------------- kept

@pytest.mark.parametrize("text", [
    "Got 137 / 500 correct => accuracy: 0.274000\n",
    "accuracy 0.274 0.281 0.290 0.301 0.256 0.264 0.270\n",
    "lr 1.000000e-07 reg 2.500000e+04 train accuracy: 0.327429 val accuracy: 0.339000\n" * 10,
    "loss: 2.302585\nsanity check: 2.302585\n",
    "Difference was: 0.000000\n" * 10,
    "[1. 2. 3. 4. 5. 6. 7. 8.]\n",
])
def test_accuracies_round_and_short_numbers_are_kept(tmp_path, hidden, text):
    nb = _write(tmp_path / "a.ipynb", _cell(_stream(text)))
    assert redact(nb, hidden["sent"]) == 0
    assert _outputs(nb)[0][0]["text"] == text


def test_short_prints_of_inputs_are_kept(tmp_path, hidden):
    """Four long numbers, or the inputs rounded to a few digits, are not enough to rebuild a test."""
    X = hidden["X"]
    texts = [f"{X.ravel()[:MIN_MATCHES - 1]}\n", f"{np.round(X, 3)}\n", np.array2string(X, precision=4)]
    nb = _write(tmp_path / "a.ipynb", *[_cell(_stream(t)) for t in texts])
    assert redact(nb, hidden["sent"]) == 0


def test_a_few_inputs_among_many_other_numbers_are_kept(tmp_path, hidden):
    others = np.random.default_rng(7).standard_normal(100)
    few = np.concatenate([hidden["X"].ravel()[:MIN_MATCHES], others])
    many = np.concatenate([hidden["X"].ravel()[:MANY], others])
    nb = _write(tmp_path / "a.ipynb", _cell(_stream(f"{few}\n")), _cell(_stream(f"{many}\n")))
    assert redact(nb, hidden["sent"]) == 1  # MIN_MATCHES of 105 is kept; MANY of 120 is removed
    outputs = _outputs(nb)
    assert outputs[0][0]["text"] == f"{few}\n" and outputs[1][0]["text"] == NOTICE


def test_nothing_tracked_leaves_the_file_untouched(tmp_path, hidden):
    nb = _write(tmp_path / "a.ipynb", _cell(_stream(f"{hidden['X']}\n")))
    before = nb.read_bytes()
    for sent in (np.zeros(0), np.array([0.5]), np.zeros(100), np.array([np.nan, np.inf, 0.3])):
        assert redact(nb, sent) == 0
    assert nb.read_bytes() == before


def test_no_match_does_not_rewrite_the_file(tmp_path, hidden):
    nb = tmp_path / "a.ipynb"
    nb.write_text(nbformat.writes(new_notebook(cells=[_cell(_stream("hello\n"))]), version=4).replace("\n", "\n  "))
    before = nb.read_bytes()
    assert redact(nb, hidden["sent"]) == 0
    assert nb.read_bytes() == before


def test_an_error_output_that_shows_inputs_is_removed(tmp_path, hidden):
    error = new_output("error", ename="ValueError", evalue=str(hidden["X"]),
                       traceback=["ValueError Traceback", f"ValueError: {hidden['X']}"])
    nb = _write(tmp_path / "a.ipynb", _cell(error))
    assert redact(nb, hidden["sent"]) == 1
