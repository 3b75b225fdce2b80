"""cs231n_lib.solver.Solver: the CS231n API (histories, best_params, check_accuracy, unknown
arguments), update rules by name from the student's ``cs231n.optim`` or as callables, lr_decay,
checkpoints of plain data, and the printed lines.  The model is a toy softmax classifier written
here; the rules are toy rules written here (the library holds no rule)."""

from __future__ import annotations

import pickle
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cs231n_lib.solver import Solver


class ToySoftmax:
    """A linear softmax classifier with the model API: params, loss(X, y=None)."""

    def __init__(self, D, C, seed=0):
        self.params = {"W": 0.01 * np.random.default_rng(seed).standard_normal((D, C)), "b": np.zeros(C)}

    def loss(self, X, y=None):
        scores = X @ self.params["W"] + self.params["b"]
        if y is None:
            return scores
        shifted = scores - scores.max(axis=1, keepdims=True)
        probs = np.exp(shifted) / np.exp(shifted).sum(axis=1, keepdims=True)
        N = len(y)
        loss = -np.log(probs[np.arange(N), y]).mean()
        dscores = probs.copy()
        dscores[np.arange(N), y] -= 1
        dscores /= N
        return loss, {"W": X.T @ dscores, "b": dscores.sum(axis=0)}


def toy_sgd(w, dw, config=None):
    config = {} if config is None else config
    config.setdefault("learning_rate", 1e-2)
    return w - config["learning_rate"] * dw, config


def blobs(n=300, D=5, C=3, seed=0):
    rng = np.random.default_rng(seed)
    centers = 3 * rng.standard_normal((C, D))
    y = rng.integers(0, C, size=n)
    X = centers[y] + rng.standard_normal((n, D))
    return {"X_train": X[:200], "y_train": y[:200], "X_val": X[200:], "y_val": y[200:]}


def test_training_learns_and_keeps_the_classic_histories(capsys):
    data = blobs()
    np.random.seed(0)
    model = ToySoftmax(5, 3)
    solver = Solver(model, data, update_rule=toy_sgd, optim_config={"learning_rate": 0.5}, num_epochs=4,
                    batch_size=50, print_every=3, progress=False)
    solver.train()
    iterations = 4 * (200 // 50)
    assert len(solver.loss_history) == iterations
    assert len(solver.train_acc_history) == len(solver.val_acc_history) == 1 + 4  # start, then every epoch
    assert solver.loss_history[-1] < 0.5 * solver.loss_history[0]
    assert solver.best_val_acc == max(solver.val_acc_history) > 0.9
    assert model.params is solver.best_params or all(np.array_equal(model.params[k], solver.best_params[k])
                                                     for k in model.params)
    out = capsys.readouterr().out
    assert f"(Iteration 1 / {iterations}) loss:" in out and f"(Iteration 4 / {iterations})" in out
    assert "(Epoch 0 / 4) train acc:" in out and "(Epoch 4 / 4) train acc:" in out and "val_acc:" in out


def test_each_parameter_gets_its_own_config_and_lr_decay_is_per_epoch():
    seen = []

    def recording_rule(w, dw, config):
        seen.append((id(config), config["learning_rate"]))
        config["steps"] = config.get("steps", 0) + 1
        return w - config["learning_rate"] * dw, config

    data = blobs()
    solver = Solver(ToySoftmax(5, 3), data, update_rule=recording_rule, optim_config={"learning_rate": 1.0},
                    lr_decay=0.5, num_epochs=3, batch_size=100, verbose=False, progress=False)
    solver.train()
    assert solver.optim_config == {"learning_rate": 1.0}  # the caller's config is never changed
    assert solver.optim_configs["W"] is not solver.optim_configs["b"]
    assert solver.optim_configs["W"]["steps"] == solver.optim_configs["b"]["steps"] == 6
    rates = [lr for _, lr in seen][::2]  # W's rate at each of the 6 steps (2 per epoch)
    assert rates == [1.0, 1.0, 0.5, 0.5, 0.25, 0.25]


def _package_modules() -> list[str]:
    return [m for m in sys.modules if m == "cs231n" or m.startswith("cs231n.")]


@pytest.fixture
def student_optim(tmp_path, monkeypatch):
    """``write(source)``: a student package ``cs231n`` whose ``optim.py`` holds ``source``, found first from the
    working directory.  Whatever ``cs231n`` modules were imported before come back afterwards, and this one's
    are forgotten (another test file of this process may import an assignment's real package)."""
    saved = {name: sys.modules.pop(name) for name in _package_modules()}

    def write(source):
        package = tmp_path / "cs231n"
        package.mkdir()
        (package / "__init__.py").write_text("")
        (package / "optim.py").write_text(source)
        monkeypatch.chdir(tmp_path)
        monkeypatch.syspath_prepend(str(tmp_path))

    yield write
    for name in _package_modules():
        del sys.modules[name]
    sys.modules.update(saved)


def test_update_rule_by_name_comes_from_the_students_optim_module(student_optim):
    student_optim("def sgd(w, dw, config=None):\n"
                  "    config = config or {}\n"
                  "    config['called'] = True\n"
                  "    return w - 0.1 * dw, config\n")
    solver = Solver(ToySoftmax(5, 3), blobs(), update_rule="sgd", num_epochs=1, verbose=False, progress=False)
    solver.train()
    assert solver.optim_configs["W"]["called"] is True
    with pytest.raises(ValueError, match="adam"):
        Solver(ToySoftmax(5, 3), blobs(), update_rule="adam")  # not written in this optim.py


def test_a_broken_optim_module_is_named_with_its_file_and_line(student_optim):
    student_optim("def sgd(w, dw, config=None)\n    return w, config\n")
    with pytest.raises(ValueError, match=r"optim\.py, line 1: SyntaxError"):
        Solver(ToySoftmax(5, 3), blobs(), update_rule="sgd")


def test_unknown_arguments_and_incomplete_data_are_refused_with_the_fix():
    with pytest.raises(ValueError, match="Unrecognized arguments num_epoch"):
        Solver(ToySoftmax(5, 3), blobs(), update_rule=toy_sgd, num_epoch=3)
    with pytest.raises(ValueError, match="X_val, y_val"):
        Solver(ToySoftmax(5, 3), {"X_train": np.zeros((2, 5)), "y_train": np.zeros(2, int)}, update_rule=toy_sgd)
    with pytest.raises(ValueError, match="name of a function"):
        Solver(ToySoftmax(5, 3), blobs(), update_rule=3)


def test_a_missing_gradient_or_a_rule_returning_none_says_so():
    class NoBias(ToySoftmax):
        def loss(self, X, y=None):
            out = super().loss(X, y)
            return out if y is None else (out[0], {"W": out[1]["W"]})

    with pytest.raises(ValueError, match="no gradient for parameter 'b'"):
        Solver(NoBias(5, 3), blobs(), update_rule=toy_sgd, verbose=False, progress=False).train()
    with pytest.raises(ValueError, match="returned None"):
        Solver(ToySoftmax(5, 3), blobs(), update_rule=lambda w, dw, c: (None, c), verbose=False,
               progress=False).train()


def test_checkpoints_hold_plain_data_per_epoch(tmp_path):
    name = str(tmp_path / "toy")
    solver = Solver(ToySoftmax(5, 3), blobs(), update_rule=toy_sgd, optim_config={"learning_rate": 0.3},
                    num_epochs=2, batch_size=100, checkpoint_name=name, verbose=False, progress=False)
    solver.train()
    files = sorted(p.name for p in tmp_path.iterdir())
    assert files == ["toy_epoch_0.pkl", "toy_epoch_1.pkl", "toy_epoch_2.pkl"]
    with open(tmp_path / "toy_epoch_2.pkl", "rb") as f:
        checkpoint = pickle.load(f)
    assert checkpoint["epoch"] == 2 and checkpoint["update_rule"] == "toy_sgd"
    assert set(checkpoint["params"]) == {"W", "b"} and len(checkpoint["loss_history"]) == 4
    assert all(type(v) is np.ndarray for v in checkpoint["params"].values())


@settings(max_examples=25, deadline=None)
@given(n=st.integers(1, 250), batch=st.integers(1, 120), samples=st.one_of(st.none(), st.integers(1, 300)))
def test_check_accuracy_counts_every_example_once_in_batches(n, batch, samples):
    rng = np.random.default_rng(n)
    X = rng.standard_normal((n, 4))
    model = ToySoftmax(4, 3, seed=n)
    y = np.argmax(model.loss(X), axis=1)
    y[: n // 3] = (y[: n // 3] + 1) % 3  # the first third is wrong
    solver = Solver(model, {"X_train": X, "y_train": y, "X_val": X, "y_val": y}, update_rule=toy_sgd)
    accuracy = solver.check_accuracy(X, y, num_samples=None, batch_size=batch)
    assert accuracy == pytest.approx(1 - (n // 3) / n)
    if samples is not None:
        assert 0.0 <= solver.check_accuracy(X, y, num_samples=samples, batch_size=batch) <= 1.0
