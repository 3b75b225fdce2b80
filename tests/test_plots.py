import matplotlib.figure
import numpy as np
import pytest

from cs231n_lib import plots


@pytest.fixture(autouse=True)
def _close():
    yield
    import matplotlib.pyplot as plt
    plt.close("all")


def test_to_display_handles_layouts():
    img = np.arange(28 * 28, dtype=float)
    out = plots.to_display(img, (28, 28, 1))
    assert out.shape == (28, 28) and out.min() == 0 and out.max() == 1
    chw = np.random.default_rng(0).random((3, 8, 8))
    assert plots.to_display(chw).shape == (8, 8, 3)
    with pytest.raises(ValueError, match="image_shape"):
        plots.to_display(img, (32, 32, 3))


def test_all_plots_return_figures():
    rng = np.random.default_rng(0)
    X = rng.random((40, 16))
    y = np.repeat(np.arange(4), 10)
    names = ["a", "b", "c", "d"]
    figs = [
        plots.show_image_grid(X[:10], (4, 4, 1), titles=list(range(10))),
        plots.show_class_examples(X, y, names, (4, 4, 1), samples_per_class=3),
        plots.show_weight_templates(rng.random((17, 4)), names, (4, 4, 1)),
        plots.plot_curves({"train": [1, 2, 3], "val": [1, 1, 2]}, "epoch", "acc"),
        plots.plot_cross_validation({1: [0.5, 0.6], 3: [0.7, 0.65]}),
        plots.plot_hyperparameter_search({(1e-3, 1e-2): (0.5, 0.4), (1e-2, 1e-1): (0.6, 0.55)}),
    ]
    assert all(isinstance(f, matplotlib.figure.Figure) for f in figs)


def test_weight_templates_reject_wrong_size():
    with pytest.raises(ValueError, match="needs 16"):
        plots.show_weight_templates(np.zeros((10, 3)), "abc", (4, 4, 1))


def test_solver_histories_heatmaps_matrices_and_scatter_return_figures():
    rng = np.random.default_rng(0)

    class FakeSolver:
        loss_history = list(rng.random(40))
        train_acc_history = [0.1, 0.5, 0.8]
        val_acc_history = [0.1, 0.4, 0.7]

    as_dict = {"loss_history": [2.3, 1.0], "train_acc_history": [0.1, 0.9], "val_acc_history": [0.1, 0.8]}
    fig = plots.plot_solver_histories({"sgd": FakeSolver(), "adam": as_dict}, title="optimizers")
    assert len(fig.axes) == 3 and [len(line.get_xdata()) for line in fig.axes[0].lines] == [40, 2]

    grid = {(ws, lr): ws * lr for ws in (1e-2, 1e-1) for lr in (1e-3, 1e-2, 1e-1)}
    fig = plots.plot_heatmaps({"3-layer": grid, "5-layer": dict(list(grid.items())[:4])}, "weight scale", "lr")
    heat = fig.axes[0]
    assert [t.get_text() for t in heat.get_xticklabels()] == ["0.01", "0.1"] and len(heat.texts) == 6
    assert len(fig.axes[1].texts) == 4  # missing grid points stay blank

    figs = [plots.plot_matrices({"cov": np.cov(rng.random((5, 30))), "I": np.eye(5)}),
            plots.plot_scatter_panels({"a": rng.random((12, 2)), "b": rng.random((12, 2))}, np.arange(12) % 3,
                                      class_names=["x", "y", "z"])]
    assert all(isinstance(f, matplotlib.figure.Figure) for f in figs)
    with pytest.raises(ValueError, match=r"expected an array of shape \(12, 2\)"):
        plots.plot_scatter_panels({"a": rng.random((12, 3))}, np.arange(12) % 3)
