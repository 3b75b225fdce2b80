"""cs231n_lib.torch_training (PyTorch.ipynb's provided helpers) and cs231n_lib.torch_bridge (its checks' adapter):
MAC counts against the formulas (hypothesis), augmentations keep shape and dtype and crop with padding 0 is the
identity, checkpoints round-trip through ``weights_only=True``, early stopping keeps the best epoch, the loop steps
the LR schedule once per batch and stops on its time budget, datasets and class subsets are what they say."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn as nn
from hypothesis import given, settings
from hypothesis import strategies as st

from cs231n_lib import torch_bridge
from cs231n_lib import torch_training as tt

torch.set_num_threads(1)
FAST = settings(max_examples=25, deadline=None)


# --------------------------------------------------------------------------- counting

@FAST
@given(c_in=st.integers(1, 6), c_out=st.integers(1, 6), k=st.integers(1, 5), stride=st.integers(1, 3),
       pad=st.integers(0, 2), h=st.integers(5, 12), w=st.integers(5, 12), groups=st.sampled_from([1, 2]))
def test_macs_of_a_conv_are_output_elements_times_kernel_volume(c_in, c_out, k, stride, pad, h, w, groups):
    c_in, c_out = c_in * groups, c_out * groups
    conv = nn.Conv2d(c_in, c_out, k, stride=stride, padding=pad, groups=groups)
    h_out, w_out = (h + 2 * pad - k) // stride + 1, (w + 2 * pad - k) // stride + 1
    if h_out < 1 or w_out < 1:
        return
    assert tt.count_macs(conv, (c_in, h, w)) == c_out * h_out * w_out * (c_in // groups) * k * k
    assert tt.count_params(conv) == c_out * (c_in // groups) * k * k + c_out


@FAST
@given(d_in=st.integers(1, 50), d_out=st.integers(1, 50), hidden=st.integers(1, 20))
def test_macs_of_linear_layers_add_up_and_other_layers_cost_nothing(d_in, d_out, hidden):
    net = nn.Sequential(nn.Flatten(), nn.Linear(d_in, hidden), nn.ReLU(), nn.BatchNorm1d(hidden), nn.Linear(hidden, d_out))
    assert tt.count_macs(net, (d_in,)) == d_in * hidden + hidden * d_out
    assert net.training  # the mode is restored


def test_macs_of_a_residual_block_with_a_projection():
    block = tt.ResidualBlock(4, 8, stride=2)
    # conv1 3x3 4->8 at 5x5 output, conv2 3x3 8->8, 1x1 projection 4->8
    assert tt.count_macs(block, (4, 10, 10)) == 25 * 8 * (4 * 9 + 8 * 9 + 4)


# --------------------------------------------------------------------------- augmentation

_BATCHES = st.tuples(st.integers(1, 5), st.integers(1, 3), st.integers(4, 12), st.integers(4, 12),
                     st.sampled_from([torch.float32, torch.float64]))


@FAST
@given(shape=_BATCHES, padding=st.integers(0, 4), size=st.integers(1, 6), seed=st.integers(0, 1000))
def test_augmentations_keep_shape_and_dtype(shape, padding, size, seed):
    *dims, dtype = shape
    x = torch.randn(*dims, dtype=dtype)
    g = torch.Generator().manual_seed(seed)
    for out in (tt.random_crop(x, padding, g), tt.random_flip(x, generator=g), tt.cutout(x, size, g),
                tt.Augment(padding, True, size, seed)(x)):
        assert out.shape == x.shape and out.dtype == x.dtype


@FAST
@given(shape=_BATCHES, seed=st.integers(0, 1000))
def test_crop_with_padding_0_is_the_identity_and_flip_with_p_0_too(shape, seed):
    *dims, dtype = shape
    x = torch.randn(*dims, dtype=dtype)
    assert torch.equal(tt.random_crop(x, 0, torch.Generator().manual_seed(seed)), x)
    assert torch.equal(tt.random_flip(x, p=0.0), x)
    assert torch.equal(tt.random_flip(x, p=1.0), x.flip(3))


@FAST
@given(shape=_BATCHES, padding=st.integers(1, 3), seed=st.integers(0, 1000))
def test_a_crop_is_a_shifted_window_of_the_zero_padded_image(shape, padding, seed):
    *dims, dtype = shape
    N, C, H, W = dims
    x = torch.randn(*dims, dtype=dtype)
    out = tt.random_crop(x, padding, torch.Generator().manual_seed(seed))
    padded = torch.nn.functional.pad(x, (padding,) * 4)
    for n in range(N):
        windows = [(i, j) for i in range(2 * padding + 1) for j in range(2 * padding + 1)
                   if torch.equal(padded[n, :, i:i + H, j:j + W], out[n])]
        assert windows, n


@FAST
@given(shape=_BATCHES, size=st.integers(1, 6), seed=st.integers(0, 1000))
def test_cutout_zeroes_one_clipped_square_and_keeps_the_rest(shape, size, seed):
    *dims, dtype = shape
    x = torch.rand(*dims, dtype=dtype) + 1.0  # no zeros of its own
    out = tt.cutout(x, size, torch.Generator().manual_seed(seed))
    zero = out == 0
    assert torch.equal(out[~zero], x[~zero])
    for n in range(dims[0]):
        hole = zero[n, 0]
        assert torch.equal(zero[n], hole.expand_as(zero[n]))  # the same square in every channel
        rows, cols = hole.any(1).nonzero().flatten(), hole.any(0).nonzero().flatten()
        assert 1 <= len(rows) <= size and 1 <= len(cols) <= size
        assert int(hole.sum()) == len(rows) * len(cols)  # a rectangle


# --------------------------------------------------------------------------- checkpoints

def test_checkpoint_roundtrip_restores_every_tensor_with_weights_only(tmp_path):
    torch.manual_seed(0)
    model = tt.deep_net(1, width=4)
    model(torch.randn(3, 1, 12, 12))  # batch-norm running statistics move away from their start
    path = tmp_path / "sub" / "model.pt"
    tt.save_checkpoint(model, path)
    assert sorted(p.name for p in path.parent.iterdir()) == ["model.pt"]  # no temporary file left
    torch.manual_seed(1)
    other = tt.load_checkpoint(tt.deep_net(1, width=4), path, device="cpu")
    for (k, a), (k2, b) in zip(model.state_dict().items(), other.state_dict().items()):
        assert k == k2 and torch.equal(a, b), k
    state = torch.load(path, weights_only=True)
    assert set(state) == set(model.state_dict())


def test_a_checkpoint_with_pickled_code_is_refused(tmp_path):
    path = tmp_path / "evil.pt"
    torch.save({"w": torch.zeros(1), "extra": tt.History()}, path)
    with pytest.raises(Exception, match="[Ww]eights only"):
        tt.load_checkpoint(nn.Linear(1, 1), path)


# --------------------------------------------------------------------------- the training loop

def _toy_sets(n=64, seed=0):
    g = torch.Generator().manual_seed(seed)
    X = torch.randn(n, 1, 4, 4, generator=g)
    y = (X.mean(dim=(1, 2, 3)) > 0).long()
    return torch.utils.data.TensorDataset(X, y)


class _Scripted:
    """A scheduler stand-in whose step() count is read back, and a model whose val accuracy is scripted."""

    def __init__(self):
        self.steps = 0

    def step(self):
        self.steps += 1


def test_early_stopping_keeps_the_best_epochs_weights(monkeypatch):
    scripted = iter([0.5, 0.8, 0.7, 0.6, 0.9, 0.95])
    snapshots = []
    real_evaluate = tt.evaluate

    def fake_evaluate(model, dataset, batch_size=500, device=None):
        snapshots.append({k: v.clone() for k, v in model.state_dict().items()})
        return next(scripted)

    monkeypatch.setattr(tt, "evaluate", fake_evaluate)
    torch.manual_seed(0)
    model = nn.Sequential(nn.Flatten(), nn.Linear(16, 2))
    sched = _Scripted()
    history = tt.train(model, torch.optim.SGD(model.parameters(), lr=0.5), _toy_sets(), _toy_sets(seed=1), epochs=6,
                       batch_size=16, scheduler=sched, patience=2, verbose=False, device="cpu")
    assert history.val_acc == [0.5, 0.8, 0.7, 0.6] and history.stopped == "early"
    assert history.best_epoch == 2 and history.best_val_acc == 0.8
    for k, v in model.state_dict().items():
        assert torch.equal(v, snapshots[1][k]), k  # epoch 2's weights are back
    assert not torch.equal(snapshots[1]["1.weight"], snapshots[3]["1.weight"])  # training did move on
    assert sched.steps == len(history.losses) == 4 * 4 == len(history.lrs)
    monkeypatch.setattr(tt, "evaluate", real_evaluate)


def test_training_lowers_the_loss_and_a_time_budget_stops_it():
    torch.manual_seed(0)
    model = nn.Sequential(nn.Flatten(), nn.Linear(16, 2))
    opt = torch.optim.SGD(model.parameters(), lr=0.3)
    history = tt.train(model, opt, _toy_sets(256), _toy_sets(128, seed=1), epochs=5, batch_size=32, verbose=False,
                       device="cpu")
    assert history.stopped == "epochs" and history.epochs_run == 5
    assert np.mean(history.losses[-8:]) < 0.7 * np.mean(history.losses[:8])
    assert history.best_val_acc == max(history.val_acc) > 0.8
    assert tt.evaluate(model, _toy_sets(128, seed=1), device="cpu") == history.best_val_acc
    stopped = tt.train(model, opt, _toy_sets(256), _toy_sets(seed=1), epochs=50, batch_size=8, time_budget_s=0.0,
                       verbose=False, device="cpu")
    assert stopped.stopped == "time" and len(stopped.losses) == 1 and stopped.epochs_run == 1


def test_onecycle_schedule_is_stepped_per_batch_to_its_end():
    model = nn.Linear(16, 2)
    model = nn.Sequential(nn.Flatten(), model)
    opt, sched = tt._sgd_onecycle(model, 0.1, epochs=2, steps_per_epoch=4)
    history = tt.train(model, opt, _toy_sets(64), epochs=2, batch_size=16, scheduler=sched, verbose=False, device="cpu")
    assert len(history.lrs) == 8 and max(history.lrs) <= 0.1 + 1e-12
    assert history.lrs[0] < history.lrs[2] and history.lrs[-1] < history.lrs[2]


# --------------------------------------------------------------------------- data

def test_tensor_datasets_standardise_with_the_training_std_and_class_subset_relabels():
    rng = np.random.default_rng(0)
    data = {"X_train": rng.normal(0, 50, (40, 1, 3, 3)).astype(np.float32), "y_train": np.arange(40) % 4,
            "X_val": rng.normal(0, 50, (8, 1, 3, 3)).astype(np.float32), "y_val": np.arange(8) % 4}
    sets = tt.tensor_datasets(data)
    assert set(sets) == {"train", "val"}
    X, y = sets["train"].tensors
    assert X.dtype == torch.float32 and y.dtype == torch.int64 and abs(float(X.std()) - 1) < 0.05
    sub = tt.class_subset(sets["train"], (3, 1), per_class=4, seed=0)
    labels = sub.tensors[1]
    assert len(sub) == 8 and sorted(labels.tolist()) == [0] * 4 + [1] * 4
    Xs = sub.tensors[0]
    for x, label in zip(Xs, labels):  # each kept example is one of the original class's
        originals = X[y == (3, 1)[int(label)]]
        assert any(torch.equal(x, o) for o in originals)
    with pytest.raises(ValueError, match="fewer than per_class"):
        tt.class_subset(sets["train"], (0,), per_class=11)


def test_plain_and_residual_nets_have_the_same_depth_and_conv_shapes():
    plain, residual = tt.deep_net(2, 4, residual=False), tt.deep_net(2, 4, residual=True)
    convs = lambda m: [c.weight.shape for c in m.modules() if isinstance(c, nn.Conv2d) and c.kernel_size == (3, 3)]  # noqa: E731
    assert convs(plain) == convs(residual) and len(convs(plain)) == 6 * 2 + 1
    assert plain(torch.randn(2, 1, 12, 12)).shape == (2, 10)
    se = tt.SqueezeExcitation(8)
    x = torch.rand(2, 8, 5, 5)
    gated = se(x)
    assert gated.shape == x.shape and torch.all(gated <= x) and torch.all(gated >= 0)


# --------------------------------------------------------------------------- the grader's adapter

def test_bridge_reports_outputs_gradients_and_what_went_wrong():
    x = np.arange(6.0).reshape(2, 3)
    report = torch_bridge.call_function(lambda t: (2 * t).sum(dim=1), x, None, np.ones(2), device="cpu")
    assert report["result"] == {"type": "Tensor", "shape": (2,), "dtype": "float64", "device": "cpu", "connected": True}
    np.testing.assert_array_equal(report["dx"], 2 * np.ones((2, 3)))
    cut = torch_bridge.call_function(lambda t: torch.tensor(t.detach().numpy().sum(1)), x, None, np.ones(2), "cpu")
    assert cut["result"]["connected"] is False and cut["backward"] == "not connected to autograd"
    crashed = torch_bridge.call_function(lambda t, p: t.mm(p[0]), x, [np.ones((2, 2))], None, "cpu")
    assert crashed["raised"].startswith("RuntimeError") and crashed["out"] is None
    with pytest.raises(NotImplementedError):
        torch_bridge.call_function(lambda t: (_ for _ in ()).throw(NotImplementedError("todo")), x)
    state = torch_bridge.module_state(nn.Linear, [3, 2], None, seed=5)
    assert state["parameters"] == ["weight", "bias"] and state["state"]["weight"].shape == (2, 3)
    again = torch_bridge.module_state(nn.Linear, [3, 2], None, seed=5)
    np.testing.assert_array_equal(state["state"]["weight"], again["state"]["weight"])
    run = torch_bridge.module_forward_backward(nn.Linear, [3, 2], None, {"weight": np.ones((2, 3)), "bias": np.zeros(2)},
                                               x, np.ones((2, 2)), device="cpu")
    np.testing.assert_array_equal(run["out"], x.sum(1, keepdims=True).repeat(2, 1))
    np.testing.assert_array_equal(run["grads"]["weight"], np.ones((2, 2)).T @ x)
    refused = torch_bridge.module_forward_backward(nn.Linear, [3, 2], None, {"weight": np.ones((2, 3))}, x,
                                                   np.ones((2, 2)), device="cpu")
    assert "bias" in refused["load"] and refused["out"] is None


@FAST
@given(budget=st.floats(1.0, 1000.0), pct=st.floats(0.05, 0.6), lr=st.floats(1e-3, 1.0))
def test_time_budget_onecycle_warms_up_to_max_lr_then_anneals_by_the_clock(budget, pct, lr):
    now = [0.0]
    opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=123.0)
    sched = tt.TimeBudgetOneCycle(opt, lr, budget, pct_start=pct, clock=lambda: now[0])
    assert opt.param_groups[0]["lr"] == pytest.approx(lr / 25)  # set at once, not at the first step
    rates = []
    for t in np.linspace(0, 1.2 * budget, 61):
        now[0] = t
        sched.step()
        rates.append(opt.param_groups[0]["lr"])
    peak = int(np.argmax(rates))
    assert rates[peak] <= lr * (1 + 1e-12) and rates[peak] > 0.9 * lr
    assert all(a <= b + 1e-15 for a, b in zip(rates[:peak], rates[1:peak + 1]))  # warm-up rises
    assert all(a >= b - 1e-15 for a, b in zip(rates[peak:], rates[peak + 1:]))  # annealing falls
    assert rates[-1] == pytest.approx(lr / 25 / 1e4) and rates[50] == rates[-1]  # after the budget: the final rate
