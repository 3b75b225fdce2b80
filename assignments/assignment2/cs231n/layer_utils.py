"""Sandwich layers: common chains of layers as one forward and one backward call.

You write ``affine_relu_forward`` / ``affine_relu_backward`` (FullyConnectedNets.ipynb);
they only call the layers of ``layers.py``.

The convolutional sandwiches (``conv_relu_*``, ``conv_relu_pool_*``, ``conv_bn_relu_*``) are
provided: ConvolutionalNetworks.ipynb checks them and ThreeLayerConvNet uses them.  They run on
the fast conv and max-pool layers of ``cs231n_lib.fast_layers`` (same API as your naive ones),
so the network trains in minutes, not hours.
"""

from cs231n_lib.fast_layers import conv_backward_fast, conv_forward_fast, max_pool_backward_fast, max_pool_forward_fast

from .layers import (affine_backward, affine_forward, relu_backward, relu_forward, spatial_batchnorm_backward,
                     spatial_batchnorm_forward)


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


def conv_relu_forward(x, w, b, conv_param):
    """A convolution followed by a ReLU: returns ``(out, cache)``."""
    a, conv_cache = conv_forward_fast(x, w, b, conv_param)
    out, relu_cache = relu_forward(a)
    return out, (conv_cache, relu_cache)


def conv_relu_backward(dout, cache):
    """Backward pass of the conv-ReLU sandwich: returns ``(dx, dw, db)``."""
    conv_cache, relu_cache = cache
    return conv_backward_fast(relu_backward(dout, relu_cache), conv_cache)


def conv_bn_relu_forward(x, w, b, gamma, beta, conv_param, bn_param):
    """A convolution, spatial batch normalization and a ReLU: returns ``(out, cache)``."""
    a, conv_cache = conv_forward_fast(x, w, b, conv_param)
    an, bn_cache = spatial_batchnorm_forward(a, gamma, beta, bn_param)
    out, relu_cache = relu_forward(an)
    return out, (conv_cache, bn_cache, relu_cache)


def conv_bn_relu_backward(dout, cache):
    """Backward pass of the conv-batchnorm-ReLU sandwich: returns ``(dx, dw, db, dgamma, dbeta)``."""
    conv_cache, bn_cache, relu_cache = cache
    dan, dgamma, dbeta = spatial_batchnorm_backward(relu_backward(dout, relu_cache), bn_cache)
    dx, dw, db = conv_backward_fast(dan, conv_cache)
    return dx, dw, db, dgamma, dbeta


def conv_relu_pool_forward(x, w, b, conv_param, pool_param):
    """A convolution, a ReLU and a max pool: returns ``(out, cache)``."""
    a, conv_cache = conv_forward_fast(x, w, b, conv_param)
    s, relu_cache = relu_forward(a)
    out, pool_cache = max_pool_forward_fast(s, pool_param)
    return out, (conv_cache, relu_cache, pool_cache, out.shape)


def conv_relu_pool_backward(dout, cache):
    """Backward pass of the conv-ReLU-pool sandwich: returns ``(dx, dw, db)``.  ``dout`` may come flattened,
    (N, F * H' * W'), as the gradient of a following affine layer's input: it is given the pool's shape."""
    conv_cache, relu_cache, pool_cache, out_shape = cache
    ds = max_pool_backward_fast(dout.reshape(out_shape), pool_cache)
    return conv_backward_fast(relu_backward(ds, relu_cache), conv_cache)
