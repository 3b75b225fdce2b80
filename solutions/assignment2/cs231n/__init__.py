"""Your code for assignment 2 (the CS231n layout).

The notebooks import from this package and check what you write here:

- ``layers.py``       -> FullyConnectedNets.ipynb (affine, ReLU, svm_loss, softmax_loss),
                         BatchNormalization.ipynb (batchnorm, layernorm), Dropout.ipynb (dropout)
- ``layer_utils.py``  -> FullyConnectedNets.ipynb (the affine-ReLU sandwich)
- ``optim.py``        -> FullyConnectedNets.ipynb (sgd_momentum, rmsprop, adam)
- ``classifiers/fc_net.py`` -> all three: FullyConnectedNet grows a branch per notebook

Each module is imported on its own, so a mistake in one file costs only the
tests that need it.  Modules import each other relatively (``from ..layers
import ...``); keep it that way.
"""
