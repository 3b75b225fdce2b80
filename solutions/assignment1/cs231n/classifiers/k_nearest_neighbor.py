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
        ### BEGIN SOLUTION
        if num_loops == 0:
            dists = self.compute_distances_no_loops(X)
        elif num_loops == 1:
            dists = self.compute_distances_one_loop(X)
        elif num_loops == 2:
            dists = self.compute_distances_two_loops(X)
        else:
            raise ValueError(f"num_loops must be 0, 1 or 2, got {num_loops!r}")
        return self.predict_labels(dists, k=k)
        ### END SOLUTION

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
                ### BEGIN SOLUTION
                diff = X[i] - self.X_train[j]
                dists[i, j] = np.sqrt(np.sum(diff * diff))
                ### END SOLUTION
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
            ### BEGIN SOLUTION
            diff = self.X_train - X[i]
            dists[i, :] = np.sqrt(np.sum(diff * diff, axis=1))
            ### END SOLUTION
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
        ### BEGIN SOLUTION
        test_sq = np.einsum("ij,ij->i", X, X)
        train_sq = np.einsum("ij,ij->i", self.X_train, self.X_train)
        dists = X @ self.X_train.T
        dists *= -2
        dists += test_sq[:, None]
        dists += train_sq[None, :]
        np.maximum(dists, 0, out=dists)
        np.sqrt(dists, out=dists)
        ### END SOLUTION
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
        ### BEGIN SOLUTION
        classes, y_index = np.unique(self.y_train, return_inverse=True)  # classes sorted ascending
        if k < num_train:
            nearest = np.argpartition(dists, k - 1, axis=1)[:, :k]
        else:
            nearest = np.broadcast_to(np.arange(num_train), (num_test, num_train))
        num_classes = len(classes)
        # votes[i, c] = how many of the k nearest neighbours of test point i have class c
        flat = (np.arange(num_test)[:, None] * num_classes + y_index[nearest]).ravel()
        votes = np.bincount(flat, minlength=num_test * num_classes).reshape(num_test, num_classes)
        y_pred = classes[np.argmax(votes, axis=1)]  # argmax takes the first (smallest) label on a tie
        ### END SOLUTION
        return y_pred
