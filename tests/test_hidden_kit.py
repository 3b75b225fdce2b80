"""grading/hidden/kit.py: one relative error (relative to the reference's largest entry), the
tolerance table, comparisons that name what differs (max error, first bad index, the hint or
the diagnosed cause, the kind of mismatch), and careful calls of student code."""

import re

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from cs231n_lib.checks import CheckFailed
from grading.hidden import kit

finite = st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False)
arrays = hnp.arrays(np.float64, hnp.array_shapes(min_dims=0, max_dims=3, max_side=5), elements=finite)


def _pair(draw_shape):
    return st.tuples(*[hnp.arrays(np.float64, draw_shape, elements=finite)] * 2)


pairs = hnp.array_shapes(min_dims=0, max_dims=3, max_side=5).flatmap(_pair)


# --------------------------------------------------------------------------- rel_error

@given(arrays)
def test_rel_error_is_zero_for_equal_arrays(a):
    assert kit.rel_error(a, a.copy()) == 0.0


@settings(max_examples=50)
@given(pairs, st.floats(1e-3, 1e3), st.sampled_from([1.0, -1.0]))
def test_rel_error_does_not_change_when_both_arrays_are_scaled(pair, scale, sign):
    got, want = pair
    assume(want.size and np.max(np.abs(want)) > 1e-3)
    c = sign * scale
    assert kit.rel_error(c * got, c * want) == pytest.approx(kit.rel_error(got, want), rel=1e-9)
    assert kit.rel_error(-got, -want) == kit.rel_error(got, want)


def test_rel_error_is_relative_to_the_largest_entry_of_want():
    assert kit.rel_error([100.0, 2e-6], [100.0, 1e-6]) == pytest.approx(1e-8)
    assert kit.rel_error(np.float32(1.5), 1.0) == pytest.approx(0.5)
    assert kit.rel_error([3e-13, 0.0], [0.0, 0.0]) == pytest.approx(3e-13 / kit.TINY)
    assert kit.rel_error(np.zeros((0, 3)), np.zeros((0, 3))) == 0.0
    with pytest.raises(ValueError, match="shapes differ"):
        kit.rel_error(np.zeros(3), np.zeros((3, 1)))


# --------------------------------------------------------------------------- tolerances

def test_tolerance_table_keeps_the_assignment1_numbers_on_cpu_and_loosens_cuda_float32():
    assert kit.tolerance(np.float64) == kit.TOL[np.dtype(np.float64)] == 1e-8
    assert kit.tolerance("float32") == kit.TOL[np.dtype(np.float32)] == 2e-4
    for kind in ("default", "gradient"):
        assert kit.tolerance(np.float64, "cuda", kind) == kit.tolerance(np.float64, "cpu", kind)
        assert kit.tolerance(np.float32, "cuda", kind) > kit.tolerance(np.float32, "cpu", kind)
        assert kit.tolerance(np.float32, "cuda", "gradient") >= kit.tolerance(np.float32, "cuda", kind)
    with pytest.raises(ValueError, match="no tolerance for float16"):
        kit.tolerance(np.float16)
    with pytest.raises(ValueError, match="device='tpu'"):
        kit.tolerance(np.float32, "tpu")


def test_expect_close_picks_the_tolerance_of_dtype_device_and_kind():
    want = np.array([1.0, -2.0, 4.0])
    off = want + np.array([0.0, 0.0, 4.0 * 1e-3])  # rel_error 1e-3
    kit.expect_close("out", off, want, np.float32, device="cuda")
    with pytest.raises(CheckFailed, match="exceeds 2e-04"):
        kit.expect_close("out", off, want, np.float32)
    kit.expect_close("out", want.astype(np.float32), want, np.float32, keep_dtype=True)
    with pytest.raises(CheckFailed, match="has dtype float64 but expected float32"):
        kit.expect_close("out", want, want, np.float32, keep_dtype=True)


# --------------------------------------------------------------------------- compare

@settings(max_examples=50)
@given(hnp.arrays(np.float64, hnp.array_shapes(min_dims=1, max_dims=3, max_side=5), elements=finite),
       st.data(), st.sampled_from([1e-8, 2e-4, 1e-2]))
def test_compare_passes_within_tol_and_fails_just_beyond_naming_error_index_and_hint(want, data, tol):
    scale = float(np.max(np.abs(want)))
    assume(scale > 1e-3)
    index = tuple(data.draw(st.integers(0, n - 1)) for n in want.shape)
    inside, outside = want.copy(), want.copy()
    inside[index] += 0.9 * tol * scale
    outside[index] += 1.1 * tol * scale
    kit.compare("dx", inside, want, tol, "look at the chain rule")
    with pytest.raises(CheckFailed) as info:
        kit.compare("dx", outside, want, tol, "look at the chain rule")
    message = str(info.value)
    worst = float(re.match(r"dx: max error (\S+) relative to its largest entry exceeds", message).group(1))
    assert worst == pytest.approx(1.1 * tol, rel=1e-3)
    assert f"1 of {want.size} entries are off, first at index {index}" in message
    assert message.endswith("\nLikely cause: look at the chain rule")


def test_compare_of_a_number_says_got_expected_and_threshold():
    kit.compare("loss", np.array(2.0 + 1e-9), 2.0, 1e-8, "hint")  # a 0-d array is a number
    with pytest.raises(CheckFailed, match=r"^loss is 2\.1 but expected 2 \(relative error 5\.00e-02, threshold "
                                          r"1e-08\)\.\nLikely cause: hint$"):
        kit.compare("loss", 2.1, 2.0, 1e-8, "hint")


def test_diagnoses_name_the_first_cause_that_explains_the_numbers():
    want = np.array([1.0, 2.0, 3.0])
    diagnoses = [("the sign is wrong.", -want), ("no division by N.", 5 * want), ("also 5 N.", 5 * want)]
    with pytest.raises(CheckFailed, match=r"Likely cause: no division by N\.$"):
        kit.compare("dW", 5 * want, want, 1e-8, "generic", diagnoses)
    with pytest.raises(CheckFailed, match=r"Likely cause: the sign is wrong\.$"):
        kit.compare("dW", -want * (1 + 1e-10), want, 1e-8, "generic", diagnoses)
    with pytest.raises(CheckFailed, match=r"Likely cause: generic$"):
        kit.compare("dW", 4 * want, want, 1e-8, "generic", diagnoses)
    with pytest.raises(CheckFailed, match=r"Likely cause: generic$"):  # a diagnosis of another shape never matches
        kit.compare("dW", np.zeros(3), want, 1e-8, "generic", [("transposed.", np.zeros((3, 1)))])


@pytest.mark.parametrize("got, dtype, words", [
    (None, None, "dW is None: the function returned nothing.\nLikely cause: look for a missing `return`"),
    ((np.zeros(2), np.zeros(3)), None, "dW is a tuple of 2 items that is not one numeric array"),
    (np.zeros(3), None, "dW has shape (3,) but expected (2,).\nLikely cause: shape hint"),
    (np.zeros(2), np.float32, "dW has dtype float64 but expected float32."),
    (np.array([1.0, np.nan]), None, "dW has 1 non-finite value(s) (nan/inf: 1 nan, 0 inf), first at index (1,)."
                                    "\nLikely cause: nonfinite hint"),
])
def test_each_kind_of_mismatch_gets_its_message_and_hint(got, dtype, words):
    hints = {"shape": "shape hint", "nonfinite": "nonfinite hint", "values": "values hint"}
    with pytest.raises(CheckFailed) as info:
        kit.compare("dW", got, np.ones(2), 1e-8, hints, dtype=dtype)
    assert words in str(info.value)
    assert "values hint" not in str(info.value)


# --------------------------------------------------------------------------- calling student code

def test_plain_turns_numbers_from_student_code_into_python_scalars():
    assert kit.plain(np.array(0.3)) == 0.3 and type(kit.plain(np.array(0.3))) is float
    assert type(kit.plain(np.int64(3))) is int
    a = np.arange(3)
    assert kit.plain(a) is a and kit.plain(None) is None and kit.plain("x") == "x"


def test_call_on_copies_names_an_input_changed_in_place_and_never_hands_over_the_callers_array():
    x, w = np.ones(3), np.ones(2)

    def clobbers(a, b, reg):
        b -= 1
        return a.sum() + reg

    with pytest.raises(CheckFailed, match=r"^f changed its input w in place; work on new arrays \(no -=\)\.$"):
        kit.call_on_copies(clobbers, "f", x, w, 2.0, names=("x", "w", "reg"), advice="no -=")
    assert np.all(w == 1)
    assert kit.call_on_copies(lambda a, reg: a.sum() + reg, "f", x, 2.0) == 5.0
    with pytest.raises(CheckFailed, match="changed its input arg 0 in place"):
        kit.call_on_copies(lambda a: a.fill(0), "f", x)


def test_expect_tuple_says_what_came_back():
    out = (1.0, np.zeros(2))
    assert kit.expect_tuple(out, 2, "f must return (loss, dW)") is out
    with pytest.raises(CheckFailed, match=r"^f must return \(loss, dW\); got float\.$"):
        kit.expect_tuple(1.0, 2, "f must return (loss, dW)")
    with pytest.raises(CheckFailed, match=r"; got tuple of length 3\.$"):
        kit.expect_tuple((1, 2, 3), 2, "f must return (loss, dW)")


@settings(max_examples=30, deadline=None)
@given(st.integers(1, 12), st.integers(1, 6), st.integers(2, 6), st.integers(0, 2**16))
def test_random_problem_keeps_svm_margins_away_from_the_kink(N, D, C, seed):
    W, X, y = kit.random_problem(np.random.default_rng(seed), np.float32, N, D, C, min_margin_gap=1e-3)
    assert W.shape == (D, C) and X.shape == (N, D) and y.shape == (N,) and W.dtype == X.dtype == np.float32
    scores = X.astype(np.float64) @ W.astype(np.float64)
    margins = scores - scores[np.arange(N), y][:, None] + 1
    margins[np.arange(N), y] = np.inf
    assert np.min(np.abs(margins)) > 1e-3


def test_with_loss_replaces_loss_on_the_instance_and_reads_its_current_W():
    class Classifier:
        W = None

        def loss(self, X_batch, y_batch, reg):
            raise NotImplementedError

    seen = []
    clf = kit.with_loss(Classifier, lambda W, X, y, reg: seen.append((W, reg)) or (0.0, None))
    clf.W = "w1"
    clf.loss(None, None, reg=0.5)
    assert seen == [("w1", 0.5)] and type(clf) is Classifier
