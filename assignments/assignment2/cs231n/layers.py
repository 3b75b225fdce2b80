"""Layers of a neural network, each a forward and a backward function.

``forward(inputs..., params)`` returns ``(out, cache)``; ``backward(dout, cache)``
returns the gradient of the loss with respect to each input, given ``dout``, the
gradient with respect to ``out``.  Keep the dtype of the inputs: a float32 batch
gives float32 outputs and gradients.

Checked in FullyConnectedNets.ipynb (affine, ReLU, svm_loss, softmax_loss),
BatchNormalization.ipynb (batchnorm, layernorm) and Dropout.ipynb (dropout).
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
