"""Broken variants of the assignment-2 solution ("mutants", the sample submissions the grading tests
use) fail exactly the hidden tests they should, each with a message that names what differs and a
hint that fits the mistake -- so one bug costs the cells it should and no others.

Each mutant is a copy of ``solutions/assignment2/cs231n`` with one textual change, imported under
its own alias (relative imports stay inside the copy, so the net uses the mutant's layers), and
every hidden test of assignment 2 runs on it with the scorer's inputs."""

from __future__ import annotations

import importlib
import importlib.util
import re
import shutil
import sys
from pathlib import Path

import pytest

from grading.hidden import core

REPO = Path(__file__).resolve().parent.parent
SOLUTION = REPO / "solutions" / "assignment2" / "cs231n"
TESTS = core.load_assignment("assignment2")

#: name -> (file, old text, new text, {grade id it fails: [regexes its message must match]}); several changes to
#: one file are a list of (old, new) in place of the two texts.
MUTANTS = {
    # 1. batchnorm_backward ignores the mean's dependence on x.
    "bn_backward_without_mean_path": (
        "layers.py", "dx = dxc + dmu / N", "dx = dxc",
        {"bn_backward": [r"batchnorm_backward .*: dx:", r"path through the minibatch MEAN"],
         "bn_fc_net": [r"normalization='batchnorm'.*grads\['(W|gamma|beta)\d'\]", r"batchnorm_backward passes"]}),
    # 2. dropout forgets to rescale the kept units.
    "dropout_without_rescale": (
        "layers.py", "mask = ((np.random.rand(*x.shape) < p) / p).astype(x.dtype)",
        "mask = (np.random.rand(*x.shape) < p).astype(x.dtype)",
        {"dropout_forward": [r"dropout_forward, train mode .*: out:", r"not scaled by 1 / p"],
         "dropout_fc_net": [r"training loss", r"not rescaled by 1 / p"]}),
    # 3. Adam without bias correction.
    "adam_without_bias_correction": (
        "optim.py", 'm_hat = m / (1 - config["beta1"] ** t)\n    v_hat = v / (1 - config["beta2"] ** t)',
        "m_hat = m\n    v_hat = v",
        {"fc_adam": [r"adam .*: next_w", r"not bias-corrected"]}),
    # 4. The L2 term covers the biases too (loss and gradients).
    "l2_on_biases": (
        "classifiers/fc_net.py", [
            ('sum(np.sum(self.params[f"W{layer}"] ** 2) for layer in range(1, self.num_layers + 1))',
             'sum(np.sum(self.params[f"W{layer}"] ** 2) + np.sum(self.params[f"b{layer}"] ** 2) '
             'for layer in range(1, self.num_layers + 1))'),
            ('grads[f"W{L}"] = dW + self.reg * self.params[f"W{L}"]\n',
             'grads[f"W{L}"] = dW + self.reg * self.params[f"W{L}"]\n'
             '        grads[f"b{L}"] = grads[f"b{L}"] + self.reg * self.params[f"b{L}"]\n'),
            ('grads[f"W{layer}"] = dW + self.reg * self.params[f"W{layer}"]\n',
             'grads[f"W{layer}"] = dW + self.reg * self.params[f"W{layer}"]\n'
             '            grads[f"b{layer}"] = grads[f"b{layer}"] + self.reg * self.params[f"b{layer}"]\n')],
        {"fc_net_loss": [r"reg=0\.\d+\): loss", r"covers the biases too"],
         "fc_net_grads": [r"grads\['b\d'\]", r"biases are not regularized"]}),
    # 5. batchnorm normalises with the unbiased variance.
    "bn_unbiased_variance": (
        "layers.py", "var = x.var(axis=0)", "var = x.var(axis=0, ddof=1)",
        {"bn_forward_train": [r"train mode .*: out:", r"unbiased"],
         "bn_backward": [r"fix batchnorm_forward first \(test bn_forward_train\)"],
         "bn_backward_alt": [r"fix batchnorm_forward first \(test bn_forward_train\)"],
         "bn_fc_net": [r"normalization='batchnorm'.*training loss", r"passes bn_forward_train first"]}),
    # 6. affine_backward does not reshape dx to the shape of x.
    "affine_dx_not_reshaped": (
        "layers.py", "dx = dout.dot(w.T).reshape(x.shape)", "dx = dout.dot(w.T)",
        {"fc_affine_backward": [r"dx has shape \(\d+, \d+\) but expected \(\d+, \d+, \d+", r"shape x came in"]}),
    # 7. Momentum steps against the velocity; RMSProp puts epsilon inside the square root.
    "momentum_wrong_sign": (
        "optim.py", "next_w = w + v", "next_w = w - v",
        {"fc_sgd_momentum": [r"sgd_momentum .*: next_w", r"AGAINST the velocity"]}),
    "rmsprop_epsilon_inside_sqrt": (
        "optim.py", 'dw / (np.sqrt(cache) + config["epsilon"])', 'dw / np.sqrt(cache + config["epsilon"])',
        {"fc_rmsprop": [r"rmsprop .*: next_w", r"INSIDE the square root"]}),
    # An in-place change of an input is seen (call_on_copies); the sandwich works on its own arrays.
    "relu_in_place": (
        "layers.py", "out = np.maximum(0, x)", "out = np.maximum(0, x, out=x)",
        {"fc_relu_forward": [r"changed its input x in place"]}),
}


def _mutant_package(tmp_path_factory, name, file, changes):
    """A copy of the solution package with ``changes`` ((old, new) pairs) made to ``file``, imported as
    ``mutant_<name>_cs231n``; returns that name."""
    folder = tmp_path_factory.mktemp(name) / "cs231n"
    shutil.copytree(SOLUTION, folder, ignore=shutil.ignore_patterns("__pycache__"))
    target = folder / file
    text = target.read_text()
    for old, new in changes:
        assert text.count(old) == 1, f"{name}: the solution no longer contains {old!r} once"
        text = text.replace(old, new)
    target.write_text(text)
    root = f"mutant_{name}_cs231n"
    spec = importlib.util.spec_from_file_location(root, folder / "__init__.py", submodule_search_locations=[str(folder)])
    sys.modules[root] = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(sys.modules[root])
    return root


def _run_all(root):
    def load(spec):
        module, _, obj = spec.partition(":")
        if module.split(".")[0] == "cs231n":
            module = module.replace("cs231n", root, 1)
        return getattr(importlib.import_module(module), obj)

    return {gid: core.execute(test, None, core.Session(core.SCORER_SALT, load)) for gid, test in TESTS.items()}


@pytest.mark.parametrize("name", sorted(MUTANTS))
def test_mutant_fails_exactly_its_tests_with_a_fitting_message(tmp_path_factory, name):
    file, *changes, expected = MUTANTS[name]
    changes = changes[0] if len(changes) == 1 else [tuple(changes)]
    outcomes = _run_all(_mutant_package(tmp_path_factory, name, file, changes))
    failed = {gid for gid, outcome in outcomes.items() if not outcome.passed}
    assert failed == set(expected), {gid: outcomes[gid].message for gid in failed ^ set(expected)}
    for gid, patterns in expected.items():
        message = outcomes[gid].message
        assert message.startswith(f"hidden test {gid} failed:"), message
        for pattern in patterns:
            assert re.search(pattern, message), f"{gid}: {pattern!r} not in\n{message}"
        assert "Likely cause:" in message or "in place" in message, message
        # What differs is named by shapes, hyperparameters and one entry; never the hidden arrays themselves.
        assert "[[" not in message and "array(" not in message, message


def test_the_unchanged_copy_passes_everything(tmp_path_factory):
    outcomes = _run_all(_mutant_package(tmp_path_factory, "unchanged", "layers.py", []))
    assert all(o.passed for o in outcomes.values()), {g: o.message for g, o in outcomes.items() if not o.passed}
