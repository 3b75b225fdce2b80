"""Training helpers of PyTorch.ipynb (provided, nothing graded): device choice, datasets from ``get_data``'s
arrays, a training loop with a progress bar, early stopping and an LR-schedule hook, accuracy, safe
checkpoints, parameter and multiply-accumulate counts, batch augmentations, and the notebook's experiments.

- ``pick_device()``: CUDA when torch sees a GPU, else the CPU; prints which.
- ``tensor_datasets(data)``: ``TensorDataset`` per split of a ``get_data`` dict, pixels standardised with the
  training set's mean and std; ``class_subset`` keeps some classes (relabelled 0..k-1), optionally k per class.
- ``train(model, optimizer, train_set, val_set, ...)``: minibatch SGD with ``scheduler.step()`` after every
  batch (the LR-schedule hook), an optional ``augment`` of each batch, early stopping on validation accuracy
  (``patience`` epochs) and a time budget; the best epoch's ``state_dict`` is put back.  Returns a ``History``.
- ``evaluate(model, dataset)``: accuracy.  ``save_checkpoint`` / ``load_checkpoint``: a ``state_dict`` written
  atomically and read back with ``torch.load(path, weights_only=True)`` (no pickle code runs).
- ``count_params(model)``; ``count_macs(model, input_shape)``: multiply-accumulates of one example through every
  ``nn.Conv2d`` and ``nn.Linear`` (forward hooks), FLOPs ~ 2 x MACs.
- ``random_crop``, ``random_flip``, ``cutout``, ``Augment``: batch augmentations on ``(N, C, H, W)`` tensors.
- ``TimeBudgetOneCycle``: a OneCycle learning rate driven by the clock, so a time-budgeted run ends annealed.
- Experiments: ``deep_net`` (plain or residual, same depth), ``plain_vs_residual``, ``compact_cnn``,
  ``transfer_learning``, ``fit_open_ended``.

Every function takes a ``device`` (default: ``pick_device(verbose=False)``) and seeds what it draws, so a run
is repeatable on one machine.
"""

from __future__ import annotations

import copy
import math
import os
import tempfile
import time
from dataclasses import dataclass, field

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

from . import torch_bridge
from .progress import progress

__all__ = ["pick_device", "tensor_datasets", "class_subset", "History", "train", "evaluate", "save_checkpoint",
           "load_checkpoint", "count_params", "count_macs", "random_crop", "random_flip", "cutout", "Augment",
           "ResidualBlock", "PlainBlock", "SqueezeExcitation", "deep_net", "plain_vs_residual", "compact_cnn",
           "transfer_learning", "TimeBudgetOneCycle", "fit_open_ended"]


# --------------------------------------------------------------------------- device and data

def pick_device(verbose: bool = True) -> torch.device:
    """CUDA when torch sees a GPU, else the CPU (:func:`cs231n_lib.torch_bridge.pick_device`); with ``verbose``,
    prints which (and the GPU's name)."""
    device = torch_bridge.pick_device("auto")
    if verbose:
        what = torch.cuda.get_device_name(0) if device.type == "cuda" else f"{torch.get_num_threads()} CPU threads"
        print(f"training on {device.type} ({what})")
    return device


def _default(device):
    return pick_device(verbose=False) if device is None else torch.device(device)


def tensor_datasets(data: dict, splits=("train", "val", "test")) -> dict:
    """``{split: TensorDataset(X, y)}`` from a ``get_data`` dict: X float32 ``(N, C, H, W)`` divided by the training
    set's pixel std (``get_data`` already subtracted the mean image), y int64."""
    scale = float(np.std(data["X_train"])) or 1.0
    return {split: TensorDataset(torch.from_numpy(np.ascontiguousarray(data[f"X_{split}"], dtype=np.float32) / scale),
                                 torch.from_numpy(np.asarray(data[f"y_{split}"], dtype=np.int64)))
            for split in splits if f"X_{split}" in data}


def class_subset(dataset: TensorDataset, classes, per_class=None, seed=0) -> TensorDataset:
    """The examples of ``dataset`` whose label is in ``classes``, relabelled ``classes[i] -> i``; with ``per_class``,
    only that many of each class (drawn with ``seed``)."""
    X, y = dataset.tensors
    rng = np.random.default_rng(seed)
    keep = []
    for c in classes:
        idx = np.flatnonzero(y.numpy() == c)
        if per_class is not None:
            if per_class > len(idx):
                raise ValueError(f"class {c} has {len(idx)} examples, fewer than per_class={per_class}")
            idx = np.sort(rng.choice(idx, per_class, replace=False))
        keep.append(idx)
    keep = np.sort(np.concatenate(keep))
    relabel = torch.full((int(y.max()) + 1,), -1, dtype=torch.int64)
    relabel[torch.as_tensor(list(classes))] = torch.arange(len(classes))
    return TensorDataset(X[keep], relabel[y[keep]])


# --------------------------------------------------------------------------- training and evaluation

@dataclass
class History:
    """What ``train`` did: the loss and LR of every batch, validation accuracy after every epoch, the best epoch
    (1-based; its weights are the model's after ``train``), wall time, and why it stopped ("epochs", "early"
    (no better val accuracy for ``patience`` epochs) or "time" (the budget ran out))."""
    losses: list = field(default_factory=list)
    lrs: list = field(default_factory=list)
    val_acc: list = field(default_factory=list)
    best_epoch: int = 0
    best_val_acc: float = float("nan")
    seconds: float = 0.0
    stopped: str = "epochs"

    @property
    def epochs_run(self) -> int:
        return len(self.val_acc)


@torch.no_grad()
def evaluate(model: nn.Module, dataset, batch_size: int = 500, device=None) -> float:
    """Accuracy of ``model`` (in eval mode) on ``dataset``; the model's mode is restored afterwards."""
    device = _default(device)
    was_training = model.training
    model.eval()
    correct = total = 0
    for X, y in DataLoader(dataset, batch_size=batch_size):
        scores = model(X.to(device))
        correct += int((scores.argmax(dim=1).cpu() == y).sum())
        total += len(y)
    model.train(was_training)
    return correct / max(total, 1)


def _state_copy(model):
    return {k: v.detach().clone() for k, v in model.state_dict().items()}


def train(model: nn.Module, optimizer, train_set, val_set=None, *, epochs=1, batch_size=64, device=None,
          scheduler=None, augment=None, patience=None, time_budget_s=None, loss_fn=F.cross_entropy, seed=0,
          desc="train", verbose=True) -> History:
    """Train ``model`` in place with ``optimizer`` for up to ``epochs`` epochs of shuffled minibatches.

    - ``scheduler``: anything with ``step()``, called after every batch (e.g. ``OneCycleLR`` or ``CosineAnnealingLR``
      with ``total_steps``/``T_max`` = epochs x batches per epoch).
    - ``augment``: ``augment(X) -> X`` applied to each training batch (on the device).
    - ``val_set``: accuracy after every epoch; the best epoch's weights are restored at the end.  ``patience``:
      stop after that many epochs without a better val accuracy (early stopping).
    - ``time_budget_s``: stop after the batch that crosses the budget (then validate once more).
    """
    device = _default(device)
    model.to(device)
    generator = torch.Generator().manual_seed(seed)
    loader = DataLoader(train_set, batch_size=batch_size, shuffle=True, generator=generator)
    history, best_state, since_best = History(), None, 0
    start = time.monotonic()
    bar = progress(total=epochs * len(loader), desc=desc, disable=not verbose)
    try:
        for epoch in range(1, epochs + 1):
            model.train()
            for X, y in loader:
                X, y = X.to(device), y.to(device)
                if augment is not None:
                    X = augment(X)
                loss = loss_fn(model(X), y)
                optimizer.zero_grad(set_to_none=True)
                loss.backward()
                optimizer.step()
                history.lrs.append(optimizer.param_groups[0]["lr"])
                if scheduler is not None:
                    scheduler.step()
                history.losses.append(loss.item())
                bar.update(1)
                if time_budget_s is not None and time.monotonic() - start > time_budget_s:
                    history.stopped = "time"
                    break
            if val_set is not None:
                acc = evaluate(model, val_set, device=device)
                history.val_acc.append(acc)
                bar.set_postfix(loss=f"{np.mean(history.losses[-len(loader):]):.3f}", val_acc=f"{acc:.3f}")
                if not acc <= history.best_val_acc:  # also true for the first epoch (best is nan)
                    history.best_val_acc, history.best_epoch, best_state, since_best = acc, epoch, _state_copy(model), 0
                else:
                    since_best += 1
            if history.stopped == "time":
                break
            if patience is not None and since_best >= patience:
                history.stopped = "early"
                break
    finally:
        bar.close()
    if best_state is not None:
        model.load_state_dict(best_state)
    history.seconds = time.monotonic() - start
    return history


# --------------------------------------------------------------------------- checkpoints

def save_checkpoint(model: nn.Module, path) -> None:
    """Write ``model.state_dict()`` to ``path`` atomically (a temporary file in the same folder, then renamed), so
    an interrupted save never leaves a half-written checkpoint."""
    path = os.fspath(path)
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=folder, suffix=".tmp")
    os.close(fd)
    try:
        torch.save({k: v.detach().cpu() for k, v in model.state_dict().items()}, tmp)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


def load_checkpoint(model: nn.Module, path, device=None) -> nn.Module:
    """Load the ``state_dict`` at ``path`` into ``model`` with ``torch.load(path, weights_only=True)``: only tensors
    and plain containers are read, never pickled code.  Returns ``model`` (on ``device``)."""
    state = torch.load(path, map_location="cpu", weights_only=True)
    model.load_state_dict(state)
    return model.to(_default(device))


# --------------------------------------------------------------------------- counting

def count_params(model: nn.Module) -> int:
    """The number of trainable parameters."""
    return sum(p.numel() for p in model.parameters() if p.requires_grad)


def count_macs(model: nn.Module, input_shape) -> int:
    """Multiply-accumulates of ONE example of shape ``input_shape`` (C, H, W) through every ``nn.Conv2d``
    (``out elements x C_in / groups x kH x kW``) and ``nn.Linear`` (``out elements x in_features``); biases,
    norms, activations and pooling are not counted.  Measured by forward hooks on a batch of one, in eval mode."""
    total = [0]

    def conv_hook(module, inputs, output):
        kh, kw = module.kernel_size
        total[0] += output.numel() * (module.in_channels // module.groups) * kh * kw

    def linear_hook(module, inputs, output):
        total[0] += output.numel() * module.in_features

    hooks = [m.register_forward_hook(conv_hook if isinstance(m, nn.Conv2d) else linear_hook)
             for m in model.modules() if isinstance(m, (nn.Conv2d, nn.Linear))]
    was_training = model.training
    model.eval()
    try:
        device = next(model.parameters()).device
        with torch.no_grad():
            model(torch.zeros((1, *input_shape), device=device))
    finally:
        for h in hooks:
            h.remove()
        model.train(was_training)
    return total[0]


# --------------------------------------------------------------------------- augmentation

def random_crop(x: torch.Tensor, padding: int, generator=None) -> torch.Tensor:
    """Each image of ``x (N, C, H, W)`` zero-padded by ``padding`` on every side and cropped back to (H, W) at a
    random offset (0..2 * padding both ways).  ``padding=0`` returns ``x`` unchanged."""
    if padding == 0:
        return x
    N, C, H, W = x.shape
    padded = F.pad(x, (padding,) * 4)
    off = torch.randint(0, 2 * padding + 1, (2, N), generator=generator).to(x.device)
    rows = off[0][:, None] + torch.arange(H, device=x.device)  # (N, H)
    cols = off[1][:, None] + torch.arange(W, device=x.device)  # (N, W)
    n = torch.arange(N, device=x.device)[:, None, None]
    return padded[n, :, rows[:, :, None], cols[:, None, :]].permute(0, 3, 1, 2).contiguous()


def random_flip(x: torch.Tensor, p: float = 0.5, generator=None) -> torch.Tensor:
    """Each image of ``x`` mirrored left-right with probability ``p``."""
    flip = (torch.rand(x.shape[0], generator=generator) < p).to(x.device)
    return torch.where(flip[:, None, None, None], x.flip(3), x)


def cutout(x: torch.Tensor, size: int, generator=None) -> torch.Tensor:
    """Each image of ``x`` with a ``size`` x ``size`` square (clipped at the borders, centred anywhere) set to 0
    (DeVries & Taylor, 2017)."""
    N, _, H, W = x.shape
    cy = torch.randint(0, H, (N,), generator=generator).to(x.device)
    cx = torch.randint(0, W, (N,), generator=generator).to(x.device)
    ys, xs = torch.arange(H, device=x.device), torch.arange(W, device=x.device)
    top, left = cy - size // 2, cx - size // 2
    inside_y = (ys[None] >= top[:, None]) & (ys[None] < top[:, None] + size)  # (N, H)
    inside_x = (xs[None] >= left[:, None]) & (xs[None] < left[:, None] + size)  # (N, W)
    hole = inside_y[:, :, None] & inside_x[:, None, :]
    return x.masked_fill(hole[:, None], 0.0)


class Augment:
    """``Augment(crop_padding=2, flip=True, cutout_size=8)(X)``: random crop, then flip, then cutout, each optional;
    seeded by ``seed`` (its own generator, so training draws and augmentation draws do not interleave)."""

    def __init__(self, crop_padding=0, flip=False, cutout_size=0, seed=0):
        self.crop_padding, self.flip, self.cutout_size = crop_padding, flip, cutout_size
        self.generator = torch.Generator().manual_seed(seed)

    def __call__(self, x):
        x = random_crop(x, self.crop_padding, self.generator)
        if self.flip:
            x = random_flip(x, generator=self.generator)
        if self.cutout_size:
            x = cutout(x, self.cutout_size, self.generator)
        return x

    def __repr__(self):
        return f"Augment(crop_padding={self.crop_padding}, flip={self.flip}, cutout_size={self.cutout_size})"


# --------------------------------------------------------------------------- building blocks

def conv_bn_relu(in_channels, out_channels, stride=1):
    """3x3 conv (no bias: batch norm has one) - batch norm - ReLU."""
    return nn.Sequential(nn.Conv2d(in_channels, out_channels, 3, stride=stride, padding=1, bias=False),
                         nn.BatchNorm2d(out_channels), nn.ReLU(inplace=True))


class ResidualBlock(nn.Module):
    """A basic residual block (He et al., 2016): ``relu(bn2(conv2(relu(bn1(conv1(x))))) + shortcut(x))``, the
    shortcut the identity, or a 1x1 conv + batch norm when the block changes the shape (stride or channels)."""

    def __init__(self, in_channels, out_channels, stride=1):
        super().__init__()
        self.conv1 = nn.Conv2d(in_channels, out_channels, 3, stride=stride, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(out_channels)
        self.conv2 = nn.Conv2d(out_channels, out_channels, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(out_channels)
        self.shortcut = nn.Identity()
        if stride != 1 or in_channels != out_channels:
            self.shortcut = nn.Sequential(nn.Conv2d(in_channels, out_channels, 1, stride=stride, bias=False),
                                          nn.BatchNorm2d(out_channels))

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        return F.relu(self.bn2(self.conv2(out)) + self.shortcut(x))


class PlainBlock(ResidualBlock):
    """The same two conv-BN layers as ``ResidualBlock`` without the shortcut: ``relu(bn2(conv2(relu(bn1(conv1(x))))))``."""

    def __init__(self, in_channels, out_channels, stride=1):
        super().__init__(in_channels, out_channels, stride)
        self.shortcut = None

    def forward(self, x):
        return F.relu(self.bn2(self.conv2(F.relu(self.bn1(self.conv1(x))))))


class SqueezeExcitation(nn.Module):
    """Squeeze-and-excitation (Hu et al., 2018): each channel rescaled by a gate in (0, 1) computed from the
    global average of every channel (``channels -> channels // reduction -> channels``)."""

    def __init__(self, channels, reduction=4):
        super().__init__()
        self.fc1 = nn.Linear(channels, max(channels // reduction, 1))
        self.fc2 = nn.Linear(max(channels // reduction, 1), channels)

    def forward(self, x):
        gate = torch.sigmoid(self.fc2(F.relu(self.fc1(x.mean(dim=(2, 3))))))
        return x * gate[:, :, None, None]


def deep_net(blocks_per_stage, width=16, residual=True, in_channels=1, num_classes=10):
    """The CIFAR ResNet layout of He et al. (6n + 2 layers with weights): a 3x3 conv stem, three stages of ``n =
    blocks_per_stage`` two-conv blocks at ``width``, ``2 width``, ``4 width`` channels (the last two start with stride
    2), global average pooling and a linear layer.  ``residual=False`` gives the plain net of the same depth."""
    Block = ResidualBlock if residual else PlainBlock
    layers, channels = [conv_bn_relu(in_channels, width)], width
    for stage in range(3):
        out = width * 2 ** stage
        for b in range(blocks_per_stage):
            layers.append(Block(channels, out, stride=2 if stage > 0 and b == 0 else 1))
            channels = out
    layers += [nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(channels, num_classes)]
    return nn.Sequential(*layers)


def compact_cnn(in_channels=1, num_classes=10, channels=(32, 64, 128), dropout=0.2):
    """The open-ended model's starting point: stages of conv-BN-ReLU layers, each stage ending in a 2x2 max pool --
    one layer in the first stage (at full resolution, where a layer costs most), two in the others; then global
    average pooling, dropout and a linear layer."""
    layers, c = [], in_channels
    for stage, out in enumerate(channels):
        layers += [conv_bn_relu(c, out)] + ([conv_bn_relu(out, out)] if stage > 0 else []) + [nn.MaxPool2d(2)]
        c = out
    layers += [nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Dropout(dropout), nn.Linear(c, num_classes)]
    return nn.Sequential(*layers)


# --------------------------------------------------------------------------- experiments

def _sgd_onecycle(model, lr, epochs, steps_per_epoch, weight_decay=5e-4):
    optimizer = torch.optim.SGD(model.parameters(), lr=lr, momentum=0.9, nesterov=True, weight_decay=weight_decay)
    scheduler = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=lr, epochs=epochs,
                                                    steps_per_epoch=steps_per_epoch)
    return optimizer, scheduler


class TimeBudgetOneCycle:
    """OneCycle by the clock: the learning rate of ``optimizer`` follows OneCycle's cosine warm-up (from ``max_lr /
    div_factor`` to ``max_lr`` over the first ``pct_start`` of the time) and cosine annealing (to ``max_lr /
    final_div_factor``), as a function of the seconds elapsed since it was made over ``budget_s``; so training that
    stops at the time budget always ends annealed, however fast the machine is.  ``step()`` after every batch."""

    def __init__(self, optimizer, max_lr, budget_s, pct_start=0.25, div_factor=25.0, final_div_factor=1e4, clock=None):
        self.optimizer, self.max_lr, self.budget_s, self.pct_start = optimizer, max_lr, float(budget_s), pct_start
        self.initial_lr, self.final_lr = max_lr / div_factor, max_lr / div_factor / final_div_factor
        self.clock = clock or time.monotonic
        self.start = self.clock()
        self._set(self.lr_at(0.0))

    def lr_at(self, fraction: float) -> float:
        """The learning rate after ``fraction`` (0..1, clipped) of the budget."""
        fraction = min(max(fraction, 0.0), 1.0)
        if fraction < self.pct_start:
            lo, hi, t = self.initial_lr, self.max_lr, fraction / self.pct_start
        else:
            lo, hi, t = self.max_lr, self.final_lr, (fraction - self.pct_start) / (1 - self.pct_start)
        return hi + (lo - hi) * (1 + math.cos(math.pi * t)) / 2

    def _set(self, lr):
        for group in self.optimizer.param_groups:
            group["lr"] = lr

    def step(self):
        self._set(self.lr_at((self.clock() - self.start) / self.budget_s))


def _steps(dataset, batch_size):
    return math.ceil(len(dataset) / batch_size)


def plain_vs_residual(train_set, val_set, blocks_per_stage=3, width=16, epochs=3, batch_size=64, lr=0.1,
                      device=None, seed=0, verbose=True) -> dict:
    """The plain and the residual ``deep_net`` of the same depth, each trained from the same seed with the same
    budget (SGD + Nesterov momentum, OneCycle to ``lr``, ``epochs`` epochs).  Returns ``{"plain": ..., "residual":
    ...}``, each a dict with ``model``, ``history``, ``params``, ``depth`` and ``train_acc`` (on ``train_set``)."""
    device = _default(device)
    in_channels, num_classes = train_set.tensors[0].shape[1], int(train_set.tensors[1].max()) + 1
    results = {}
    for name in ("plain", "residual"):
        torch.manual_seed(seed)
        model = deep_net(blocks_per_stage, width, residual=name == "residual", in_channels=in_channels,
                         num_classes=num_classes).to(device)
        optimizer, scheduler = _sgd_onecycle(model, lr, epochs, _steps(train_set, batch_size))
        history = train(model, optimizer, train_set, val_set, epochs=epochs, batch_size=batch_size, device=device,
                        scheduler=scheduler, seed=seed, desc=f"{name} ({6 * blocks_per_stage + 2} layers)",
                        verbose=verbose)
        results[name] = {"model": model, "history": history, "params": count_params(model),
                         "depth": 6 * blocks_per_stage + 2, "train_acc": evaluate(model, train_set, device=device)}
    return results


def transfer_learning(train_set, test_set, source_classes=(0, 1, 2, 3, 4), target_classes=(5, 6, 7, 8, 9),
                      labels_per_class=100, pretrain_per_class=None, pretrain_epochs=3, finetune_epochs=15,
                      channels=(32, 64, 128), feature_lr_scale=1.0,
                      batch_size=64, lr=0.05, device=None, seed=0, verbose=True) -> dict:
    """Pretrain ``compact_cnn`` on ``source_classes`` (``pretrain_per_class`` training examples of each, default all),
    then learn
    ``target_classes`` from ``labels_per_class`` labels each, three ways with the same budget:

    - ``"linear probe"``: the pretrained features frozen (eval mode: batch norm statistics too), a new linear head
      trained on them;
    - ``"fine-tune"``: the pretrained net with a new head, every layer trained (the pretrained weights are the
      starting point; ``feature_lr_scale`` scales their learning rate, 1 by default: at 0.1 fine-tuning lost to
      training from scratch on Fashion-MNIST, 92.1% vs 93.4%, measured);
    - ``"from scratch"``: a fresh ``compact_cnn`` trained on the same labels.

    Accuracies are on the test examples of ``target_classes``.  Returns ``{"pretrain_acc": accuracy on the source
    classes' test examples, "<way>": {"test_acc", "history"}, "labels": number of target labels, "seconds"}``."""
    device = _default(device)
    start = time.monotonic()
    source_train = class_subset(train_set, source_classes, per_class=pretrain_per_class, seed=seed)
    source_test = class_subset(test_set, source_classes)
    target_train = class_subset(train_set, target_classes, per_class=labels_per_class, seed=seed)
    target_test = class_subset(test_set, target_classes)
    in_channels = train_set.tensors[0].shape[1]

    torch.manual_seed(seed)
    pretrained = compact_cnn(in_channels, len(source_classes), channels).to(device)
    optimizer, scheduler = _sgd_onecycle(pretrained, lr, pretrain_epochs, _steps(source_train, batch_size))
    train(pretrained, optimizer, source_train, epochs=pretrain_epochs, batch_size=batch_size, device=device,
          scheduler=scheduler, seed=seed, desc="pretrain (source classes)", verbose=verbose)
    results = {"pretrain_acc": evaluate(pretrained, source_test, device=device), "labels": len(target_train)}

    for way in ("linear probe", "fine-tune", "from scratch"):
        torch.manual_seed(seed + 1)
        if way == "linear probe":  # frozen features (BN statistics too), computed once: a linear model on them
            features = copy.deepcopy(pretrained[:-1]).eval().requires_grad_(False)
            train_part, test_part = _embed(features, target_train, device), _embed(features, target_test, device)
            model = nn.Linear(pretrained[-1].in_features, len(target_classes)).to(device)
            groups = [{"params": model.parameters(), "lr": lr}]
        else:
            train_part, test_part = target_train, target_test
            if way == "from scratch":
                model = compact_cnn(in_channels, len(target_classes), channels).to(device)
                groups = [{"params": model.parameters(), "lr": lr}]
            else:
                model = copy.deepcopy(pretrained)
                model[-1] = nn.Linear(model[-1].in_features, len(target_classes)).to(device)
                groups = [{"params": model[:-1].parameters(), "lr": lr * feature_lr_scale},
                          {"params": model[-1].parameters(), "lr": lr}]
        optimizer = torch.optim.SGD(groups, momentum=0.9, weight_decay=5e-4)
        scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, finetune_epochs * _steps(train_part, batch_size))
        history = train(model, optimizer, train_part, epochs=finetune_epochs, batch_size=batch_size, device=device,
                        scheduler=scheduler, seed=seed, desc=way, verbose=verbose)
        results[way] = {"test_acc": evaluate(model, test_part, device=device), "history": history}
    results["seconds"] = time.monotonic() - start
    return results


@torch.no_grad()
def _embed(features, dataset, device, batch_size=500):
    """``TensorDataset(features(X), y)`` (on the CPU) for a frozen feature extractor."""
    X, y = dataset.tensors
    out = torch.cat([features(X[i:i + batch_size].to(device)).cpu() for i in range(0, len(X), batch_size)])
    return TensorDataset(out, y)


def fit_open_ended(model, train_set, val_set, *, time_budget_s=600, max_epochs=100, batch_size=128, lr=0.1,
                   augment=None, device=None, seed=0, verbose=True) -> History:
    """The open-ended model's recipe: SGD + Nesterov momentum, weight decay 5e-4, ``TimeBudgetOneCycle`` to ``lr`` over
    ``time_budget_s`` seconds (training stops there, annealed, or after ``max_epochs``), optional ``augment``, the
    best val epoch kept."""
    device = _default(device)
    model.to(device)
    optimizer = torch.optim.SGD(model.parameters(), lr=lr, momentum=0.9, nesterov=True, weight_decay=5e-4)
    scheduler = TimeBudgetOneCycle(optimizer, lr, time_budget_s)
    return train(model, optimizer, train_set, val_set, epochs=max_epochs, batch_size=batch_size, device=device,
                 scheduler=scheduler, augment=augment, time_budget_s=time_budget_s, seed=seed, desc="open-ended model",
                 verbose=verbose)
