"""Interactive widgets for explorers and students (JupyterLab 4 + ipywidgets 8).

    from cs231n_lib.widgets import knn_demo, linear_classifier_demo
    from cs231n_lib.widgets import computational_graph_demo, weight_init_demo, optimizer_demo
    from cs231n_lib.widgets import convolution_demo, receptive_field_demo

Each widget keeps its math in a pure, tested module (``knn_math``,
``linear_math``, ``graph_math``, ``init_math``, ``optim_math``, ``conv_math``, ``rf_math``); the ``*_widget`` modules only wire controls and draw.
(Modules are named ``*_widget`` so they never shadow the functions.)
Names are imported lazily so that the kNN demo does not pay for importing torch.
"""

from importlib import import_module

_EXPORTS = {
    "knn_demo": "knn_widget",
    "KNNDemo": "knn_widget",
    "linear_classifier_demo": "linear_widget",
    "LinearClassifierDemo": "linear_widget",
    "computational_graph_demo": "graph_widget",
    "ComputationalGraphDemo": "graph_widget",
    "weight_init_demo": "init_widget",
    "WeightInitDemo": "init_widget",
    "optimizer_demo": "optim_widget",
    "OptimizerDemo": "optim_widget",
    "convolution_demo": "conv_widget",
    "ConvolutionDemo": "conv_widget",
    "receptive_field_demo": "rf_widget",
    "ReceptiveFieldDemo": "rf_widget",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name):
    if name in _EXPORTS:
        return getattr(import_module(f".{_EXPORTS[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
