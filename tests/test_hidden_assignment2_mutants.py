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
from grading.tool.student_package import strip_tree

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
         "bn_fc_net": [r"normalization='batchnorm'.*grads\['(W|gamma|beta)\d'\]", r"batchnorm_backward passes"],
         # spatial batchnorm reuses batchnorm_backward (as CS231n's does), so its cell pays for the bug too
         "conv_spatial_bn_backward": [r"spatial_batchnorm_backward .*: dx:", r"it must pass bn_backward"]}),
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
         "bn_fc_net": [r"normalization='batchnorm'.*training loss", r"passes bn_forward_train first"],
         "conv_spatial_bn_forward": [r"spatial_batchnorm_forward, train mode .*: out:",
                                     r"it must pass bn_forward_train"],
         "conv_spatial_bn_backward": [r"fix spatial_batchnorm_forward first \(test conv_spatial_bn_forward\)"]}),
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
    # ConvolutionalNetworks.ipynb.  The net runs on the provided fast layers, so no naive-layer bug costs conv_net_*.
    # 8. The forward conv pads with pad + 1 zeros (the windows shift by one); the backward is graded on its cache.
    "conv_padding_off_by_one": (
        "layers.py", "xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))\n    out = np.zeros(",
        "xp = np.pad(x, ((0, 0), (0, 0), (pad + 1, pad + 1), (pad + 1, pad + 1)))\n    out = np.zeros(",
        {"conv_forward_naive": [r"conv_forward_naive \(.*pad=\d\): out:", r"padded with pad \+ 1 zeros"],
         "conv_backward_naive": [r"fix conv_forward_naive first \(test conv_forward_naive\)"]}),
    # 9. The conv backward sums dout over the examples only, not over the output positions.
    "conv_db_not_summed_over_positions": (
        "layers.py", "db = dout.sum(axis=(0, 2, 3))", "db = dout.sum(axis=0)",
        {"conv_backward_naive": [r"db has shape \(\d+, \d+, \d+\) but expected \(\d+,\)",
                                 r"every output position"]}),
    # 10. Max-pool backward routes each window's gradient to every entry of the window.
    "max_pool_backward_to_whole_window": (
        "layers.py", "np.add.at(dx, (n, c, i * stride + r, j * stride + s), dout[:, :, i, j])",
        "dx[:, :, i * stride:i * stride + ph, j * stride:j * stride + pw] += dout[:, :, i, j][:, :, None, None]",
        {"conv_max_pool_backward": [r"max_pool_backward_naive \(.*\): dx:", r"EVERY entry of the window"]}),
    # 11. Group norm groups the channels by c % G instead of in consecutive blocks.
    "groupnorm_interleaved_groups": (
        "layers.py", [
            ("xg = x.reshape(N, G, -1)", "xg = x.reshape(N, C // G, G, H * W).transpose(0, 2, 1, 3).reshape(N, G, -1)"),
            ("xhat = ((xg - xg.mean(axis=2, keepdims=True)) / std).reshape(x.shape)",
             "xhat = ((xg - xg.mean(axis=2, keepdims=True)) / std).reshape(N, G, C // G, H * W).transpose(\n"
             "        0, 2, 1, 3).reshape(x.shape)")],
        {"conv_spatial_gn_forward": [r"spatial_groupnorm_forward \(.*G=\d\): out:", r"grouped by c % G"],
         "conv_spatial_gn_backward": [r"fix spatial_groupnorm_forward first \(test conv_spatial_gn_forward\)"]}),
    # 12. Spatial batchnorm takes its statistics per (example, channel) instead of per channel.
    "spatial_bn_per_example_and_channel": (
        "layers.py", "flat = x.transpose(0, 2, 3, 1).reshape(-1, C)\n"
                     "    out, cache = batchnorm_forward(flat, gamma, beta, bn_param)\n"
                     "    out = out.reshape(N, H, W, C).transpose(0, 3, 1, 2)",
        "flat = x.reshape(N * C, H * W).T\n"
        "    out, cache = batchnorm_forward(flat, np.tile(gamma, N), np.tile(beta, N), bn_param)\n"
        "    out = out.T.reshape(N, C, H, W)",
        {"conv_spatial_bn_forward": [r"spatial_batchnorm_forward, train mode \(.*\): out:",
                                     r"per \(example, channel\)"],
         "conv_spatial_bn_backward": [r"fix spatial_batchnorm_forward first \(test conv_spatial_bn_forward\)"]}),
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
    return _import_as(folder, f"mutant_{name}_cs231n")


def _import_as(folder, root):
    """The package in ``folder`` imported as ``root`` (its relative imports stay inside it); returns ``root``."""
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


def test_the_release_stubs_fail_every_conv_test_with_their_reason(tmp_path):
    """The student package as released (every solution region replaced by its stub, as ``strip_tree`` does): each
    ConvolutionalNetworks hidden test fails and says the function is not written yet."""
    folder = tmp_path / "cs231n"
    shutil.copytree(SOLUTION, folder, ignore=shutil.ignore_patterns("__pycache__"))
    strip_tree(tmp_path, notebooks=SOLUTION.parent)
    layers, cnn = (folder / "layers.py").read_text(), (folder / "classifiers" / "cnn.py").read_text()
    for stub in ("conv_forward_naive", "conv_backward_naive", "max_pool_forward_naive", "max_pool_backward_naive",
                 "spatial_batchnorm_forward", "spatial_batchnorm_backward", "spatial_groupnorm_forward",
                 "spatial_groupnorm_backward"):
        assert f'raise NotImplementedError("{stub} is not written yet; checked in ' in layers, stub
    assert 'raise NotImplementedError("ThreeLayerConvNet.__init__ is not written yet; checked in ' in cnn
    assert "SOLUTION" not in layers + cnn
    outcomes = _run_all(_import_as(folder, "released_stubs_cs231n"))
    conv = {gid: o for gid, o in outcomes.items() if gid.startswith("conv_")}
    assert len(conv) == 10
    for gid, outcome in conv.items():
        assert outcome.message == f"hidden test {gid}: not implemented yet (NotImplementedError)", outcome.message
