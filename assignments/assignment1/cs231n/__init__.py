"""Your code for assignment 1 (the CS231n layout).

The notebooks import from this package and check what you write here:

- ``classifiers/k_nearest_neighbor.py``  -> knn.ipynb
- ``classifiers/linear_svm.py``          -> svm.ipynb
- ``classifiers/softmax.py``             -> softmax.ipynb
- ``classifiers/linear_classifier.py``   -> svm.ipynb (train, predict) and softmax.ipynb (Softmax.loss)

Each module is imported on its own, so a mistake in one file costs only the
tests of that file.
"""
