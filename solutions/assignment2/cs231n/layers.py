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
    ### BEGIN SOLUTION
    stride, pad = conv_param["stride"], conv_param["pad"]
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    assert (H + 2 * pad - HH) % stride == 0 and (W + 2 * pad - WW) % stride == 0, "the windows do not tile the input"
    Ho, Wo = 1 + (H + 2 * pad - HH) // stride, 1 + (W + 2 * pad - WW) // stride
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    out = np.zeros((N, F, Ho, Wo), dtype=x.dtype)
    for i in range(Ho):
        for j in range(Wo):
            window = xp[:, :, i * stride:i * stride + HH, j * stride:j * stride + WW]   # (N, C, HH, WW)
            out[:, :, i, j] = np.tensordot(window, w, axes=([1, 2, 3], [1, 2, 3])) + b
    ### END SOLUTION
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
    ### BEGIN SOLUTION
    x, w, b, conv_param = cache
    stride, pad = conv_param["stride"], conv_param["pad"]
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    _, _, Ho, Wo = dout.shape
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    dxp = np.zeros_like(xp)
    dw = np.zeros_like(w)
    db = dout.sum(axis=(0, 2, 3))
    for i in range(Ho):
        for j in range(Wo):
            rows, cols = slice(i * stride, i * stride + HH), slice(j * stride, j * stride + WW)
            g = dout[:, :, i, j]                                                      # (N, F)
            dw += np.tensordot(g, xp[:, :, rows, cols], axes=([0], [0]))               # (F, C, HH, WW)
            dxp[:, :, rows, cols] += np.tensordot(g, w, axes=([1], [0]))               # (N, C, HH, WW)
    dx = dxp[:, :, pad:pad + H, pad:pad + W]
    ### END SOLUTION
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
    ### BEGIN SOLUTION
    ph, pw, stride = pool_param["pool_height"], pool_param["pool_width"], pool_param["stride"]
    N, C, H, W = x.shape
    Ho, Wo = 1 + (H - ph) // stride, 1 + (W - pw) // stride
    out = np.zeros((N, C, Ho, Wo), dtype=x.dtype)
    for i in range(Ho):
        for j in range(Wo):
            out[:, :, i, j] = x[:, :, i * stride:i * stride + ph, j * stride:j * stride + pw].max(axis=(2, 3))
    ### END SOLUTION
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
    ### BEGIN SOLUTION
    x, pool_param = cache
    ph, pw, stride = pool_param["pool_height"], pool_param["pool_width"], pool_param["stride"]
    N, C, H, W = x.shape
    _, _, Ho, Wo = dout.shape
    dx = np.zeros_like(x)
    n, c = np.meshgrid(np.arange(N), np.arange(C), indexing="ij")
    for i in range(Ho):
        for j in range(Wo):
            window = x[:, :, i * stride:i * stride + ph, j * stride:j * stride + pw].reshape(N, C, -1)
            r, s = np.unravel_index(window.argmax(axis=2), (ph, pw))
            np.add.at(dx, (n, c, i * stride + r, j * stride + s), dout[:, :, i, j])
    ### END SOLUTION
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
    ### BEGIN SOLUTION
    N, C, H, W = x.shape
    flat = x.transpose(0, 2, 3, 1).reshape(-1, C)
    out, cache = batchnorm_forward(flat, gamma, beta, bn_param)
    out = out.reshape(N, H, W, C).transpose(0, 3, 1, 2)
    ### END SOLUTION
    return out, cache


def spatial_batchnorm_backward(dout, cache):
    """Backward pass of spatial batch normalization: returns ``(dx, dgamma, dbeta)`` with the shapes of
    x (N, C, H, W), gamma (C,) and beta (C,).  Hint: reuse batchnorm_backward."""
    dx, dgamma, dbeta = None, None, None
    ### BEGIN SOLUTION
    N, C, H, W = dout.shape
    dflat, dgamma, dbeta = batchnorm_backward(dout.transpose(0, 2, 3, 1).reshape(-1, C), cache)
    dx = dflat.reshape(N, H, W, C).transpose(0, 3, 1, 2)
    ### END SOLUTION
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
    ### BEGIN SOLUTION
    N, C, H, W = x.shape
    assert C % G == 0, f"G = {G} groups do not divide C = {C} channels"
    xg = x.reshape(N, G, -1)
    std = np.sqrt(xg.var(axis=2, keepdims=True) + eps)
    xhat = ((xg - xg.mean(axis=2, keepdims=True)) / std).reshape(x.shape)
    out = gamma * xhat + beta
    cache = (xhat, gamma, std, G)
    ### END SOLUTION
    return out, cache


def spatial_groupnorm_backward(dout, cache):
    """Backward pass of spatial group normalization: returns ``(dx, dgamma, dbeta)`` with the shapes of
    x (N, C, H, W), gamma (1, C, 1, 1) and beta (1, C, 1, 1)."""
    dx, dgamma, dbeta = None, None, None
    ### BEGIN SOLUTION
    xhat, gamma, std, G = cache
    N = dout.shape[0]
    dbeta = dout.sum(axis=(0, 2, 3), keepdims=True)
    dgamma = (dout * xhat).sum(axis=(0, 2, 3), keepdims=True)
    dxhat = (dout * gamma).reshape(N, G, -1)
    xh = xhat.reshape(N, G, -1)
    M = xh.shape[2]
    dx = ((M * dxhat - dxhat.sum(axis=2, keepdims=True) - xh * (dxhat * xh).sum(axis=2, keepdims=True))
          / (M * std)).reshape(dout.shape)
    ### END SOLUTION
    return dx, dgamma, dbeta
