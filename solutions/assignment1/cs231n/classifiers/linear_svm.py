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
    ### BEGIN SOLUTION
    num_classes = W.shape[1]
    num_train = X.shape[0]
    for i in range(num_train):
        scores = X[i].dot(W)
        correct_class_score = scores[y[i]]
        for j in range(num_classes):
            if j == y[i]:
                continue
            margin = scores[j] - correct_class_score + 1  # note delta = 1
            if margin > 0:
                loss += margin
                dW[:, j] += X[i]
                dW[:, y[i]] -= X[i]
    loss /= num_train
    dW /= num_train
    loss += reg * np.sum(W * W)
    dW += 2 * reg * W
    ### END SOLUTION
    return loss, dW

def svm_loss_vectorized(W, X, y, reg):
    """Multiclass SVM loss, vectorized implementation (no loops).

    Inputs and outputs are the same as svm_loss_naive.
    """
    check_loss_inputs(W, X, y, "svm_loss_vectorized")
    loss = 0.0
    dW = np.zeros(W.shape, dtype=np.result_type(W, X))  # initialize the gradient as zero
    ### BEGIN SOLUTION
    num_train = X.shape[0]
    rows = np.arange(num_train)
    scores = X.dot(W)                                      # (N, C)
    correct_scores = scores[rows, y][:, np.newaxis]        # (N, 1)
    margins = np.maximum(0, scores - correct_scores + 1)   # (N, C)
    margins[rows, y] = 0
    loss = margins.sum() / num_train + reg * np.sum(W * W)

    coeff = (margins > 0).astype(scores.dtype)             # x_i is added to column j once per violation
    coeff[rows, y] = -coeff.sum(axis=1)                    # and subtracted from column y_i once per violation
    dW = X.T.dot(coeff) / num_train + 2 * reg * W
    ### END SOLUTION
    return loss, dW
