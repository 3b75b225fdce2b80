"""Layers of a neural network, each a forward and a backward function.

``forward(inputs..., params)`` returns ``(out, cache)``; ``backward(dout, cache)``
returns the gradient of the loss with respect to each input, given ``dout``, the
gradient with respect to ``out``.  Keep the dtype of the inputs: a float32 batch
gives float32 outputs and gradients.

Checked in FullyConnectedNets.ipynb (affine, ReLU, svm_loss, softmax_loss),
BatchNormalization.ipynb (batchnorm, layernorm), Dropout.ipynb (dropout) and
ConvolutionalNetworks.ipynb (naive convolution and max pooling, spatial batch and group normalization).
"""

import numpy as np


# --------------------------------------------------------------------------- affine and ReLU

def affine_forward(x, w, b):
    """Forward pass of an affine (fully-connected) layer.

    The input x has shape (N, d_1, ..., d_k): a minibatch of N examples, each of
    D = d_1 * ... * d_k numbers.  Each example is reshaped into a vector of
    length D and transformed into an output vector of length M.

    Inputs:
    - x: array of shape (N, d_1, ..., d_k)
    - w: weights, of shape (D, M)
    - b: biases, of shape (M,)

    Returns a tuple of:
    - out: output, of shape (N, M)
    - cache: (x, w, b)
    """
    out = None
    # YOUR CODE HERE
    raise NotImplementedError("affine_forward is not written yet; checked in FullyConnectedNets.ipynb")
    cache = (x, w, b)
    return out, cache


def affine_backward(dout, cache):
    """Backward pass of an affine layer.

    Inputs:
    - dout: upstream gradient, of shape (N, M)
    - cache: (x, w, b) from affine_forward

    Returns a tuple of:
    - dx: gradient with respect to x, of shape (N, d_1, ..., d_k), like x
    - dw: gradient with respect to w, of shape (D, M)
    - db: gradient with respect to b, of shape (M,)
    """
    x, w, b = cache
    dx, dw, db = None, None, None
    # YOUR CODE HERE
    raise NotImplementedError("affine_backward is not written yet; checked in FullyConnectedNets.ipynb")
    return dx, dw, db


def relu_forward(x):
    """Forward pass of a layer of rectified linear units: ``max(0, x)`` elementwise.

    Returns a tuple of:
    - out: output, of the same shape as x
    - cache: x
    """
    out = None
    # YOUR CODE HERE
    raise NotImplementedError("relu_forward is not written yet; checked in FullyConnectedNets.ipynb")
    cache = x
    return out, cache


def relu_backward(dout, cache):
    """Backward pass of a ReLU layer: the gradient with respect to x, of the shape of x."""
    dx, x = None, cache
    # YOUR CODE HERE
    raise NotImplementedError("relu_backward is not written yet; checked in FullyConnectedNets.ipynb")
    return dx


# --------------------------------------------------------------------------- losses on class scores

def svm_loss(x, y):
    """Multiclass SVM (hinge) loss on class scores, with margin 1.

    Inputs:
    - x: scores, of shape (N, C); x[i, j] is the score of class j for example i
    - y: integer labels, of shape (N,), with 0 <= y[i] < C

    Returns a tuple of:
    - loss: a number, the loss averaged over the N examples
    - dx: gradient of the loss with respect to x, of shape (N, C)
    """
    loss, dx = None, None
    # YOUR CODE HERE
    raise NotImplementedError("svm_loss is not written yet; checked in FullyConnectedNets.ipynb")
    return loss, dx


def softmax_loss(x, y):
    """Softmax (cross-entropy) loss on class scores.

    Inputs:
    - x: scores, of shape (N, C)
    - y: integer labels, of shape (N,), with 0 <= y[i] < C

    Returns a tuple of:
    - loss: a number, the mean over the examples of -log softmax(x[i])[y[i]]
    - dx: gradient of the loss with respect to x, of shape (N, C)
    """
    loss, dx = None, None
    # YOUR CODE HERE
    raise NotImplementedError("softmax_loss is not written yet; checked in FullyConnectedNets.ipynb")
    return loss, dx


# --------------------------------------------------------------------------- batch and layer normalization

def batchnorm_forward(x, gamma, beta, bn_param):
    """Forward pass of batch normalization.

    In training, each feature is normalised with the mean and the (biased) variance
    of the minibatch, then scaled by gamma and shifted by beta.  Running averages of
    the mean and variance are kept for test time:

        running_mean = momentum * running_mean + (1 - momentum) * sample_mean
        running_var = momentum * running_var + (1 - momentum) * sample_var

    At test time the running averages replace the minibatch statistics.

    Inputs:
    - x: data, of shape (N, D)
    - gamma: scale, of shape (D,)
    - beta: shift, of shape (D,)
    - bn_param: a dict with keys
      - mode: 'train' or 'test' (required)
      - eps: added to the variance for numerical stability (default 1e-5)
      - momentum: of the running averages (default 0.9)
      - running_mean, running_var: arrays of shape (D,) (default zeros); written back

    Returns a tuple of:
    - out: of shape (N, D)
    - cache: what batchnorm_backward needs (None at test time)
    """
    mode = bn_param["mode"]
    eps = bn_param.get("eps", 1e-5)
    momentum = bn_param.get("momentum", 0.9)

    N, D = x.shape
    running_mean = bn_param.get("running_mean", np.zeros(D, dtype=x.dtype))
    running_var = bn_param.get("running_var", np.zeros(D, dtype=x.dtype))

    out, cache = None, None
    if mode == "train":
        # YOUR CODE HERE
        raise NotImplementedError("batchnorm_forward is not written yet; checked in BatchNormalization.ipynb")
    elif mode == "test":
        # YOUR CODE HERE
        raise NotImplementedError("batchnorm_forward is not written yet; checked in BatchNormalization.ipynb")
    else:
        raise ValueError(f"Invalid forward batchnorm mode {mode!r}: use 'train' or 'test'")

    # Store the updated running means back into bn_param
    bn_param["running_mean"] = running_mean
    bn_param["running_var"] = running_var
    return out, cache


def batchnorm_backward(dout, cache):
    """Backward pass of batch normalization, through the computational graph of the forward pass
    (mean, centred input, variance, standard deviation, normalised input, scale and shift).

    Inputs:
    - dout: upstream gradient, of shape (N, D)
    - cache: from batchnorm_forward

    Returns a tuple of:
    - dx: gradient with respect to x, of shape (N, D)
    - dgamma: gradient with respect to gamma, of shape (D,)
    - dbeta: gradient with respect to beta, of shape (D,)
    """
    dx, dgamma, dbeta = None, None, None
    # YOUR CODE HERE
    raise NotImplementedError("batchnorm_backward is not written yet; checked in BatchNormalization.ipynb")
    return dx, dgamma, dbeta


def batchnorm_backward_alt(dout, cache):
    """Backward pass of batch normalization with the gradient worked out on paper first:
    one expression for dx, no intermediate gradients.  Same inputs and outputs as
    batchnorm_backward."""
    dx, dgamma, dbeta = None, None, None
    # YOUR CODE HERE
    raise NotImplementedError("batchnorm_backward_alt is not written yet; checked in BatchNormalization.ipynb")
    return dx, dgamma, dbeta


def layernorm_forward(x, gamma, beta, ln_param):
    """Forward pass of layer normalization: each EXAMPLE (row of x) is normalised with the
    mean and (biased) variance of its own features, then scaled by gamma and shifted by beta.
    The same in training and at test time; no running averages.

    Inputs:
    - x: data, of shape (N, D)
    - gamma: scale, of shape (D,)
    - beta: shift, of shape (D,)
    - ln_param: a dict with key eps (default 1e-5)

    Returns a tuple of:
    - out: of shape (N, D)
    - cache: what layernorm_backward needs
    """
    out, cache = None, None
    eps = ln_param.get("eps", 1e-5)
    # YOUR CODE HERE
    raise NotImplementedError("layernorm_forward is not written yet; checked in BatchNormalization.ipynb")
    return out, cache


def layernorm_backward(dout, cache):
    """Backward pass of layer normalization: returns ``(dx, dgamma, dbeta)`` with the shapes of
    x (N, D), gamma (D,) and beta (D,)."""
    dx, dgamma, dbeta = None, None, None
    # YOUR CODE HERE
    raise NotImplementedError("layernorm_backward is not written yet; checked in BatchNormalization.ipynb")
    return dx, dgamma, dbeta


# --------------------------------------------------------------------------- dropout

def dropout_forward(x, dropout_param):
    """Forward pass of (inverted) dropout.

    Inputs:
    - x: data, of any shape
    - dropout_param: a dict with keys
      - p: the probability of KEEPING each unit (each is kept with probability p)
      - mode: 'train' (drop and rescale) or 'test' (the identity)
      - seed: optional; when given, np.random.seed(seed) is called on every call, so the
        mask is reproducible (gradient checks need that).  Draw the mask with np.random.rand.

    Returns a tuple of:
    - out: of the shape and dtype of x
    - cache: (dropout_param, mask); mask is None in test mode
    """
    p, mode = dropout_param["p"], dropout_param["mode"]
    if "seed" in dropout_param:
        np.random.seed(dropout_param["seed"])

    mask, out = None, None
    if mode == "train":
        # YOUR CODE HERE
        raise NotImplementedError("dropout_forward is not written yet; checked in Dropout.ipynb")
    elif mode == "test":
        # YOUR CODE HERE
        raise NotImplementedError("dropout_forward is not written yet; checked in Dropout.ipynb")
    else:
        raise ValueError(f"Invalid dropout mode {mode!r}: use 'train' or 'test'")

    cache = (dropout_param, mask)
    return out, cache


def dropout_backward(dout, cache):
    """Backward pass of (inverted) dropout: the gradient with respect to x."""
    dropout_param, mask = cache
    mode = dropout_param["mode"]

    dx = None
    if mode == "train":
        # YOUR CODE HERE
        raise NotImplementedError("dropout_backward is not written yet; checked in Dropout.ipynb")
    elif mode == "test":
        dx = dout
    return dx


# --------------------------------------------------------------------------- convolution and max pooling (naive)
# Checked in ConvolutionalNetworks.ipynb.  Naive means loops: clarity first; cs231n_lib.fast_layers has the fast
# versions with the same API.

def conv_forward_naive(x, w, b, conv_param):
    """Forward pass of a convolutional layer, with loops.

    Each of the F filters is slid over the zero-padded input (all C channels at once); at each position the
    output is the sum of the elementwise product of filter and window, plus the filter's bias.

    Inputs:
    - x: data, of shape (N, C, H, W)
    - w: filters, of shape (F, C, HH, WW)
    - b: biases, of shape (F,)
    - conv_param: a dict with keys
      - stride: the step between neighbouring windows, in both directions
      - pad: the number of zeros added on EVERY side of the input (top, bottom, left, right)

    The output has H' = 1 + (H + 2 * pad - HH) // stride rows and W' = 1 + (W + 2 * pad - WW) // stride
    columns.  Do not modify x (pad a copy, e.g. with np.pad).

    Returns a tuple of:
    - out: of shape (N, F, H', W'), in the dtype of x
    - cache: (x, w, b, conv_param)
    """
    out = None
    # YOUR CODE HERE
    raise NotImplementedError("conv_forward_naive is not written yet; checked in ConvolutionalNetworks.ipynb")
    cache = (x, w, b, conv_param)
    return out, cache


def conv_backward_naive(dout, cache):
    """Backward pass of a convolutional layer, with loops.

    Inputs:
    - dout: upstream gradient, of shape (N, F, H', W')
    - cache: (x, w, b, conv_param), from conv_forward_naive

    Returns a tuple of:
    - dx: gradient with respect to x, of shape (N, C, H, W)
    - dw: gradient with respect to w, of shape (F, C, HH, WW)
    - db: gradient with respect to b, of shape (F,)
    """
    dx, dw, db = None, None, None
    # YOUR CODE HERE
    raise NotImplementedError("conv_backward_naive is not written yet; checked in ConvolutionalNetworks.ipynb")
    return dx, dw, db


def max_pool_forward_naive(x, pool_param):
    """Forward pass of a max-pooling layer, with loops.

    Inputs:
    - x: data, of shape (N, C, H, W)
    - pool_param: a dict with keys pool_height, pool_width (the window) and stride; no padding

    The output has H' = 1 + (H - pool_height) // stride rows and W' = 1 + (W - pool_width) // stride columns.

    Returns a tuple of:
    - out: of shape (N, C, H', W'): the maximum of each window, channel by channel
    - cache: (x, pool_param)
    """
    out = None
    # YOUR CODE HERE
    raise NotImplementedError("max_pool_forward_naive is not written yet; checked in ConvolutionalNetworks.ipynb")
    cache = (x, pool_param)
    return out, cache


def max_pool_backward_naive(dout, cache):
    """Backward pass of a max-pooling layer: each window's upstream gradient goes to the element that was the
    maximum of the window (the FIRST maximum, as np.argmax picks, when several are equal); windows that overlap
    add up.

    Inputs:
    - dout: upstream gradient, of shape (N, C, H', W')
    - cache: (x, pool_param), from max_pool_forward_naive

    Returns:
    - dx: gradient with respect to x, of shape (N, C, H, W)
    """
    dx = None
    # YOUR CODE HERE
    raise NotImplementedError("max_pool_backward_naive is not written yet; checked in ConvolutionalNetworks.ipynb")
    return dx


# --------------------------------------------------------------------------- spatial batch and group normalization

def spatial_batchnorm_forward(x, gamma, beta, bn_param):
    """Forward pass of spatial batch normalization: batch normalization of each CHANNEL, with the statistics
    taken over the minibatch and every spatial position (the N * H * W numbers of that channel).

    Inputs:
    - x: data, of shape (N, C, H, W)
    - gamma: scale, of shape (C,)
    - beta: shift, of shape (C,)
    - bn_param: as for batchnorm_forward (mode, eps, momentum, running_mean, running_var of shape (C,))

    Returns a tuple of:
    - out: of shape (N, C, H, W)
    - cache: what spatial_batchnorm_backward needs

    Hint: reuse batchnorm_forward on a reshaped x; a few lines.
    """
    out, cache = None, None
    # YOUR CODE HERE
    raise NotImplementedError("spatial_batchnorm_forward is not written yet; checked in ConvolutionalNetworks.ipynb")
    return out, cache


def spatial_batchnorm_backward(dout, cache):
    """Backward pass of spatial batch normalization: returns ``(dx, dgamma, dbeta)`` with the shapes of
    x (N, C, H, W), gamma (C,) and beta (C,).  Hint: reuse batchnorm_backward."""
    dx, dgamma, dbeta = None, None, None
    # YOUR CODE HERE
    raise NotImplementedError("spatial_batchnorm_backward is not written yet; checked in ConvolutionalNetworks.ipynb")
    return dx, dgamma, dbeta


def spatial_groupnorm_forward(x, gamma, beta, G, gn_param):
    """Forward pass of spatial group normalization: the C channels are split into G groups of C // G
    CONSECUTIVE channels (channels 0 .. C/G - 1 form group 0, and so on); each example's group is normalised with
    the mean and (biased) variance of its C/G * H * W numbers, then each channel is scaled by gamma and shifted by
    beta.  The same in training and at test time.

    Inputs:
    - x: data, of shape (N, C, H, W)
    - gamma: scale, of shape (1, C, 1, 1)
    - beta: shift, of shape (1, C, 1, 1)
    - G: the number of groups; it divides C
    - gn_param: a dict with key eps (default 1e-5)

    Returns a tuple of:
    - out: of shape (N, C, H, W)
    - cache: what spatial_groupnorm_backward needs
    """
    out, cache = None, None
    eps = gn_param.get("eps", 1e-5)
    # YOUR CODE HERE
    raise NotImplementedError("spatial_groupnorm_forward is not written yet; checked in ConvolutionalNetworks.ipynb")
    return out, cache


def spatial_groupnorm_backward(dout, cache):
    """Backward pass of spatial group normalization: returns ``(dx, dgamma, dbeta)`` with the shapes of
    x (N, C, H, W), gamma (1, C, 1, 1) and beta (1, C, 1, 1)."""
    dx, dgamma, dbeta = None, None, None
    # YOUR CODE HERE
    raise NotImplementedError("spatial_groupnorm_backward is not written yet; checked in ConvolutionalNetworks.ipynb")
    return dx, dgamma, dbeta
