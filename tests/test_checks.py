import subprocess
import sys
import textwrap

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from hypothesis.extra.numpy import arrays

from cs231n_lib import checks
from cs231n_lib.checks import (
    DEFAULT_HINTS,
    KINDS,
    CheckFailed,
    Mismatch,
    check_close,
    check_equal,
    check_true,
    describe_mismatch,
    find_mismatch,
    find_unequal,
    format_mismatch,
    hint_for,
    raise_mismatch,
)

HINTS = {
    "none": "NONE-HINT",
    "type": "NOT-A-NUMBER-HINT",
    "shape": "SHAPE-HINT",
    "dtype": "DTYPE-HINT",
    "nonfinite": "NONFINITE-HINT",
    "values": "VALUES-HINT",
}


def _failure(func, *args, **kwargs) -> str:
    with pytest.raises(CheckFailed) as info:
        func(*args, **kwargs)
    return str(info.value)


def _only_hint(message, kind):
    """The message carries the hint of ``kind`` and no other hint of the table."""
    assert f"Likely cause: {HINTS[kind]}" in message, message
    for other, text in HINTS.items():
        if other != kind:
            assert text not in message, (kind, message)


# ---------------------------------------------------------------- passing checks


def test_pass_prints_error_beside_threshold_and_returns_none(capsys):
    assert check_close("dists", np.ones((2, 3)), np.ones((2, 3)), tol=1e-6) is None
    out = capsys.readouterr().out
    assert out == "dists: relative error 0.00e+00 (threshold 1e-06)  OK\n"


def test_pass_line_shows_the_measured_error(capsys):
    check_close("loss", 1.0 + 1e-9, 1.0, tol=1e-7)
    out = capsys.readouterr().out
    assert "relative error 5.00e-10 (threshold 1e-07)  OK" in out


def test_threshold_is_not_rounded_away(capsys):
    check_close("x", 1.0, 1.0, tol=2.5e-3)
    assert "(threshold 0.0025)" in capsys.readouterr().out


def test_no_check_returns_a_value(capsys):
    assert check_equal("labels", [0, 1], [0, 1]) is None
    assert check_true("ok", True, measured=0.9, threshold=0.8) is None
    assert check_close("quiet", 1.0, 1.0, verbose=False) is None
    out = capsys.readouterr().out
    assert "labels: all 2 entries match  OK" in out and "ok: measured 0.9 (threshold 0.8)  OK" in out
    assert "quiet" not in out


def test_a_failure_is_not_printed_before_it_is_raised(capsys):
    _failure(check_close, "loss", 2.0, 1.0, hints="forgot the 1/N")
    _failure(check_equal, "labels", [1], [0])
    _failure(check_true, "acc", False)
    assert capsys.readouterr().out == ""


# ---------------------------------------------------------------- kinds and their hints


@pytest.mark.parametrize("actual, expected, kwargs, kind", [
    (None, np.zeros(2), {}, "none"),
    ((1.0, np.zeros(3)), 1.0, {}, "type"),
    (np.array([{}, 1], dtype=object), np.zeros(2), {}, "type"),
    ("1.0", 1.0, {}, "type"),
    (np.zeros(2, complex), np.zeros(2), {}, "type"),
    (np.zeros((3, 5)), np.zeros((5, 3)), {}, "shape"),
    (np.zeros(3), np.zeros((3, 1)), {}, "shape"),
    (np.zeros(2), np.zeros(2, np.float32), {"dtype": np.float32}, "dtype"),
    (np.array([1.0, np.nan]), np.array([1.0, 2.0]), {}, "nonfinite"),
    (np.array([1.0, np.inf]), np.array([1.0, 2.0]), {}, "nonfinite"),
    (np.array([1.0, 3.0]), np.array([1.0, 2.0]), {}, "values"),
    (2.0, 1.0, {}, "values"),
])
def test_each_kind_is_found_and_gets_its_own_hint(actual, expected, kwargs, kind):
    m = find_mismatch(actual, expected, name="result", **kwargs)
    assert isinstance(m, Mismatch) and m.kind == kind and m.kind in KINDS
    assert m.message.startswith("result")
    assert "\n" not in m.message and "Likely cause" not in m.message
    _only_hint(_failure(check_close, "result", actual, expected, hints=HINTS, **kwargs), kind)


def test_a_transposed_result_gets_the_shape_hint_not_the_values_hint():
    hints = {"values": "do not forget the square root"}
    msg = _failure(check_close, "dists", np.zeros((7, 13)), np.zeros((13, 7)), hints=hints)
    assert "dists has shape (7, 13) but expected (13, 7)." in msg
    assert "square root" not in msg
    assert "Likely cause: same number of entries: a transpose or reshape is off." in msg


def test_an_axis_too_many_or_few_gets_the_keepdims_hint():
    for got, want in [((5,), (5, 1)), ((4, 3), (4,)), ((5, 1), (5,))]:
        m = find_mismatch(np.zeros(got), np.zeros(want))
        assert m.kind == "shape" and "keepdims" in hint_for(m), (got, want)
    assert "wrong length" in hint_for(find_mismatch(np.zeros((5, 3)), np.zeros((5, 4))))


def test_float64_result_with_dtype_float32_gets_the_dtype_hint():
    x = np.ones(3, np.float32)
    msg = _failure(check_close, "dists", x.astype(np.float64), x, dtype=np.float32,
                   hints={"values": "VALUES", "nonfinite": "NONFINITE"})
    assert msg.startswith("dists has dtype float64 but expected float32.")
    assert "Likely cause: " + DEFAULT_HINTS["dtype"] in msg and "VALUES" not in msg
    # without dtype= the dtype is not enforced
    check_close("dists", x.astype(np.float64), x, verbose=False)


def test_old_keywords_still_work(capsys):
    msg = _failure(check_close, "loss", 2.0, 1.0, hint="forgot the 1/N")
    assert msg.endswith("\nLikely cause: forgot the 1/N")
    msg = _failure(check_close, "x", np.zeros(2), np.zeros(2, np.float32), check_dtype=np.float32)
    assert "expected float32" in msg
    assert "dtype float64" in describe_mismatch(np.zeros(2), np.zeros(2, np.float32), check_dtype=np.float32)
    _failure(check_equal, "labels", [1], [0], hint="H")
    check_equal("labels", [0], [0], verbose=False)
    check_true("t", True, verbose=False)
    assert capsys.readouterr().out == ""


def test_a_string_hint_is_only_for_wrong_values():
    msg = _failure(check_close, "dists", np.zeros((2, 3)), np.zeros((3, 2)), hints="take the square root")
    assert "square root" not in msg and "transpose" in msg
    msg = _failure(check_close, "dists", np.ones((2, 3)), np.zeros((2, 3)), 1e-7, "take the square root")
    assert msg.endswith("Likely cause: take the square root")


def test_nan_gets_the_nonfinite_hint_and_callers_can_be_specific():
    got = np.array([[1.0, 2.0], [np.nan, np.inf]])
    msg = _failure(check_close, "probs", got, np.ones((2, 2)), hints={"values": "V"})
    assert "probs has 2 non-finite value(s) (nan/inf: 1 nan, 1 inf), first at index (1, 0)." in msg
    assert msg.endswith("Likely cause: " + DEFAULT_HINTS["nonfinite"])
    assert "exp" not in DEFAULT_HINTS["nonfinite"]  # wrong for distances; callers say it
    msg = _failure(check_close, "probs", got, np.ones((2, 2)), hints={"nonfinite": "exp overflows for large scores"})
    assert msg.endswith("Likely cause: exp overflows for large scores")


def test_values_have_no_generic_hint_except_a_common_factor():
    want = np.arange(1.0, 7.0).reshape(2, 3)
    got = want.copy()
    got[1, 1] += 1
    assert "Likely cause" not in _failure(check_close, "dW", got, want)
    msg = _failure(check_close, "dW", 2 * want, want)
    assert "Every entry is 2 times the expected one." in msg and "constant" in msg
    assert "-1 times" in _failure(check_close, "dW", -want, want)
    assert "Likely cause" not in _failure(check_close, "loss", 2.0, 1.0)  # one number: no factor claim


def test_value_mismatch_reports_max_error_count_and_first_bad_index():
    want = np.arange(12.0).reshape(3, 4) + 1
    got = want.copy()
    got[1, 2] += 5
    got[2, 3] += 1
    msg = describe_mismatch(got, want, tol=1e-7, name="dW")
    assert msg.startswith("dW: max relative error ")
    assert "exceeds threshold 1e-07; 2 of 12 entries are off, first at index (1, 2) (got 12, expected 7)." in msg
    assert "[" not in msg


def test_matching_nan_and_inf_are_not_a_mismatch(capsys):
    a = np.array([1.0, np.nan, np.inf])
    check_close("x", a, a.copy())
    assert "relative error 0.00e+00" in capsys.readouterr().out
    assert find_mismatch(np.array([1.0, 2.0]), np.array([1.0, np.nan])).kind == "values"


def test_tol_inf_checks_only_shape_dtype_and_nonfinite():
    assert find_mismatch(np.ones(3) * 5, np.ones(3), tol=np.inf) is None
    assert find_mismatch(np.array([np.nan]), np.ones(1), tol=np.inf).kind == "nonfinite"


def test_unknown_hint_kind_is_an_error():
    with pytest.raises(ValueError, match="shapes"):
        check_close("x", 1.0, 1.0, hints={"shapes": "typo"})


# ---------------------------------------------------------------- check_equal and check_true


def test_check_equal_kinds_and_hints():
    msg = _failure(check_equal, "labels", [0, 2, 2], [0, 1, 2], hints=HINTS)
    assert msg.startswith("labels: 1 of 3 entries differ, first at index (1,) (got 2, expected 1).")
    _only_hint(msg, "values")
    msg = _failure(check_equal, "labels", np.zeros((17, 5)), np.zeros(17), hints=HINTS)
    assert "labels has shape (17, 5) but expected (17,)." in msg
    _only_hint(msg, "shape")
    _only_hint(_failure(check_equal, "labels", None, [0], hints=HINTS), "none")
    assert find_unequal(3, 4, name="count").message == "count: got 3, expected 4."


def test_check_true_reports_the_number_and_its_hint():
    msg = _failure(check_true, "accuracy", False, measured=0.5, threshold=0.8, hint="train longer")
    assert msg == "accuracy: measured 0.5 (threshold 0.8) FAILED\nLikely cause: train longer"
    msg = _failure(check_true, "median error", False, measured=float("nan"), threshold=1e-6,
                   hint={"values": "V", "nonfinite": "the gradient has nan"})
    assert "measured nan" in msg and msg.endswith("Likely cause: the gradient has nan")
    assert _failure(check_true, "finite", False) == "finite: FAILED"
    check_true("n", True, measured=np.int64(3), threshold=3)


# ---------------------------------------------------------------- building messages (hidden tests)


def test_raise_mismatch_builds_the_same_message_as_check_close():
    got, want = np.zeros((3, 2)), np.zeros((2, 3))
    m = find_mismatch(got, want, name="dW")
    with pytest.raises(CheckFailed) as info:
        raise_mismatch("dW", m, HINTS)
    assert str(info.value) == _failure(check_close, "dW", got, want, hints=HINTS) == format_mismatch(m, HINTS)
    assert raise_mismatch("dW", None, HINTS) is None
    # a message that does not name the check gets the name in front
    assert format_mismatch(Mismatch("values", "off by one"), name="loss") == "loss: off by one"


def test_mismatch_is_a_small_frozen_dataclass():
    m = Mismatch("shape", "x has shape (1,) but expected (2,).")
    assert (m.kind, m.message) == ("shape", "x has shape (1,) but expected (2,).")
    assert m == find_mismatch(np.zeros(1), np.zeros(2), name="x")
    with pytest.raises(AttributeError):
        m.kind = "values"
    assert set(checks.__all__) >= {"CheckFailed", "Mismatch", "find_mismatch", "describe_mismatch",
                                   "raise_mismatch", "check_close", "check_equal", "check_true"}


# ---------------------------------------------------------------- how a failure is shown


def test_render_traceback_is_the_message_once_without_frames():
    try:
        check_close("dists", np.zeros((3, 5)), np.zeros((5, 3)), hints={"shape": "look at the axes"})
    except CheckFailed as exc:
        lines = exc._render_traceback_()
        text = "\n".join(lines)
    assert lines == ["CheckFailed: dists has shape (3, 5) but expected (5, 3).", "Likely cause: look at the axes"]
    assert text.count("has shape") == 1 and "File" not in text and "checks.py" not in text


def test_plain_python_traceback_still_shows_the_message():
    code = "import numpy as np\nfrom cs231n_lib.checks import check_close\ncheck_close('loss', 2.0, 1.0, hints='H')\n"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 1
    assert "CheckFailed: loss: relative error 3.333e-01 exceeds threshold 1e-07 (got 2, expected 1)." in proc.stderr
    assert "Likely cause: H" in proc.stderr and proc.stdout == ""


# ---------------------------------------------------------------- properties

finite = st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False)
shapes = st.lists(st.integers(1, 4), min_size=0, max_size=3).map(tuple)


@given(arrays(np.float64, shapes, elements=st.floats(allow_nan=True, allow_infinity=True)))
def test_an_array_always_matches_itself(a):
    assert find_mismatch(a, a.copy(), tol=0) is None
    check_close("x", a, a.copy(), tol=0, verbose=False)


@given(arrays(np.float64, st.integers(1, 20), elements=st.floats(1.0, 1e3)), st.data())
def test_any_changed_entry_is_reported_first(a, data):
    i = data.draw(st.integers(0, a.size - 1))
    b = a.copy()
    b[i] = -b[i]
    m = find_mismatch(b, a, tol=1e-9)
    assert m.kind == "values" and f"first at index ({i},)" in m.message


@given(st.integers(2, 6), st.integers(2, 6), st.data())
def test_a_transposed_non_square_array_is_reported_as_shape(rows, cols, data):
    if rows == cols:
        cols += 1
    a = data.draw(arrays(np.float64, (rows, cols), elements=finite))
    m = find_mismatch(a.T, a, name="dists")
    assert m.kind == "shape" and "transpose or reshape" in hint_for(m, {"values": "V"})
    m = find_mismatch(np.moveaxis(a[None], 0, -1), a[None], name="dists")  # (1, r, c) -> (r, c, 1)
    assert m.kind == "shape"


_kind_cases = st.sampled_from(KINDS)


def _make(kind, rng):
    want = rng.standard_normal((3, 4)) + 5
    return {
        "none": (None, want, {}),
        "type": ([want, want[0]], want, {}),
        "shape": (want.T, want, {}),
        "dtype": (want, want.astype(np.float32), {"dtype": np.float32}),
        "nonfinite": (np.where(want > 5, np.nan, want), want, {}) if (want > 5).any() else (want / 0, want, {}),
        "values": (want + 1, want, {}),
    }[kind]


@settings(max_examples=60)
@given(_kind_cases, st.text(st.characters(categories=["L", "N"]), min_size=1, max_size=12), st.integers(0, 10**6))
def test_every_mismatch_kind_names_the_check_and_gets_its_hint(kind, name, seed):
    actual, expected, kwargs = _make(kind, np.random.default_rng(seed))
    m = find_mismatch(actual, expected, name=name, **kwargs)
    assert m.kind == kind and m.message.startswith(name)
    msg = _failure(check_close, name, actual, expected, hints=HINTS, **kwargs)
    assert msg.startswith(name)
    _only_hint(msg, kind)
    generic = format_mismatch(m)  # no table: the generic hint, if the kind has one
    assert ("Likely cause" in generic) == (kind != "values")


@given(arrays(np.int64, shapes, elements=st.integers(-5, 5)))
def test_check_equal_of_an_array_with_itself_passes(a):
    assert find_unequal(a, a.copy()) is None


# ---------------------------------------------------------------- in a real kernel

KERNEL_CELL = textwrap.dedent("""\
    import numpy as np
    from cs231n_lib.checks import check_close
    check_close("dists", np.zeros((3, 5)), np.zeros((5, 3)), hints={"values": "take the square root"})
""")


@pytest.mark.slow
def test_in_a_kernel_the_failure_shows_once_and_a_pass_has_no_result(tmp_path):
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"display_name": "Python 3", "language": "python", "name": "python3"}
    nb.cells = [
        nbformat.v4.new_code_cell("import numpy as np\nfrom cs231n_lib.checks import check_close\n"
                                  "check_close('loss', 1.0, 1.0)"),
        nbformat.v4.new_code_cell(KERNEL_CELL),
    ]
    from pathlib import Path
    root = str(Path(checks.__file__).resolve().parents[1])
    nbclient.NotebookClient(nb, timeout=60, kernel_name="python3", allow_errors=True,
                            resources={"metadata": {"path": root}}).execute()
    passed, failed = nb.cells
    assert [o["output_type"] for o in passed.outputs] == ["stream"]  # no execute_result
    assert passed.outputs[0]["text"] == "loss: relative error 0.00e+00 (threshold 1e-07)  OK\n"
    errors = [o for o in failed.outputs if o["output_type"] == "error"]
    assert len(errors) == 1 and [o["output_type"] for o in failed.outputs] == ["error"]
    err = errors[0]
    assert err["ename"] == "CheckFailed"
    assert err["evalue"] == "dists has shape (3, 5) but expected (5, 3).\n" \
                            "Likely cause: same number of entries: a transpose or reshape is off."
    assert err["traceback"] == ["CheckFailed: dists has shape (3, 5) but expected (5, 3).",
                                "Likely cause: same number of entries: a transpose or reshape is off."]
    assert "square root" not in "\n".join(err["traceback"])
