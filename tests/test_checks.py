import numpy as np
import pytest
from hypothesis import given, strategies as st
from hypothesis.extra.numpy import arrays

from cs231n_lib.checks import CheckFailed, check_close, check_equal, check_true, describe_mismatch


def test_pass_prints_error_beside_threshold(capsys):
    err = check_close("dists", np.ones((2, 3)), np.ones((2, 3)), tol=1e-6)
    assert err == 0.0
    out = capsys.readouterr().out
    assert "relative error 0.00e+00" in out and "threshold 1e-06" in out and "OK" in out


def test_shape_mismatch_names_both_shapes_and_transpose_hint():
    msg = describe_mismatch(np.zeros((3, 5)), np.zeros((5, 3)), name="dists")
    assert "(3, 5)" in msg and "(5, 3)" in msg and "transpose" in msg


def test_value_mismatch_reports_max_error_and_first_bad_index():
    want = np.arange(12.0).reshape(3, 4) + 1
    got = want.copy()
    got[1, 2] += 5
    got[2, 3] += 1
    msg = describe_mismatch(got, want, tol=1e-7, name="dW")
    assert "first at index (1, 2)" in msg and "2 of 12 entries" in msg
    assert "max relative error" in msg


def test_hint_and_failure_raise(capsys):
    with pytest.raises(CheckFailed, match="Likely cause: forgot the 1/N"):
        check_close("loss", 2.0, 1.0, hint="forgot the 1/N")
    assert "FAILED" in capsys.readouterr().out


def test_dtype_nan_none_and_object():
    assert "dtype float64" in describe_mismatch(np.zeros(2), np.zeros(2, np.float32), check_dtype=np.float32)
    assert "non-finite" in describe_mismatch(np.array([1.0, np.nan]), np.array([1.0, 2.0]))
    assert "None" in describe_mismatch(None, np.zeros(2))
    assert "dtype object" in describe_mismatch(np.array([{}, 1], dtype=object), np.zeros(2))


def test_check_equal_and_true():
    check_equal("labels", [0, 1, 2], [0, 1, 2])
    with pytest.raises(CheckFailed, match=r"1 of 3 entries differ, first at index \(1,\)"):
        check_equal("labels", [0, 2, 2], [0, 1, 2])
    with pytest.raises(CheckFailed, match="measured 0.5"):
        check_true("accuracy", False, measured=0.5, threshold=0.8)


@given(arrays(np.float64, st.tuples(st.integers(1, 5), st.integers(1, 5)),
              elements=st.floats(-1e6, 1e6, allow_nan=False)))
def test_an_array_always_matches_itself(a):
    assert describe_mismatch(a, a.copy(), tol=0) is None


@given(arrays(np.float64, st.integers(1, 20), elements=st.floats(1.0, 1e3)), st.data())
def test_any_changed_entry_is_reported_first(a, data):
    i = data.draw(st.integers(0, a.size - 1))
    b = a.copy()
    b[i] = -b[i]
    msg = describe_mismatch(b, a, tol=1e-9)
    assert f"first at index ({i},)" in msg
