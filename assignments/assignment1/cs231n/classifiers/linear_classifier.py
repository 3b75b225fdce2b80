"""Linear classifiers trained by minibatch SGD: train and predict are checked in svm.ipynb,
Softmax.loss in softmax.ipynb."""

import numpy as np


class LinearClassifier:
    """A linear classifier s = X.dot(W) trained by minibatch SGD; subclasses define the loss."""

    def __init__(self):
        self.W = None

    def train(self, X, y, learning_rate=1e-3, reg=1e-5, num_iters=100, batch_size=200, verbose=False):
        """Train this linear classifier using stochastic gradient descent.

        Inputs:
        - X: array (N, D) of training data; there are N training samples each of dimension D.
        - y: integer array (N,) of training labels; y[i] = c means that X[i] has label 0 <= c < C for C classes.
        - learning_rate: (float) learning rate for optimization.
        - reg: (float) regularization strength.
        - num_iters: (integer) number of steps to take when optimizing.
        - batch_size: (integer) number of training examples to use at each step.
        - verbose: (boolean) if true, print progress during optimization.

        Returns:
        - loss_history: list with the value of the loss function at each training iteration.
        """
        X, y = np.asarray(X), np.asarray(y)
        if X.ndim != 2 or y.shape != (X.shape[0],):
            raise ValueError(f"train: expected X of shape (N, D) and y of shape (N,), got X {X.shape} and y {y.shape}")
        num_train, dim = X.shape
        num_classes = np.max(y) + 1  # assume y takes values 0...K-1 where K is number of classes
        if self.W is None:
            # lazily initialize W
            self.W = 0.001 * np.random.randn(dim, num_classes)

        # Run stochastic gradient descent to optimize W
        loss_history = []
        for it in range(num_iters):
            # Sample batch_size elements (with replacement) from the training data with their labels,
            # into X_batch of shape (batch_size, dim) and y_batch of shape (batch_size,).
            # YOUR CODE HERE
            raise NotImplementedError("LinearClassifier.train is not written yet; checked in svm.ipynb")

            # evaluate loss and gradient
            loss, grad = self.loss(X_batch, y_batch, reg)
            loss_history.append(loss)

            # Update the weights using the gradient and the learning rate.
            # YOUR CODE HERE
            raise NotImplementedError("LinearClassifier.train is not written yet; checked in svm.ipynb")

            if verbose and it % 100 == 0:
                print(f"iteration {it} / {num_iters}: loss {loss:f}")

        return loss_history

    def predict(self, X):
        """Use the trained weights of this linear classifier to predict labels for data points.

        Inputs:
        - X: array (N, D) of data.

        Returns:
        - y_pred: integer array (N,) of predicted labels, the class with the highest score for each row of X.
        """
        if self.W is None:
            raise RuntimeError("predict: the classifier has no weights yet; call train first.")
        # YOUR CODE HERE
        raise NotImplementedError("LinearClassifier.predict is not written yet; checked in svm.ipynb")
        return y_pred

    def loss(self, X_batch, y_batch, reg):
        """Compute the loss function and its derivative; subclasses override this.

        Inputs:
        - X_batch: array (N, D) of a minibatch of N data points, each of dimension D.
        - y_batch: array (N,) of labels for the minibatch.
        - reg: (float) regularization strength.

        Returns: a tuple containing the loss as a single float and the gradient with respect to self.W,
        an array of the same shape as W.
        """
        raise NotImplementedError("LinearClassifier is abstract: use a subclass (LinearSVM, Softmax) that defines loss")


class LinearSVM(LinearClassifier):
    """A subclass that uses the multiclass SVM loss function."""

    def loss(self, X_batch, y_batch, reg):
        # Imported here, not at the top: a mistake in linear_svm.py then costs only LinearSVM.
        from .linear_svm import svm_loss_vectorized

        return svm_loss_vectorized(self.W, X_batch, y_batch, reg)


class Softmax(LinearClassifier):
    """A subclass of LinearClassifier that uses the softmax + cross-entropy loss function."""

    def loss(self, X_batch, y_batch, reg):
        """Loss and gradient of self.W on a minibatch: returns (loss, dW) like softmax_loss_vectorized."""
        # Imported here, not at the top: a mistake in softmax.py then costs only Softmax.
        from .softmax import softmax_loss_vectorized

        # YOUR CODE HERE
        raise NotImplementedError("Softmax.loss is not written yet; checked in softmax.ipynb")
