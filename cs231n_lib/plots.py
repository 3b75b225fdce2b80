"""Plots used across the notebooks.  Every function returns its matplotlib Figure.

Images may come as rows ``(N, D)``, ``(N, C, H, W)`` or ``(N, H, W, C)``; give
``image_shape = (H, W, C)`` (the ``image_shape`` entry of ``get_data``'s dict)
so flat rows can be reshaped.
"""

from __future__ import annotations

import math

import matplotlib.pyplot as plt
import numpy as np


def to_display(image, image_shape=None):
    """One image as an (H, W) or (H, W, 3) float array scaled to [0, 1] for ``imshow``."""
    img = np.asarray(image, dtype=np.float64)
    if image_shape is not None:
        h, w, c = image_shape
        if img.size != h * w * c:
            raise ValueError(f"an image of {img.size} values cannot take image_shape {tuple(image_shape)}")
        if img.ndim == 3 and img.shape[0] == c and img.shape[-1] != c:  # (C, H, W)
            img = img.transpose(1, 2, 0)
        img = img.reshape(h, w, c)
    elif img.ndim == 3 and img.shape[0] in (1, 3) and img.shape[-1] not in (1, 3):
        img = img.transpose(1, 2, 0)
    if img.ndim == 3 and img.shape[-1] == 1:
        img = img[..., 0]
    lo, hi = img.min(), img.max()
    return (img - lo) / (hi - lo) if hi > lo else np.zeros_like(img)


def _grid(n, ncols):
    ncols = max(1, min(ncols, n))
    nrows = max(1, math.ceil(n / ncols))
    fig, axes = plt.subplots(nrows, ncols, figsize=(1.3 * ncols, 1.4 * nrows), squeeze=False)
    for ax in axes.ravel():
        ax.axis("off")
    return fig, axes.ravel()


def show_image_grid(images, image_shape=None, titles=None, ncols=8, title=None):
    """A grid of images, optionally titled one by one."""
    images = list(images)
    fig, axes = _grid(len(images), ncols)
    for i, img in enumerate(images):
        axes[i].imshow(to_display(img, image_shape), cmap="gray", interpolation="nearest")
        if titles is not None:
            axes[i].set_title(str(titles[i]), fontsize=8)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def show_class_examples(X, y, class_names, image_shape=None, samples_per_class=7, seed=0):
    """CS231n's class-examples figure: one column per class, random examples of it."""
    rng = np.random.default_rng(seed)
    num_classes = len(class_names)
    fig, axes = plt.subplots(samples_per_class, num_classes,
                             figsize=(1.1 * num_classes, 1.1 * samples_per_class), squeeze=False)
    y = np.asarray(y)
    for c, name in enumerate(class_names):
        idxs = np.flatnonzero(y == c)
        chosen = rng.choice(idxs, size=min(samples_per_class, len(idxs)), replace=False) if len(idxs) else []
        for row in range(samples_per_class):
            ax = axes[row, c]
            ax.axis("off")
            if row < len(chosen):
                ax.imshow(to_display(X[chosen[row]], image_shape), cmap="gray", interpolation="nearest")
            if row == 0:
                ax.set_title(name, fontsize=8)
    fig.tight_layout()
    return fig


def show_weight_templates(W, class_names, image_shape):
    """Each class's weight column shown as an image; a trailing bias row is dropped."""
    W = np.asarray(W)
    h, w, c = image_shape
    if W.shape[0] == h * w * c + 1:
        W = W[:-1]
    if W.shape[0] != h * w * c:
        raise ValueError(f"W has {W.shape[0]} rows; image_shape {tuple(image_shape)} needs {h * w * c} (+1 for bias)")
    templates = [W[:, j] for j in range(W.shape[1])]
    return show_image_grid(templates, image_shape, titles=list(class_names), ncols=min(10, len(templates)),
                           title="Learned weight templates")


def plot_curves(curves, xlabel="iteration", ylabel="", title="", ax=None):
    """Line plot of named sequences: ``plot_curves({"train": acc_tr, "val": acc_val}, "epoch", "accuracy")``."""
    if ax is None:
        fig, ax = plt.subplots(figsize=(7, 4))
    else:
        fig = ax.figure
    for name, values in curves.items():
        values = np.asarray(values, dtype=np.float64)
        ax.plot(np.arange(len(values)), values, "-o" if len(values) < 30 else "-", label=name, markersize=3)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    if len(curves) > 1:
        ax.legend()
    fig.tight_layout()
    return fig


def plot_cross_validation(k_to_accuracies, xlabel="k", title="Cross-validation on k"):
    """Every fold's accuracy as a dot, the mean with a standard-deviation error bar."""
    ks = sorted(k_to_accuracies)
    fig, ax = plt.subplots(figsize=(7, 4))
    for k in ks:
        accs = k_to_accuracies[k]
        ax.scatter([k] * len(accs), accs, color="tab:blue", s=12)
    means = np.array([np.mean(k_to_accuracies[k]) for k in ks])
    stds = np.array([np.std(k_to_accuracies[k]) for k in ks])
    ax.errorbar(ks, means, yerr=stds, color="tab:orange", capsize=3, label="mean ± std")
    ax.set_xlabel(xlabel)
    ax.set_ylabel("cross-validation accuracy")
    ax.set_title(title)
    ax.legend()
    fig.tight_layout()
    return fig


def plot_hyperparameter_search(results, xlabel="log10 learning rate", ylabel="log10 regularization strength"):
    """CS231n's search plot: ``results[(lr, reg)] = (train_acc, val_acc)`` as colored squares."""
    keys = list(results)
    x = np.log10([k[0] for k in keys])
    y = np.log10([k[1] if k[1] > 0 else 1e-12 for k in keys])
    fig, axes = plt.subplots(1, 2, figsize=(10, 4))
    for ax, idx, name in ((axes[0], 0, "training accuracy"), (axes[1], 1, "validation accuracy")):
        colors = [results[k][idx] for k in keys]
        sc = ax.scatter(x, y, c=colors, s=200, marker="s", cmap="viridis")
        fig.colorbar(sc, ax=ax)
        ax.set_xlabel(xlabel)
        ax.set_ylabel(ylabel)
        ax.set_title(name)
    fig.tight_layout()
    return fig


def _history(h, key):
    """``h.key`` for a Solver, ``h[key]`` for a dict of histories."""
    return getattr(h, key) if hasattr(h, key) else h[key]


def plot_solver_histories(histories, title=""):
    """CS231n's three-panel comparison of training runs: ``histories`` maps a name to a Solver (or a dict with
    ``loss_history``, ``train_acc_history`` and ``val_acc_history``); the training loss per iteration on top, the
    training and the validation accuracy per epoch below."""
    fig, axes = plt.subplots(3, 1, figsize=(9, 10), sharex=False)
    panels = (("loss_history", "training loss", "iteration"), ("train_acc_history", "training accuracy", "epoch"),
              ("val_acc_history", "validation accuracy", "epoch"))
    for ax, (key, label, xlabel) in zip(axes, panels):
        for name, h in histories.items():
            values = np.asarray(_history(h, key), dtype=np.float64)
            style = "o" if key == "loss_history" else "-o"
            ax.plot(np.arange(len(values)), values, style, label=name, markersize=2 if key == "loss_history" else 4,
                    alpha=0.6 if key == "loss_history" else 1.0)
        ax.set_xlabel(xlabel)
        ax.set_ylabel(label)
    if histories:
        axes[0].legend(loc="upper right", markerscale=3)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def plot_heatmaps(panels, xlabel, ylabel, title="", fmt="{:.2f}", vmin=None, vmax=None):
    """One annotated heatmap per panel: ``panels`` maps a name to ``{(x, y): value}`` on a grid (e.g. the training
    accuracy for each weight scale and learning rate); the axes list the distinct x and y values."""
    fig, axes = plt.subplots(1, len(panels), figsize=(5.2 * len(panels), 4.2), squeeze=False)
    for ax, (name, values) in zip(axes[0], panels.items()):
        xs = sorted({k[0] for k in values})
        ys = sorted({k[1] for k in values})
        grid = np.full((len(ys), len(xs)), np.nan)
        for (x, y), v in values.items():
            grid[ys.index(y), xs.index(x)] = v
        im = ax.imshow(grid, origin="lower", cmap="viridis", vmin=vmin, vmax=vmax, aspect="auto")
        for i in range(len(ys)):
            for j in range(len(xs)):
                if np.isfinite(grid[i, j]):
                    ax.text(j, i, fmt.format(grid[i, j]), ha="center", va="center", fontsize=8,
                            color="white" if im.norm(grid[i, j]) < 0.5 else "black")
        ax.set_xticks(range(len(xs)), [f"{x:g}" for x in xs])
        ax.set_yticks(range(len(ys)), [f"{y:g}" for y in ys])
        ax.set_xlabel(xlabel)
        ax.set_ylabel(ylabel)
        ax.set_title(name)
        fig.colorbar(im, ax=ax)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def plot_matrices(matrices, title="", symmetric=True):
    """Square matrices side by side (e.g. covariances before and after whitening), each with its colorbar;
    ``symmetric`` centres the colour scale on 0."""
    fig, axes = plt.subplots(1, len(matrices), figsize=(4.2 * len(matrices), 3.8), squeeze=False)
    for ax, (name, M) in zip(axes[0], matrices.items()):
        M = np.asarray(M, dtype=np.float64)
        lim = np.abs(M).max() if symmetric and M.size else None
        im = ax.imshow(M, cmap="RdBu_r" if symmetric else "viridis", vmin=-lim if lim else None, vmax=lim,
                       interpolation="nearest")
        ax.set_title(name)
        fig.colorbar(im, ax=ax)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def plot_scatter_panels(panels, y, class_names=None, title="", xlabel="", ylabel=""):
    """2-D point clouds side by side, coloured by label: ``panels`` maps a name to an ``(N, 2)`` array (e.g. the
    data projected on two principal components, then whitened)."""
    y = np.asarray(y)
    labels = np.unique(y)
    fig, axes = plt.subplots(1, len(panels), figsize=(4.4 * len(panels), 4.2), squeeze=False)
    cmap = plt.get_cmap("tab10")
    for ax, (name, Z) in zip(axes[0], panels.items()):
        Z = np.asarray(Z, dtype=np.float64)
        if Z.ndim != 2 or Z.shape[1] != 2 or len(Z) != len(y):
            raise ValueError(f"panel {name!r}: expected an array of shape ({len(y)}, 2), got {Z.shape}")
        for k, c in enumerate(labels):
            rows = y == c
            label = class_names[c] if class_names is not None else str(c)
            ax.scatter(Z[rows, 0], Z[rows, 1], s=8, color=cmap(k % 10), label=label)
        ax.set_aspect("equal", adjustable="datalim")
        ax.axhline(0, color="gray", lw=0.5)
        ax.axvline(0, color="gray", lw=0.5)
        ax.set_title(name)
        ax.set_xlabel(xlabel)
        ax.set_ylabel(ylabel)
    axes[0][-1].legend(fontsize=7, markerscale=2, loc="center left", bbox_to_anchor=(1.0, 0.5))
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig
