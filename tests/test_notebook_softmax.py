"""softmax.ipynb: the solution notebook runs in fast mode, its nbgrader metadata is consistent,
its hidden tests pass on the solution and fail -- in their own cell only, with a message naming
what differs -- on deliberately broken variants; the softmax losses do not depend on svm.ipynb,
and a missing svm.ipynb gives a clear message; the solution agrees with the torch oracle."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import nbformat
import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from cs231n_lib.checks import CheckFailed
from cs231n_lib.nbimport import NotebookImportError, definitions_source
from notebook_checks import (assert_committed_clean, assert_metadata_matches_registry, execute_fast,
                             registered_hidden_tests)
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
#: what the hidden part of each test cell passes to run_hidden
HIDDEN_ARGS = {gid: name for gid, name in GRADED.items()}
HIDDEN_ARGS["softmax_classifier"] = "Softmax, softmax_loss_vectorized"


def _objects(gid, namespace):
    """The objects the hidden part of cell ``gid`` passes to run_hidden, taken from ``namespace``."""
    return tuple(namespace[name.strip()] for name in HIDDEN_ARGS[gid].split(","))


def _read():
    return nbformat.read(NOTEBOOK, as_version=4)


def _nbgrader(cell):
    return cell.metadata.get("nbgrader", {})


def _import_cell(nb):
    (cell,) = [c for c in nb.cells if c.cell_type == "code" and 'import_notebook("svm.ipynb"' in c.source]
    return cell


def _definitions(nb, folder):
    """Run the definitions of ``nb`` and its svm.ipynb import cell, in ``folder``, as the notebook does."""
    import_cell = _import_cell(nb)
    namespace = {}
    cwd = os.getcwd()
    os.chdir(folder)
    try:
        for cell in nb.cells:
            if cell.cell_type != "code" or _nbgrader(cell).get("grade"):
                continue
            source = cell.source if cell is import_cell else definitions_source([cell.source])[0]
            exec(compile(source, "<softmax.ipynb>", "exec"), namespace)
    finally:
        os.chdir(cwd)
    return namespace


@pytest.fixture(scope="module")
def sol():
    return _definitions(_read(), FOLDER)


@pytest.fixture(scope="module")
def hidden():
    return registered_hidden_tests("softmax_", GRADED)


# --------------------------------------------------------------------------- notebook structure

def test_notebook_is_committed_clean_with_python3_kernel():
    assert_committed_clean(_read())


def test_nbgrader_metadata_and_hidden_cells_match_the_registry(hidden):
    assert_metadata_matches_registry(_read(), "softmax_", HIDDEN_ARGS, hidden)


def test_loss_cells_come_before_and_do_not_use_the_svm_import():
    """A broken svm.ipynb must cost only the classifier cells: every loss cell precedes the import."""
    nb = _read()
    position = {_nbgrader(c).get("grade_id"): i for i, c in enumerate(nb.cells)}
    import_at = nb.cells.index(_import_cell(nb))
    for gid in GRADED:
        if GRADED[gid] != "Softmax":
            assert position[gid] < import_at, gid
            assert "LinearClassifier" not in nb.cells[position[gid]].source
    assert position["softmax_classifier"] > import_at


def test_released_notebook_defines_everything_and_hidden_tests_say_not_implemented():
    from nbgrader.preprocessors import ClearSolutions

    released, _ = ClearSolutions().preprocess(_read(), {})
    namespace = _definitions(released, FOLDER)
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

    class StandIn:  # what the import cell defines when svm.ipynb cannot be imported
        def __init__(self, *args, **kwargs):
            raise NotebookImportError("cannot import from svm.ipynb: the notebook does not exist here")

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
        "classifier: SVM loss": ("Softmax", SvmLoss, ["softmax_classifier"], "softmax_loss_vectorized(self.W"),
        "classifier: naive loss, slightly different": ("Softmax", NaiveHalf, ["softmax_classifier"], "vs your"),
        "classifier: train does not update": ("Softmax", NoUpdate, ["softmax_classifier"], "expected < 25%"),
        "classifier: svm.ipynb missing": ("Softmax", type("Softmax", (StandIn,), {"loss": Softmax.loss}),
                                          ["softmax_classifier"], None),
    }


VARIANT_NAMES = ["naive: no reg in the loss", "naive: log10", "naive: sign error in dW", "naive: dW not divided by N",
                 "naive: 1/2 in the reg gradient", "vectorized: no max shift", "vectorized: sign error in dW",
                 "vectorized: no reg in dW", "classifier: naive loss, slightly different",
                 "vectorized: no reg in the loss", "vectorized: float16 arithmetic", "classifier: SVM loss",
                 "classifier: train does not update"]


def test_variant_names_are_all_exercised(sol):
    assert set(VARIANT_NAMES) | {"classifier: svm.ipynb missing"} == set(_variants(sol))


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


def test_a_missing_svm_notebook_is_named_in_the_hidden_message(sol):
    _, broken, _, _ = _variants(sol)["classifier: svm.ipynb missing"]
    with pytest.raises(HiddenTestFailed, match="raised NotebookImportError: cannot import from svm.ipynb"):
        run_hidden("softmax_classifier", broken, sol["softmax_loss_vectorized"])


def test_without_svm_notebook_the_losses_still_work_and_the_classifier_says_why(tmp_path, sol, capsys):
    shutil.copy(NOTEBOOK, tmp_path / NOTEBOOK.name)
    namespace = _definitions(_read(), tmp_path)
    printed = capsys.readouterr().out
    assert "Could not import LinearClassifier: cannot import from svm.ipynb: the notebook does not exist" in printed
    for gid, name in GRADED.items():
        if name != "Softmax":
            run_hidden(gid, *_objects(gid, namespace))
    with pytest.raises(NotebookImportError, match="svm.ipynb"):
        namespace["Softmax"]()
    with pytest.raises(HiddenTestFailed, match="NotebookImportError"):
        run_hidden("softmax_classifier", *_objects("softmax_classifier", namespace))


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
    assert "LinearClassifier imported from svm.ipynb" in text
    for gid in GRADED:
        assert f"hidden test {gid}: passed" in text
