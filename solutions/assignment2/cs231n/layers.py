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
    ### BEGIN SOLUTION
    out = x.reshape(x.shape[0], -1).dot(w) + b
    ### END SOLUTION
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
    ### BEGIN SOLUTION
    dx = dout.dot(w.T).reshape(x.shape)
    dw = x.reshape(x.shape[0], -1).T.dot(dout)
    db = dout.sum(axis=0)
    ### END SOLUTION
    return dx, dw, db


def relu_forward(x):
    """Forward pass of a layer of rectified linear units: ``max(0, x)`` elementwise.

    Returns a tuple of:
    - out: output, of the same shape as x
    - cache: x
    """
    out = None
    ### BEGIN SOLUTION
    out = np.maximum(0, x)
    ### END SOLUTION
    cache = x
    return out, cache


def relu_backward(dout, cache):
    """Backward pass of a ReLU layer: the gradient with respect to x, of the shape of x."""
    dx, x = None, cache
    ### BEGIN SOLUTION
    dx = dout * (x > 0)
    ### END SOLUTION
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
    ### BEGIN SOLUTION
    N = x.shape[0]
    rows = np.arange(N)
    margins = np.maximum(0, x - x[rows, y][:, np.newaxis] + 1)
    margins[rows, y] = 0
    loss = margins.sum() / N
    dx = (margins > 0).astype(x.dtype)
    dx[rows, y] -= dx.sum(axis=1)
    dx /= N
    ### END SOLUTION
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
    ### BEGIN SOLUTION
    N = x.shape[0]
    rows = np.arange(N)
    shifted = x - x.max(axis=1, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    loss = -log_probs[rows, y].sum() / N
    dx = np.exp(log_probs)
    dx[rows, y] -= 1
    dx /= N
    ### END SOLUTION
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
        ### BEGIN SOLUTION
        mu = x.mean(axis=0)
        var = x.var(axis=0)
        std = np.sqrt(var + eps)
        xhat = (x - mu) / std
        out = gamma * xhat + beta
        cache = (xhat, gamma, std)
        running_mean = momentum * running_mean + (1 - momentum) * mu
        running_var = momentum * running_var + (1 - momentum) * var
        ### END SOLUTION
    elif mode == "test":
        ### BEGIN SOLUTION
        out = gamma * (x - running_mean) / np.sqrt(running_var + eps) + beta
        ### END SOLUTION
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
    ### BEGIN SOLUTION
    xhat, gamma, std = cache
    N = dout.shape[0]
    xc = xhat * std                                   # x - mu
    dbeta = dout.sum(axis=0)
    dgamma = (dout * xhat).sum(axis=0)
    dxhat = dout * gamma
    dxc = dxhat / std                                 # through xhat = xc / std, with std held fixed
    dstd = -(dxhat * xc).sum(axis=0) / std ** 2       # through std
    dvar = 0.5 * dstd / std                           # std = sqrt(var + eps)
    dxc = dxc + 2 * xc * dvar / N                     # var = mean(xc ** 2)
    dmu = -dxc.sum(axis=0)                            # xc = x - mu
    dx = dxc + dmu / N                                # mu = mean(x)
    ### END SOLUTION
    return dx, dgamma, dbeta


def batchnorm_backward_alt(dout, cache):
    """Backward pass of batch normalization with the gradient worked out on paper first:
    one expression for dx, no intermediate gradients.  Same inputs and outputs as
    batchnorm_backward."""
    dx, dgamma, dbeta = None, None, None
    ### BEGIN SOLUTION
    xhat, gamma, std = cache
    N = dout.shape[0]
    dbeta = dout.sum(axis=0)
    dgamma = (dout * xhat).sum(axis=0)
    dx = (gamma / (N * std)) * (N * dout - dbeta - xhat * dgamma)
    ### END SOLUTION
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
    ### BEGIN SOLUTION
    mu = x.mean(axis=1, keepdims=True)
    std = np.sqrt(x.var(axis=1, keepdims=True) + eps)
    xhat = (x - mu) / std
    out = gamma * xhat + beta
    cache = (xhat, gamma, std)
    ### END SOLUTION
    return out, cache


def layernorm_backward(dout, cache):
    """Backward pass of layer normalization: returns ``(dx, dgamma, dbeta)`` with the shapes of
    x (N, D), gamma (D,) and beta (D,)."""
    dx, dgamma, dbeta = None, None, None
    ### BEGIN SOLUTION
    xhat, gamma, std = cache
    D = dout.shape[1]
    dbeta = dout.sum(axis=0)
    dgamma = (dout * xhat).sum(axis=0)
    dxhat = dout * gamma
    dx = (D * dxhat - dxhat.sum(axis=1, keepdims=True)
          - xhat * (dxhat * xhat).sum(axis=1, keepdims=True)) / (D * std)
    ### END SOLUTION
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
        ### BEGIN SOLUTION
        mask = ((np.random.rand(*x.shape) < p) / p).astype(x.dtype)
        out = x * mask
        ### END SOLUTION
    elif mode == "test":
        ### BEGIN SOLUTION
        out = x
        ### END SOLUTION
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
        ### BEGIN SOLUTION
        dx = dout * mask
        ### END SOLUTION
    elif mode == "test":
        dx = dout
    return dx
