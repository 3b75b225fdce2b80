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
    ### BEGIN SOLUTION
    num_train, num_classes = X.shape[0], W.shape[1]
    for i in range(num_train):
        scores = X[i].dot(W)
        scores = scores - np.max(scores)               # shift for numeric stability
        log_sum_exp = np.log(np.sum(np.exp(scores)))
        loss += log_sum_exp - scores[y[i]]
        probs = np.exp(scores - log_sum_exp)
        for j in range(num_classes):
            dW[:, j] += (probs[j] - (j == y[i])) * X[i]
    loss /= num_train
    dW /= num_train
    loss += reg * np.sum(W * W)
    dW += 2 * reg * W
    ### END SOLUTION
    return loss, dW

def softmax_loss_vectorized(W, X, y, reg):
    """Softmax loss function, vectorized version (no loops).

    Inputs and outputs are the same as softmax_loss_naive.
    """
    check_loss_inputs(W, X, y, "softmax_loss_vectorized")
    loss = 0.0
    dW = np.zeros(W.shape, dtype=np.result_type(W, X))  # initialize the gradient as zero
    ### BEGIN SOLUTION
    num_train = X.shape[0]
    rows = np.arange(num_train)
    scores = X.dot(W)                                                # (N, C)
    scores = scores - scores.max(axis=1, keepdims=True)              # shift for numeric stability
    log_probs = scores - np.log(np.sum(np.exp(scores), axis=1, keepdims=True))
    loss = -np.mean(log_probs[rows, y]) + reg * np.sum(W * W)

    dscores = np.exp(log_probs)                                      # probabilities p
    dscores[rows, y] -= 1                                            # p - onehot(y)
    dW = X.T.dot(dscores) / num_train + 2 * reg * W
    ### END SOLUTION
    return loss, dW
