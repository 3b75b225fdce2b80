"""k-nearest-neighbour classifier (checked in knn.ipynb)."""

import numpy as np


class KNearestNeighbor:
    """A k-nearest-neighbour classifier with the Euclidean (L2) distance.

    Training memorises the data; prediction compares each test row with every
    training row and takes a majority vote over the k nearest.
    """

    def __init__(self):
        self.X_train = None
        self.y_train = None

    def train(self, X, y):
        """Memorise the training data.

        Inputs:
        - X: array (num_train, D), one flattened image per row.
        - y: integer array (num_train,), y[i] is the label of X[i].
        """
        X, y = np.asarray(X), np.asarray(y)
        if X.ndim != 2:
            raise ValueError(f"train: X must have shape (num_train, D), got {X.shape}; "
                             "flatten images first with X.reshape(len(X), -1)")
        if y.shape != (X.shape[0],):
            raise ValueError(f"train: y must have shape ({X.shape[0]},) to match X, got {y.shape}")
        if X.dtype.kind in "biu":  # uint8 pixels would wrap around in X[i] - X_train[j]
            X = X.astype(np.float64)
        self.X_train = X
        self.y_train = y

    def predict(self, X, k=1, num_loops=0):
        """Predict labels for test data.

        Inputs:
        - X: array (num_test, D) of test points.
        - k: the number of nearest neighbours that vote.
        - num_loops: which distance implementation to use: 0, 1 or 2 loops;
          any other value raises ValueError.

        Returns:
        - y: array (num_test,) of predicted labels.
        """
        # YOUR CODE HERE
        raise NotImplementedError("KNearestNeighbor.predict is not written yet; checked in knn.ipynb")

    def _check_test_data(self, X):
        """X as an array (num_test, D) matching the training data; clear errors otherwise."""
        if self.X_train is None:
            raise RuntimeError("KNearestNeighbor: call train(X_train, y_train) before computing distances")
        X = np.asarray(X)
        if X.ndim != 2 or X.shape[1] != self.X_train.shape[1]:
            raise ValueError(f"X must have shape (num_test, {self.X_train.shape[1]}) like the training data, "
                             f"got {X.shape}; flatten images first with X.reshape(len(X), -1)")
        return X.astype(np.float64) if X.dtype.kind in "biu" else X

    def compute_distances_two_loops(self, X):
        """Euclidean distance between each test point in X and each training point,
        with a nested loop over both.

        Inputs:
        - X: array (num_test, D).

        Returns:
        - dists: array (num_test, num_train), dists[i, j] = ||X[i] - X_train[j]||_2.
        """
        X = self._check_test_data(X)
        num_test = X.shape[0]
        num_train = self.X_train.shape[0]
        dists = np.zeros((num_test, num_train))
        for i in range(num_test):
            for j in range(num_train):
                # Distance between the i-th test point and the j-th training point.
                # No loop over the dimension, and no np.linalg.norm().
                # YOUR CODE HERE
                raise NotImplementedError("KNearestNeighbor.compute_distances_two_loops is not written yet; checked in knn.ipynb")
        return dists

    def compute_distances_one_loop(self, X):
        """Like compute_distances_two_loops, with a single loop over the test points.

        Returns dists (num_test, num_train).
        """
        X = self._check_test_data(X)
        num_test = X.shape[0]
        num_train = self.X_train.shape[0]
        dists = np.zeros((num_test, num_train))
        for i in range(num_test):
            # Distances from the i-th test point to all training points at once
            # (broadcasting), stored in dists[i, :].  No np.linalg.norm().
            # YOUR CODE HERE
            raise NotImplementedError("KNearestNeighbor.compute_distances_one_loop is not written yet; checked in knn.ipynb")
        return dists

    def compute_distances_no_loops(self, X):
        """Like compute_distances_two_loops, without any explicit loop.

        Expand ||x - y||^2 = ||x||^2 - 2 x.y + ||y||^2: one matrix product and two
        broadcast sums.  Stay in the input dtype, never build a
        (num_test, num_train, D) array, and clip tiny negative values (rounding)
        to 0 before the square root.  No scipy, no np.linalg.norm().

        Returns dists (num_test, num_train).
        """
        X = self._check_test_data(X)
        # YOUR CODE HERE
        raise NotImplementedError("KNearestNeighbor.compute_distances_no_loops is not written yet; checked in knn.ipynb")
        return dists

    def predict_labels(self, dists, k=1):
        """Majority vote of the k nearest training points for each test point.

        Inputs:
        - dists: array (num_test, num_train), dists[i, j] = distance between the
          i-th test point and the j-th training point.
        - k: the number of nearest neighbours that vote.

        Returns:
        - y_pred: array (num_test,) of labels; a tie between labels goes to the
          smaller label.
        """
        dists = np.asarray(dists)
        num_train = self.y_train.shape[0]
        if dists.ndim != 2 or dists.shape[1] != num_train:
            raise ValueError(f"dists must have shape (num_test, {num_train}), got {dists.shape}")
        if not 1 <= k <= num_train:
            raise ValueError(f"k must be between 1 and the number of training points ({num_train}), got {k}")
        num_test = dists.shape[0]
        y_pred = np.zeros(num_test, dtype=self.y_train.dtype)
        # For each test point: the labels of its k nearest training points
        # (np.argsort or np.argpartition), then the most common of them; on a
        # tie, the smaller label.
        # YOUR CODE HERE
        raise NotImplementedError("KNearestNeighbor.predict_labels is not written yet; checked in knn.ipynb")
        return y_pred
