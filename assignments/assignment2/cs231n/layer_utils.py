"""Sandwich layers: common chains of layers as one forward and one backward call.

You write ``affine_relu_forward`` / ``affine_relu_backward`` (FullyConnectedNets.ipynb);
they only call the layers of ``layers.py``.
"""

from .layers import affine_backward, affine_forward, relu_backward, relu_forward


def affine_relu_forward(x, w, b):
    """An affine transform followed by a ReLU.

    Inputs:
    - x: input to the affine layer, of shape (N, d_1, ..., d_k)
    - w, b: weights (D, M) and biases (M,) of the affine layer

    Returns a tuple of:
    - out: output of the ReLU, of shape (N, M)
    - cache: whatever affine_relu_backward needs
    """
    # YOUR CODE HERE
    raise NotImplementedError("affine_relu_forward is not written yet; checked in FullyConnectedNets.ipynb")
    return out, cache


def affine_relu_backward(dout, cache):
    """Backward pass of the affine-ReLU sandwich: returns ``(dx, dw, db)``."""
    # YOUR CODE HERE
    raise NotImplementedError("affine_relu_backward is not written yet; checked in FullyConnectedNets.ipynb")
    return dx, dw, db
