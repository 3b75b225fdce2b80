"""Your code for assignment 2 (the CS231n layout).

The notebooks import from this package and check what you write here:

- ``layers.py``       -> FullyConnectedNets.ipynb (affine, ReLU, svm_loss, softmax_loss),
                         BatchNormalization.ipynb (batchnorm, layernorm), Dropout.ipynb (dropout),
                         ConvolutionalNetworks.ipynb (naive conv and max pool, spatial batch/group norm)
- ``layer_utils.py``  -> FullyConnectedNets.ipynb (the affine-ReLU sandwich); the conv sandwiches are provided
                         (ConvolutionalNetworks.ipynb, on cs231n_lib's fast layers)
- ``optim.py``        -> FullyConnectedNets.ipynb (sgd_momentum, rmsprop, adam)
- ``classifiers/fc_net.py`` -> the first three: FullyConnectedNet grows a branch per notebook
- ``classifiers/cnn.py``    -> ConvolutionalNetworks.ipynb (ThreeLayerConvNet)
- ``torch_nets.py``   -> PyTorch.ipynb (flatten, two_layer_fc, three_layer_convnet, the nn.Module ThreeLayerConvNet)

Each module is imported on its own, so a mistake in one file costs only the
tests that need it.  Modules import each other relatively (``from ..layers
import ...``); keep it that way.
"""
