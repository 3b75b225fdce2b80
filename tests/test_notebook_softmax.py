"""softmax.ipynb and cs231n/classifiers/softmax.py (+ Softmax in linear_classifier.py): the solution
notebook runs in fast mode, its nbgrader metadata is consistent, its hidden tests pass on the solution
and fail -- in their own cell only, with a message naming what differs -- on deliberately broken
variants; the loss cells use nothing of the classifiers; the solution agrees with the torch oracle."""

from __future__ import annotations

from pathlib import Path

import nbformat
import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from cs231n_lib.checks import CheckFailed
from notebook_checks import (assert_committed_clean, assert_metadata_matches_registry, assert_notebook_loads,
                             execute_fast, registered_hidden_tests, released_object, solution_object)
from grading.hidden import HiddenTestFailed, run_hidden
from grading.oracles import linear as oracle

REPO = Path(__file__).resolve().parent.parent
FOLDER = REPO / "solutions" / "assignment1"
NOTEBOOK = FOLDER / "softmax.ipynb"

#: grade_id -> the notebook object its hidden test takes
GRADED = {
    "softmax_naive_loss": "softmax_loss_naive",
    "softmax_naive_grad": "softmax_loss_naive",
    "softmax_vectorized_loss": "softmax_loss_vectorized",
    "softmax_vectorized_grad": "softmax_loss_vectorized",
    "softmax_vectorized_stability": "softmax_loss_vectorized",
    "softmax_classifier": "Softmax",
}
LOSSES, CLASSIFIERS = "cs231n.classifiers.softmax", "cs231n.classifiers.linear_classifier"
MODULES = {"softmax_loss_naive": LOSSES, "softmax_loss_vectorized": LOSSES, "Softmax": CLASSIFIERS}
#: the student objects each hidden test receives (its ``uses``)
USES = {gid: [name] for gid, name in GRADED.items()}
USES["softmax_classifier"] = ["Softmax", "softmax_loss_vectorized"]


def _objects(gid, namespace):
    return tuple(namespace[name] for name in USES[gid])


def _read():
    return nbformat.read(NOTEBOOK, as_version=4)


def _nbgrader(cell):
    return cell.metadata.get("nbgrader", {})


@pytest.fixture(scope="module")
def sol():
    return {name: solution_object(module, name) for name, module in MODULES.items()}


@pytest.fixture(scope="module")
def hidden():
    return registered_hidden_tests("softmax_", GRADED)


# --------------------------------------------------------------------------- notebook structure

def test_notebook_is_committed_clean_with_python3_kernel():
    assert_committed_clean(_read())


def test_nbgrader_metadata_and_hidden_cells_match_the_registry(hidden):
    assert_metadata_matches_registry(_read(), "softmax_", USES, hidden)


def test_the_notebook_loads_from_the_student_package():
    assert_notebook_loads(_read(), LOSSES, "softmax_loss_naive", "softmax_loss_vectorized")
    assert_notebook_loads(_read(), CLASSIFIERS, "Softmax")


def test_loss_cells_use_nothing_of_the_classifiers():
    """A broken linear_classifier.py must cost only the classifier cell."""
    nb = _read()
    for cell in nb.cells:
        if GRADED.get(_nbgrader(cell).get("grade_id"), "Softmax") != "Softmax":
            assert "LinearClassifier" not in cell.source and "Softmax(" not in cell.source


def test_released_package_defines_everything_and_hidden_tests_say_not_implemented():
    namespace = {name: released_object(module, name) for name, module in MODULES.items()}
    for gid in GRADED:
        with pytest.raises(HiddenTestFailed, match="not implemented|NotImplementedError"):
            run_hidden(gid, *_objects(gid, namespace))


# --------------------------------------------------------------------------- hidden tests

@pytest.mark.parametrize("gid", sorted(GRADED))
def test_hidden_test_passes_on_the_solution(sol, gid, capsys):
    run_hidden(gid, *_objects(gid, sol))
    assert f"hidden test {gid}: passed" in capsys.readouterr().out


def _unstable_vectorized(W, X, y, reg):
    """Correct except that the scores are not shifted by their maximum before np.exp."""
    scores = X.dot(W)
    probs = np.exp(scores) / np.sum(np.exp(scores), axis=1, keepdims=True)
    rows = np.arange(len(X))
    loss = -np.mean(np.log(probs[rows, y])) + reg * np.sum(W * W)
    probs[rows, y] -= 1
    return loss, X.T.dot(probs) / len(X) + 2 * reg * W


def _log10_loss(f):
    def g(W, X, y, reg):
        loss, dW = f(W, X, y, reg)
        return (loss - reg * np.sum(W * W)) / np.log(10) + reg * np.sum(W * W), dW
    return g


def _missing_reg_loss(f):
    def g(W, X, y, reg):
        loss, dW = f(W, X, y, reg)
        return loss - reg * np.sum(W * W), dW
    return g


def _grad_edit(f, edit):
    def g(W, X, y, reg):
        loss, dW = f(W, X, y, reg)
        return loss, edit(dW, W, X, reg)
    return g


def _variants(sol):
    """Broken objects: name -> (which object it replaces, object, failing grade_ids, words in the first message)."""
    naive, vectorized, Softmax = sol["softmax_loss_naive"], sol["softmax_loss_vectorized"], sol["Softmax"]
    reg_free = lambda dW, W, X, reg: dW - 2 * reg * W  # noqa: E731

    class SvmLoss(Softmax):
        def loss(self, X_batch, y_batch, reg):
            scores = X_batch.dot(self.W)
            rows = np.arange(len(X_batch))
            margins = np.maximum(0, scores - scores[rows, y_batch][:, None] + 1)
            margins[rows, y_batch] = 0
            return margins.sum() / len(X_batch), np.zeros_like(self.W)

    class NaiveHalf(Softmax):
        def loss(self, X_batch, y_batch, reg):
            return naive(self.W, X_batch, y_batch, reg / 2)

    class NoUpdate(Softmax):
        def train(self, X, y, learning_rate=1e-3, reg=1e-5, num_iters=100, batch_size=200, verbose=False):
            self.W = 0.001 * np.random.randn(X.shape[1], np.max(y) + 1)
            return [self.loss(X, y, reg)[0]] * num_iters

    return {
        "naive: no reg in the loss": ("softmax_loss_naive", _missing_reg_loss(naive), ["softmax_naive_loss"],
                                      "reg * np.sum(W * W) is missing"),
        "naive: log10": ("softmax_loss_naive", _log10_loss(naive), ["softmax_naive_loss"], "natural log"),
        "naive: sign error in dW": ("softmax_loss_naive", _grad_edit(naive, lambda dW, W, X, reg: -dW),
                                    ["softmax_naive_grad"], "wrong sign"),
        "naive: dW not divided by N": ("softmax_loss_naive",
                                       _grad_edit(naive, lambda dW, W, X, reg: reg_free(dW, W, X, reg) * len(X)
                                                  + 2 * reg * W), ["softmax_naive_grad"], "divided by N"),
        "naive: 1/2 in the reg gradient": ("softmax_loss_naive", _grad_edit(naive, lambda dW, W, X, reg: dW - reg * W),
                                           ["softmax_naive_grad"], "no 1/2"),
        "vectorized: no max shift": ("softmax_loss_vectorized", _unstable_vectorized,
                                     ["softmax_vectorized_stability"], "subtract each row's maximum"),
        "vectorized: sign error in dW": ("softmax_loss_vectorized", _grad_edit(vectorized, lambda dW, W, X, reg: -dW),
                                         ["softmax_vectorized_grad"], "wrong sign"),
        "vectorized: no reg in dW": ("softmax_loss_vectorized", _grad_edit(vectorized, reg_free),
                                     ["softmax_vectorized_grad"], "2 * reg * W is missing"),
        "vectorized: no reg in the loss": ("softmax_loss_vectorized", _missing_reg_loss(vectorized),
                                           ["softmax_vectorized_loss"], "is missing from the loss"),
        "vectorized: float16 arithmetic": ("softmax_loss_vectorized",
                                           lambda W, X, y, reg: vectorized(W.astype(np.float16), X.astype(np.float16),
                                                                           y, reg),
                                           ["softmax_vectorized_loss", "softmax_vectorized_grad",
                                            "softmax_vectorized_stability"], "threshold"),
        "classifier: SVM loss": ("Softmax", SvmLoss, ["softmax_classifier"], "vectorized softmax loss"),
        "classifier: naive loss, slightly different": ("Softmax", NaiveHalf, ["softmax_classifier"], "vs your"),
        "classifier: train does not update": ("Softmax", NoUpdate, ["softmax_classifier"], "expected < 25%"),
    }


VARIANT_NAMES = ["naive: no reg in the loss", "naive: log10", "naive: sign error in dW", "naive: dW not divided by N",
                 "naive: 1/2 in the reg gradient", "vectorized: no max shift", "vectorized: sign error in dW",
                 "vectorized: no reg in dW", "classifier: naive loss, slightly different",
                 "vectorized: no reg in the loss", "vectorized: float16 arithmetic", "classifier: SVM loss",
                 "classifier: train does not update"]


def test_variant_names_are_all_exercised(sol):
    assert set(VARIANT_NAMES) == set(_variants(sol))


@pytest.mark.parametrize("variant", VARIANT_NAMES)
def test_hidden_tests_catch_a_broken_variant_and_only_in_its_cell(sol, hidden, variant):
    replaces, broken, failing, words = _variants(sol)[variant]
    failures = {}
    for gid, test in hidden.items():
        if GRADED[gid] == replaces:
            args = (broken, sol["softmax_loss_vectorized"]) if gid == "softmax_classifier" else (broken,)
        elif replaces == "softmax_loss_vectorized" and gid == "softmax_classifier":
            # the student's Softmax delegates to their broken vectorized loss: only the loss cells may fail
            args = (type("Softmax", (sol["Softmax"],), {"loss": lambda self, X, y, reg: broken(self.W, X, y, reg)}),
                    broken)
        else:
            continue
        try:
            with np.errstate(all="ignore"):
                test.func(*args)
        except CheckFailed as exc:
            failures[gid] = str(exc)
    assert sorted(failures) == sorted(failing), f"{variant}: failed {list(failures)}"
    assert words in failures[failing[0]], failures[failing[0]]


def test_hidden_failure_reaches_the_student_without_inputs(sol):
    _, broken, _, _ = _variants(sol)["vectorized: no max shift"]
    with pytest.raises(HiddenTestFailed) as info:
        with np.errstate(all="ignore"):
            run_hidden("softmax_vectorized_stability", broken)
    message = str(info.value)
    assert message.startswith("hidden test softmax_vectorized_stability failed:")
    assert "nan" in message and "[" not in message.split("Likely cause")[0]


# --------------------------------------------------------------------------- solution vs oracle

@settings(max_examples=30, deadline=None)
@given(N=st.integers(1, 12), D=st.integers(1, 9), C=st.integers(2, 7), reg=st.sampled_from([0.0, 1e-3, 0.5]),
       scale=st.sampled_from([0.1, 3.0, 30.0]), dtype=st.sampled_from([np.float32, np.float64]),
       seed=st.integers(0, 2**16))
def test_naive_and_vectorized_match_the_oracle(sol, N, D, C, reg, scale, dtype, seed):
    from grading.hidden.assignment1.svm import random_problem

    W, X, y = random_problem(np.random.default_rng(seed), dtype, N, D, C, score_scale=scale)
    want_loss, want_dW = oracle.softmax_loss(W, X, y, reg)
    rtol = 1e-4 if dtype == np.float32 else 1e-10
    for name in ("softmax_loss_naive", "softmax_loss_vectorized"):
        loss, dW = sol[name](W, X, y, reg)
        assert dW.shape == W.shape
        np.testing.assert_allclose(loss, want_loss, rtol=rtol, atol=rtol, err_msg=name)
        np.testing.assert_allclose(dW, want_dW, rtol=rtol, atol=rtol * np.abs(want_dW).max(), err_msg=name)


@settings(max_examples=30, deadline=None)
@given(N=st.integers(1, 10), D=st.integers(1, 6), C=st.integers(2, 6), reg=st.floats(0, 2),
       seed=st.integers(0, 2**16))
def test_oracle_is_the_cross_entropy_formula(N, D, C, reg, seed):
    """cross_entropy + reg * sum(W^2) equals -mean log softmax written out in torch, gradient included."""
    rng = np.random.default_rng(seed)
    W, X, y = rng.standard_normal((D, C)), rng.standard_normal((N, D)), rng.integers(0, C, N)
    W_t = torch.tensor(W, requires_grad=True)
    scores = torch.tensor(X) @ W_t
    log_p = scores - torch.logsumexp(scores, dim=1, keepdim=True)
    direct = -log_p[torch.arange(N), torch.tensor(y)].mean() + reg * (W_t ** 2).sum()
    direct.backward()
    loss, dW = oracle.softmax_loss(W, X, y, reg)
    assert loss == pytest.approx(direct.item(), rel=1e-12, abs=1e-12)
    np.testing.assert_allclose(dW, W_t.grad.numpy(), rtol=1e-10, atol=1e-12)


def test_bad_input_gets_a_clear_error(sol):
    W, X, y = np.zeros((5, 3)), np.zeros((4, 5)), np.array([0, 1, 2, 1])
    for name in ("softmax_loss_naive", "softmax_loss_vectorized"):
        with pytest.raises(ValueError, match=f"{name}: X has D=4 columns but W has 5 rows"):
            sol[name](W, X[:, :4], y, 0.0)
        with pytest.raises(ValueError, match="X has 4 rows but y has 3 labels"):
            sol[name](W, X, y[:3], 0.0)


def test_softmax_classifier_learns_a_separable_problem(sol):
    rng = np.random.default_rng(1)
    centers = 3 * rng.standard_normal((4, 5))
    y = np.arange(200) % 4
    X = np.hstack([centers[y] + 0.3 * rng.standard_normal((200, 5)), np.ones((200, 1))]).astype(np.float32)
    np.random.seed(0)
    clf = sol["Softmax"]()
    history = clf.train(X, y, learning_rate=0.2, reg=1e-4, num_iters=200, batch_size=32)
    assert history[0] == pytest.approx(np.log(4), abs=0.05)
    assert np.mean(history[-10:]) < 0.2 * history[0]
    assert np.mean(clf.predict(X) == y) == 1.0


# --------------------------------------------------------------------------- whole notebook

@pytest.mark.slow
def test_solution_notebook_runs_in_fast_mode():
    nb, errors, text = execute_fast(NOTEBOOK)
    assert errors == []
    for gid in GRADED:
        assert f"hidden test {gid}: passed" in text
