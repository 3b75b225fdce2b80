"""svm.ipynb: the solution notebook runs in fast mode, its nbgrader metadata is consistent,
its hidden tests pass on the solution and fail -- in their own cell only, with a message naming
what differs -- on deliberately broken variants; the solution agrees with the torch oracle on
random inputs, and the oracle with the formula it stands for."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from cs231n_lib.checks import CheckFailed
from notebook_checks import (assert_committed_clean, assert_metadata_matches_registry, assert_notebook_loads,
                             execute_fast, module_source, registered_hidden_tests, released_object, solution_object)
from grading.hidden import HiddenTestFailed, run_hidden
from grading.oracles import linear as oracle

REPO = Path(__file__).resolve().parent.parent
NOTEBOOK = REPO / "solutions" / "assignment1" / "svm.ipynb"

#: grade_id -> the notebook object its hidden test takes
GRADED = {
    "svm_naive_loss": "svm_loss_naive",
    "svm_naive_grad": "svm_loss_naive",
    "svm_vectorized_loss": "svm_loss_vectorized",
    "svm_vectorized_grad": "svm_loss_vectorized",
    "svm_train": "LinearClassifier",
    "svm_predict": "LinearClassifier",
}


def _read():
    return nbformat.read(NOTEBOOK, as_version=4)


LOSSES, CLASSIFIERS = "cs231n.classifiers.linear_svm", "cs231n.classifiers.linear_classifier"
#: object name -> the module of the student package that defines it
MODULES = {"svm_loss_naive": LOSSES, "svm_loss_vectorized": LOSSES,
           "LinearClassifier": CLASSIFIERS, "LinearSVM": CLASSIFIERS}


@pytest.fixture(scope="module")
def sol():
    return {name: solution_object(module, name) for name, module in MODULES.items()}


@pytest.fixture(scope="module")
def hidden():
    return registered_hidden_tests("svm_", GRADED)


# --------------------------------------------------------------------------- notebook structure

def test_notebook_is_committed_clean_with_python3_kernel():
    assert_committed_clean(_read())


def test_nbgrader_metadata_and_hidden_cells_match_the_registry(hidden):
    assert_metadata_matches_registry(_read(), "svm_", {gid: [name] for gid, name in GRADED.items()}, hidden)


def test_the_notebook_loads_from_the_student_package():
    assert_notebook_loads(_read(), LOSSES, "svm_loss_naive", "svm_loss_vectorized")
    assert_notebook_loads(_read(), CLASSIFIERS, "LinearClassifier", "LinearSVM")


def test_every_graded_method_has_its_own_solution_region():
    methods = re.split(r"\n    def ", module_source(CLASSIFIERS))
    (train,) = [m for m in methods if m.startswith("train(")]
    (predict,) = [m for m in methods if m.startswith("predict(")]
    assert train.count("### BEGIN SOLUTION") == 2  # minibatch sampling, update
    assert predict.count("### BEGIN SOLUTION") == 1


def test_released_package_defines_everything_and_hidden_tests_say_not_implemented():
    namespace = {name: released_object(module, name) for name, module in MODULES.items()}
    for gid, name in GRADED.items():
        with pytest.raises(HiddenTestFailed, match="not implemented|NotImplementedError"):
            run_hidden(gid, namespace[name])
    assert issubclass(namespace["LinearSVM"], namespace["LinearClassifier"])


# --------------------------------------------------------------------------- hidden tests

@pytest.mark.parametrize("gid", sorted(GRADED))
def test_hidden_test_passes_on_the_solution(sol, gid, capsys):
    run_hidden(gid, sol[GRADED[gid]])
    assert f"hidden test {gid}: passed" in capsys.readouterr().out


def _loss_variants(naive, vectorized):
    """Broken loss functions: name -> (which object it replaces, function, failing grade_ids, words)."""

    def data_only_loss(f):
        def g(W, X, y, reg):
            loss, dW = f(W, X, y, reg)
            return loss - reg * np.sum(W * W), dW
        return g

    def half_reg_grad(f):
        def g(W, X, y, reg):
            loss, dW = f(W, X, y, reg)
            return loss, dW - reg * W
        return g

    def negated_grad(f):
        def g(W, X, y, reg):
            loss, dW = f(W, X, y, reg)
            return loss, -dW
        return g

    def counts_correct_class(f):
        def g(W, X, y, reg):
            loss, dW = f(W, X, y, reg)
            return loss + 1.0, dW
        return g

    def grad_not_averaged(f):
        def g(W, X, y, reg):
            loss, dW = f(W, X, y, reg)
            return loss, (dW - 2 * reg * W) * len(X) + 2 * reg * W
        return g

    def loss_not_averaged(f):
        def g(W, X, y, reg):
            loss, dW = f(W, X, y, reg)
            return (loss - reg * np.sum(W * W)) * len(X) + reg * np.sum(W * W), dW
        return g

    def transposed_grad(f):
        def g(W, X, y, reg):
            loss, dW = f(W, X, y, reg)
            return loss, dW.T
        return g

    def float16(f):
        def g(W, X, y, reg):
            return f(W.astype(np.float16), X.astype(np.float16), y, reg)
        return g

    def modifies_input(f):
        def g(W, X, y, reg):
            X -= X.mean(axis=0)
            return f(W, X, y, reg)
        return g

    def returns_loss_only(f):
        return lambda W, X, y, reg: f(W, X, y, reg)[0]

    def loss_as_vector(f):
        def g(W, X, y, reg):
            loss, dW = f(W, X, y, reg)
            return np.full(len(X), loss), dW
        return g

    def sign_error_in_correct_column(W, X, y, reg):
        """The classic bug: dW[:, y[i]] += X[i] instead of -= X[i]."""
        loss, _ = vectorized(W, X, y, reg)
        scores = X.astype(np.float64) @ W.astype(np.float64)
        rows = np.arange(len(X))
        margins = scores - scores[rows, y][:, None] + 1
        margins[rows, y] = 0
        coeff = (margins > 0).astype(np.float64)
        coeff[rows, y] = coeff.sum(axis=1)
        return loss, X.T @ coeff / len(X) + 2 * reg * W

    return {
        "naive: no reg in the loss": ("svm_loss_naive", data_only_loss(naive), ["svm_naive_loss"],
                                      "reg * np.sum(W * W) is missing"),
        "naive: 1/2 in the reg gradient": ("svm_loss_naive", half_reg_grad(naive), ["svm_naive_grad"], "no 1/2"),
        "naive: sign error in dW": ("svm_loss_naive", negated_grad(naive), ["svm_naive_grad"], "wrong sign"),
        "naive: correct class counted": ("svm_loss_naive", counts_correct_class(naive), ["svm_naive_loss"],
                                         "j == y[i] must be skipped"),
        "naive: dW not divided by N": ("svm_loss_naive", grad_not_averaged(naive), ["svm_naive_grad"], "divided by N"),
        "naive: loss not divided by N": ("svm_loss_naive", loss_not_averaged(naive), ["svm_naive_loss"], "averaged over"),
        "naive: modifies X in place": ("svm_loss_naive", modifies_input(naive), ["svm_naive_loss", "svm_naive_grad"],
                                       "changed its input X in place"),
        "naive: returns only the loss": ("svm_loss_naive", returns_loss_only(naive),
                                         ["svm_naive_loss", "svm_naive_grad"], "must return a tuple (loss, dW)"),
        "vectorized: no reg in the loss": ("svm_loss_vectorized", data_only_loss(vectorized), ["svm_vectorized_loss"],
                                           "is missing from the loss"),
        "vectorized: correct class counted": ("svm_loss_vectorized", counts_correct_class(vectorized),
                                              ["svm_vectorized_loss"], "must be skipped"),
        "vectorized: loss per example": ("svm_loss_vectorized", loss_as_vector(vectorized), ["svm_vectorized_loss"],
                                         "must be a single number"),
        "vectorized: transposed dW": ("svm_loss_vectorized", transposed_grad(vectorized), ["svm_vectorized_grad"],
                                      "has shape (3, 5) but expected (5, 3)"),
        "vectorized: sign error in the correct column": ("svm_loss_vectorized", sign_error_in_correct_column,
                                                         ["svm_vectorized_grad"], "max error"),
        "vectorized: float16 arithmetic": ("svm_loss_vectorized", float16(vectorized),
                                           ["svm_vectorized_loss", "svm_vectorized_grad"], "threshold"),
    }


def _train_with(sample="random", step="sgd", scale=0.001, fresh=False, returns=True):
    """A LinearClassifier.train with one piece swapped for a common bug."""

    def train(self, X, y, learning_rate=1e-3, reg=1e-5, num_iters=100, batch_size=200, verbose=False):
        num_train, dim = X.shape
        if self.W is None or fresh:
            self.W = scale * np.random.randn(dim, np.max(y) + 1)
        fixed = np.random.choice(num_train, batch_size)
        history = []
        for _ in range(num_iters):
            if sample == "fixed":
                rows = fixed
            elif sample == "first half":
                rows = np.random.choice(num_train // 2, batch_size)
            else:
                rows = np.random.choice(num_train, batch_size, replace=sample != "without replacement")
            labels = np.random.choice(num_train, batch_size) if sample == "unpaired" else rows
            loss, grad = self.loss(X[rows], y[labels], reg)
            history.append(loss)
            if step == "ascent":
                self.W = self.W + learning_rate * grad
            elif step == "no learning rate":
                self.W = self.W - grad
            else:
                self.W = self.W - learning_rate * grad
        return history if returns else None

    return train


def _class_variants(K):
    """Broken LinearClassifier subclasses: name -> (class, failing grade_ids, words)."""

    def with_train(**bug):
        return type("Broken", (K,), {"train": _train_with(**bug)})

    def with_predict(predict):
        return type("Broken", (K,), {"predict": predict})

    return {
        "train: without replacement": (with_train(sample="without replacement"), ["svm_train"], "WITH replacement"),
        "train: the same minibatch every iteration": (with_train(sample="fixed"), ["svm_train"], "same minibatch"),
        "train: samples from the first half only": (with_train(sample="first half"), ["svm_train"],
                                                    "used only 11 of the 23 training rows"),
        "train: labels drawn apart from rows": (with_train(sample="unpaired"), ["svm_train"],
                                                "y_batch does not hold the labels"),
        "train: gradient ascent": (with_train(step="ascent"), ["svm_train"], "W - learning_rate * grad"),
        "train: ignores the learning rate": (with_train(step="no learning rate"), ["svm_train"],
                                             "W - learning_rate * grad"),
        "train: re-initialises W on every call": (with_train(fresh=True), ["svm_train"], "started from a new W"),
        "train: W not scaled by 0.001": (with_train(scale=1.0), ["svm_train"], "0.001 * np.random.randn"),
        "train: no return": (with_train(returns=False), ["svm_train"], "returned None"),
        "predict: argmax over the wrong axis": (with_predict(lambda self, X: np.argmax(X.dot(self.W), axis=0)),
                                                ["svm_predict"], "but expected (17,)"),
        "predict: argmin": (with_predict(lambda self, X: np.argmin(X.dot(self.W), axis=1)), ["svm_predict"],
                            "entries differ"),
        "predict: returns scores": (with_predict(lambda self, X: X.dot(self.W)), ["svm_predict"], "has shape (17, 5)"),
        "predict: float labels": (with_predict(lambda self, X: np.argmax(X.dot(self.W), axis=1).astype(float)),
                                  ["svm_predict"], "must be integers"),
    }


def _all_variants(sol):
    out = {name: v for name, v in _loss_variants(sol["svm_loss_naive"], sol["svm_loss_vectorized"]).items()}
    for name, (cls, failing, words) in _class_variants(sol["LinearClassifier"]).items():
        out[name] = ("LinearClassifier", cls, failing, words)
    return out


VARIANT_NAMES = list(_loss_variants(None, None)) + list(_class_variants(object))


@pytest.mark.parametrize("variant", VARIANT_NAMES)
def test_hidden_tests_catch_a_broken_variant_and_only_in_its_cell(sol, hidden, variant):
    replaces, broken, failing, words = _all_variants(sol)[variant]
    failures = {}
    for gid, test in hidden.items():
        if GRADED[gid] != replaces:
            continue
        try:
            with np.errstate(all="ignore"):
                test.func(broken)
        except CheckFailed as exc:
            failures[gid] = str(exc)
    assert sorted(failures) == sorted(failing), f"{variant}: failed {list(failures)}"
    assert words in failures[failing[0]], failures[failing[0]]


def test_hidden_failure_reaches_the_student_without_inputs(sol):
    _, broken, _, _ = _all_variants(sol)["naive: sign error in dW"]
    with pytest.raises(HiddenTestFailed) as info:
        run_hidden("svm_naive_grad", broken)
    message = str(info.value)
    assert message.startswith("hidden test svm_naive_grad failed:")
    assert "wrong sign" in message and "float64 inputs, N=7, D=5, C=3" in message
    assert "[" not in message.split("Likely cause")[0]  # no array dumped


def test_crashing_student_code_is_reported_not_raised():
    def crashes(W, X, y, reg):
        return {}["missing"]

    with pytest.raises(HiddenTestFailed, match="your code raised KeyError"):
        run_hidden("svm_vectorized_loss", crashes)


# --------------------------------------------------------------------------- solution vs oracle

@settings(max_examples=30, deadline=None)
@given(N=st.integers(1, 12), D=st.integers(1, 9), C=st.integers(2, 7), reg=st.sampled_from([0.0, 1e-3, 0.5]),
       dtype=st.sampled_from([np.float32, np.float64]), seed=st.integers(0, 2**16))
def test_naive_and_vectorized_match_the_oracle(sol, N, D, C, reg, dtype, seed):
    from grading.hidden.assignment1.svm import random_problem

    W, X, y = random_problem(np.random.default_rng(seed), dtype, N, D, C, min_margin_gap=1e-3)
    want_loss, want_dW = oracle.svm_loss(W, X, y, reg)
    rtol = 1e-4 if dtype == np.float32 else 1e-10
    for name in ("svm_loss_naive", "svm_loss_vectorized"):
        loss, dW = sol[name](W, X, y, reg)
        assert dW.shape == W.shape
        np.testing.assert_allclose(loss, want_loss, rtol=rtol, err_msg=name)
        np.testing.assert_allclose(dW, want_dW, rtol=rtol, atol=rtol * np.abs(want_dW).max(), err_msg=name)


@settings(max_examples=30, deadline=None)
@given(N=st.integers(1, 10), D=st.integers(1, 6), C=st.integers(2, 6), reg=st.floats(0, 2),
       seed=st.integers(0, 2**16))
def test_oracle_is_the_cs231n_hinge_formula(N, D, C, reg, seed):
    """multi_margin_loss * C + reg * sum(W^2) equals the formula written out in torch, with the same autograd gradient."""
    rng = np.random.default_rng(seed)
    W, X, y = rng.standard_normal((D, C)), rng.standard_normal((N, D)), rng.integers(0, C, N)
    W_t = torch.tensor(W, requires_grad=True)
    scores = torch.tensor(X) @ W_t
    correct = scores[torch.arange(N), torch.tensor(y)][:, None]
    not_y = torch.ones(N, C, dtype=torch.bool)
    not_y[torch.arange(N), torch.tensor(y)] = False
    direct = (torch.clamp(scores - correct + 1, min=0) * not_y).sum() / N + reg * (W_t ** 2).sum()
    direct.backward()
    loss, dW = oracle.svm_loss(W, X, y, reg)
    assert loss == pytest.approx(direct.item(), rel=1e-12, abs=1e-12)
    np.testing.assert_allclose(dW, W_t.grad.numpy(), rtol=1e-10, atol=1e-12)


def test_oracle_rejects_bad_shapes_with_a_clear_message():
    with pytest.raises(ValueError, match="grading/oracles/linear.py: shapes do not agree"):
        oracle.svm_loss(np.zeros((3, 2)), np.zeros((4, 5)), np.zeros(4, dtype=int), 0.0)
    with pytest.raises(ValueError, match=r"labels must lie in \[0, 2\)"):
        oracle.softmax_loss(np.zeros((3, 2)), np.zeros((4, 3)), np.array([0, 1, 2, 1]), 0.0)


def test_bad_input_gets_a_clear_error(sol):
    W, X, y = np.zeros((5, 3)), np.zeros((4, 5)), np.array([0, 1, 2, 1])
    for name in ("svm_loss_naive", "svm_loss_vectorized"):
        with pytest.raises(ValueError, match=f"{name}: X has D=4 columns but W has 5 rows; append the bias column"):
            sol[name](W, X[:, :4], y, 0.0)
        with pytest.raises(ValueError, match="y must hold integer labels"):
            sol[name](W, X, y.astype(float), 0.0)
        with pytest.raises(ValueError, match=r"labels must lie in \[0, C=3\)"):
            sol[name](W, X, y + 1, 0.0)
        with pytest.raises(ValueError, match="Flatten images first"):
            sol[name](W, X.reshape(4, 5, 1), y, 0.0)
    clf = sol["LinearSVM"]()
    with pytest.raises(RuntimeError, match="call train first"):
        clf.predict(X)
    with pytest.raises(ValueError, match=r"y of shape \(N,\)"):
        clf.train(X, y[:3])
    with pytest.raises(NotImplementedError, match="use a subclass"):
        sol["LinearClassifier"]().loss(X, y, 0.0)


def test_linear_svm_learns_a_separable_problem(sol):
    rng = np.random.default_rng(0)
    centers = 3 * rng.standard_normal((4, 5))
    y = np.arange(200) % 4
    X = np.hstack([centers[y] + 0.3 * rng.standard_normal((200, 5)), np.ones((200, 1))]).astype(np.float32)
    np.random.seed(0)
    svm = sol["LinearSVM"]()
    history = svm.train(X, y, learning_rate=0.05, reg=1e-4, num_iters=200, batch_size=32)
    assert len(history) == 200 and np.mean(history[-10:]) < 0.1 * history[0]
    assert svm.W.shape == (6, 4)
    assert np.mean(svm.predict(X) == y) == 1.0


# --------------------------------------------------------------------------- whole notebook

@pytest.mark.slow
def test_solution_notebook_runs_in_fast_mode():
    nb, errors, text = execute_fast(NOTEBOOK)
    assert errors == []
    for gid in GRADED:
        assert f"hidden test {gid}: passed" in text
