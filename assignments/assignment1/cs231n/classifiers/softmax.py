"""Softmax (cross-entropy) loss, naive and vectorized (checked in softmax.ipynb)."""

import numpy as np

from cs231n_lib.inputs import check_loss_inputs


def softmax_loss_naive(W, X, y, reg):
    """Softmax loss function, naive implementation (with loops).

    Inputs have dimension D, there are C classes, and we operate on minibatches of N examples.

    Inputs:
    - W: array (D, C) of weights.
    - X: array (N, D), a minibatch of data.
    - y: integer array (N,) of labels; y[i] = c means that X[i] has label c, where 0 <= c < C.
    - reg: (float) regularization strength.

    Returns a tuple of:
    - loss: a single float, mean over i of -log softmax(X[i] W)[y[i]] (natural log), plus reg * sum(W * W).
    - dW: gradient of the loss with respect to W, an array of the same shape as W.
    """
    check_loss_inputs(W, X, y, "softmax_loss_naive")
    loss = 0.0
    dW = np.zeros(W.shape, dtype=np.result_type(W, X))  # initialize the gradient as zero
    # YOUR CODE HERE
    raise NotImplementedError("softmax_loss_naive is not written yet; checked in softmax.ipynb")
    return loss, dW

def softmax_loss_vectorized(W, X, y, reg):
    """Softmax loss function, vectorized version (no loops).

    Inputs and outputs are the same as softmax_loss_naive.
    """
    check_loss_inputs(W, X, y, "softmax_loss_vectorized")
    loss = 0.0
    dW = np.zeros(W.shape, dtype=np.result_type(W, X))  # initialize the gradient as zero
    # YOUR CODE HERE
    raise NotImplementedError("softmax_loss_vectorized is not written yet; checked in softmax.ipynb")
    return loss, dW
