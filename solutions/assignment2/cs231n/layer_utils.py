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
    ### BEGIN SOLUTION
    a, fc_cache = affine_forward(x, w, b)
    out, relu_cache = relu_forward(a)
    cache = (fc_cache, relu_cache)
    ### END SOLUTION
    return out, cache


def affine_relu_backward(dout, cache):
    """Backward pass of the affine-ReLU sandwich: returns ``(dx, dw, db)``."""
    ### BEGIN SOLUTION
    fc_cache, relu_cache = cache
    da = relu_backward(dout, relu_cache)
    dx, dw, db = affine_backward(da, fc_cache)
    ### END SOLUTION
    return dx, dw, db
