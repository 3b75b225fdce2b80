"""Multiclass SVM (hinge) loss, naive and vectorized (checked in svm.ipynb)."""

import numpy as np

from cs231n_lib.inputs import check_loss_inputs


def svm_loss_naive(W, X, y, reg):
    """Multiclass SVM loss, naive implementation (with loops).

    Inputs have dimension D, there are C classes, and we operate on minibatches of N examples.

    Inputs:
    - W: array (D, C) of weights.
    - X: array (N, D), a minibatch of data.
    - y: integer array (N,) of labels; y[i] = c means that X[i] has label c, where 0 <= c < C.
    - reg: (float) regularization strength.

    Returns a tuple of:
    - loss: a single float, mean over i of sum over j != y[i] of max(0, s_j - s_{y_i} + 1), plus reg * sum(W * W).
    - dW: gradient of the loss with respect to W, an array of the same shape as W.
    """
    check_loss_inputs(W, X, y, "svm_loss_naive")
    loss = 0.0
    dW = np.zeros(W.shape, dtype=np.result_type(W, X))  # initialize the gradient as zero
    # YOUR CODE HERE
    raise NotImplementedError("svm_loss_naive is not written yet; checked in svm.ipynb")
    return loss, dW

def svm_loss_vectorized(W, X, y, reg):
    """Multiclass SVM loss, vectorized implementation (no loops).

    Inputs and outputs are the same as svm_loss_naive.
    """
    check_loss_inputs(W, X, y, "svm_loss_vectorized")
    loss = 0.0
    dW = np.zeros(W.shape, dtype=np.result_type(W, X))  # initialize the gradient as zero
    # YOUR CODE HERE
    raise NotImplementedError("svm_loss_vectorized is not written yet; checked in svm.ipynb")
    return loss, dW
