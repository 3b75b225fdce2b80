"""Networks written in PyTorch, at two levels of its API (PyTorch.ipynb).

- Barebones (tensors and autograd): ``flatten``, ``two_layer_fc`` and ``three_layer_convnet`` are plain
  functions of an input tensor and a list of parameter tensors.  Build them from torch operations only
  (``mm``, ``F.relu``, ``F.conv2d``, ...), never through numpy, so autograd can compute every gradient.
- ``nn.Module``: ``ThreeLayerConvNet`` owns its layers and initialises them (Kaiming normal).

(The third level, ``nn.Sequential``, and the experiments' nets are notebook code and ``cs231n_lib.torch_training``.)

Keep the dtype and the device of the input: a float64 input gives float64 outputs.
"""

import torch
import torch.nn as nn
import torch.nn.functional as F


# --------------------------------------------------------------------------- barebones: tensors and autograd

def flatten(x):
    """Each example of a batch as one vector: ``x`` of shape (N, d1, ..., dk) -> (N, d1 * ... * dk).

    Inputs:
    - x: tensor of shape (N, d1, ..., dk)

    Returns a view of x of shape (N, D) with D = d1 * ... * dk (example i's entries in x's order).
    """
    # YOUR CODE HERE
    raise NotImplementedError("flatten is not written yet; checked in PyTorch.ipynb")


def two_layer_fc(x, params):
    """A two-layer fully-connected ReLU net: scores = relu(flatten(x) @ w1) @ w2 (no biases, as CS231n's).

    Inputs:
    - x: tensor of shape (N, d1, ..., dk), a minibatch of N examples of D = d1 * ... * dk numbers
    - params: list [w1, w2] of tensors; w1 of shape (D, H), w2 of shape (H, C)

    Returns scores, a tensor of shape (N, C).
    """
    w1, w2 = params
    scores = None
    # YOUR CODE HERE
    raise NotImplementedError("two_layer_fc is not written yet; checked in PyTorch.ipynb")
    return scores


def three_layer_convnet(x, params):
    """A three-layer convnet: conv (5x5, zero padding 2) - ReLU - conv (3x3, zero padding 1) - ReLU - fully connected.

    Both convolutions have stride 1, so they keep H and W.

    Inputs:
    - x: tensor of shape (N, C, H, W)
    - params: list [conv_w1, conv_b1, conv_w2, conv_b2, fc_w, fc_b] of tensors:
      conv_w1 (channel_1, C, 5, 5), conv_b1 (channel_1,), conv_w2 (channel_2, channel_1, 3, 3),
      conv_b2 (channel_2,), fc_w (channel_2 * H * W, num_classes), fc_b (num_classes,)

    Returns scores, a tensor of shape (N, num_classes).
    """
    conv_w1, conv_b1, conv_w2, conv_b2, fc_w, fc_b = params
    scores = None
    # YOUR CODE HERE
    raise NotImplementedError("three_layer_convnet is not written yet; checked in PyTorch.ipynb")
    return scores


# --------------------------------------------------------------------------- nn.Module

class ThreeLayerConvNet(nn.Module):
    """The same architecture as ``three_layer_convnet``, as an ``nn.Module``.

    Layers (attribute names are part of the API: the checks read ``state_dict()``):
    - ``conv1``: ``nn.Conv2d(in_channel, channel_1, 5, padding=2)``
    - ``conv2``: ``nn.Conv2d(channel_1, channel_2, 3, padding=1)``
    - ``fc``: ``nn.Linear(channel_2 * H * W, num_classes)`` with ``(H, W) = image_size``

    Initialise every weight with ``nn.init.kaiming_normal_`` (its defaults: fan in, gain sqrt(2)) and every bias
    with zeros.  CS231n's version is for 32x32 CIFAR-10 images; ``image_size`` lets it take Fashion-MNIST's 28x28.
    """

    def __init__(self, in_channel, channel_1, channel_2, num_classes, image_size=(32, 32)):
        super().__init__()
        H, W = image_size
        # YOUR CODE HERE
        raise NotImplementedError("ThreeLayerConvNet.__init__ is not written yet; checked in PyTorch.ipynb")

    def forward(self, x):
        """Scores of shape (N, num_classes) for ``x`` of shape (N, in_channel, H, W)."""
        scores = None
        # YOUR CODE HERE
        raise NotImplementedError("ThreeLayerConvNet.forward is not written yet; checked in PyTorch.ipynb")
        return scores
