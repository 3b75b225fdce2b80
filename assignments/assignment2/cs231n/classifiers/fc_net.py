"""A fully-connected network of any depth, grown over three notebooks.

    {affine - [batch/layer norm] - relu - [dropout]} x (L - 1) - affine - softmax

- FullyConnectedNets.ipynb: the plain net (affine, ReLU, softmax, L2 regularization);
- BatchNormalization.ipynb: the normalization branches (``normalization=...``);
- Dropout.ipynb: the dropout branch (``dropout_keep_ratio < 1``).

Each branch has its own solution region, so the net of an earlier notebook works (and is
graded) before the later branches are written.
"""

import numpy as np

from ..layers import (affine_backward, affine_forward, batchnorm_backward, batchnorm_forward, dropout_backward,
                      dropout_forward, layernorm_backward, layernorm_forward, relu_backward, relu_forward,
                      softmax_loss)


class FullyConnectedNet:
    """A fully-connected network with L = len(hidden_dims) + 1 layers, softmax loss and L2 regularization.

    Learnable parameters live in ``self.params``: weights ``W1 .. WL`` and biases ``b1 .. bL``;
    with normalization also the scales ``gamma1 .. gamma(L-1)`` and shifts ``beta1 .. beta(L-1)``.
    Used with the Solver, which updates ``self.params``.
    """

    def __init__(self, hidden_dims, input_dim=3 * 32 * 32, num_classes=10, dropout_keep_ratio=1,
                 normalization=None, reg=0.0, weight_scale=1e-2, dtype=np.float32, seed=None):
        """
        Inputs:
        - hidden_dims: a list of the sizes of the hidden layers
        - input_dim: the size of an input (an image is flattened)
        - num_classes: the number of classes
        - dropout_keep_ratio: the probability of keeping a unit in dropout; 1 means no dropout
        - normalization: None, "batchnorm" or "layernorm"
        - reg: the L2 regularization strength; the loss gets 0.5 * reg * sum(W ** 2) over the weights
        - weight_scale: the std of the normal distribution the weights are drawn from
        - dtype: the dtype of every parameter and computation (float32 to train, float64 to check gradients)
        - seed: when given, the dropout layers use it (reproducible masks, for gradient checks)
        """
        if normalization not in (None, "batchnorm", "layernorm"):
            raise ValueError(f"normalization must be None, 'batchnorm' or 'layernorm', got {normalization!r}")
        self.normalization = normalization
        self.use_dropout = dropout_keep_ratio != 1
        self.reg = reg
        self.num_layers = 1 + len(hidden_dims)
        self.dtype = dtype
        self.params = {}

        # Initialise W1..WL and b1..bL: weights weight_scale * np.random.randn(fan_in, fan_out), drawn layer
        # by layer from the first to the last; biases zeros.
        # YOUR CODE HERE
        raise NotImplementedError("FullyConnectedNet.__init__ is not written yet; checked in BatchNormalization.ipynb, Dropout.ipynb, FullyConnectedNets.ipynb")

        if self.normalization is not None:
            # BatchNormalization.ipynb: gamma1..gamma(L-1) ones and beta1..beta(L-1) zeros, one entry per unit of
            # the hidden layer they normalise.
            # YOUR CODE HERE
            raise NotImplementedError("FullyConnectedNet.__init__ is not written yet; checked in BatchNormalization.ipynb, Dropout.ipynb, FullyConnectedNets.ipynb")

        # Dropout and batchnorm keep state per layer: one dict passed to every dropout layer, and one
        # bn_param per batchnorm layer (with its running averages).
        self.dropout_param = {}
        if self.use_dropout:
            self.dropout_param = {"mode": "train", "p": dropout_keep_ratio}
            if seed is not None:
                self.dropout_param["seed"] = seed
        self.bn_params = []
        if self.normalization == "batchnorm":
            self.bn_params = [{"mode": "train"} for _ in range(self.num_layers - 1)]
        if self.normalization == "layernorm":
            self.bn_params = [{} for _ in range(self.num_layers - 1)]

        for k, v in self.params.items():
            self.params[k] = v.astype(dtype)

    def loss(self, X, y=None):
        """Scores of a minibatch, or its loss and gradients.

        Inputs:
        - X: data, of shape (N, d_1, ..., d_k)
        - y: labels, of shape (N,); None at test time

        Returns:
        - when y is None: scores, of shape (N, C) (test mode: no dropout, batchnorm's running averages)
        - else a tuple (loss, grads): the softmax loss plus 0.5 * reg * the sum of every W squared, and a dict
          with the gradient of the loss for every key of self.params
        """
        X = X.astype(self.dtype)
        mode = "test" if y is None else "train"
        if self.use_dropout:
            self.dropout_param["mode"] = mode
        if self.normalization == "batchnorm":
            for bn_param in self.bn_params:
                bn_param["mode"] = mode

        # Forward pass: each hidden layer keeps the caches of its layers in a dict.
        caches = []
        h = X
        for layer in range(1, self.num_layers):
            cache = {}
            # the affine layer
            # YOUR CODE HERE
            raise NotImplementedError("FullyConnectedNet.loss is not written yet; checked in BatchNormalization.ipynb, Dropout.ipynb, FullyConnectedNets.ipynb")
            if self.normalization is not None:
                # BatchNormalization.ipynb: normalise the affine output (batchnorm_forward or layernorm_forward with
                # gamma{layer}, beta{layer} and the layer's entry of self.bn_params)
                # YOUR CODE HERE
                raise NotImplementedError("FullyConnectedNet.loss is not written yet; checked in BatchNormalization.ipynb, Dropout.ipynb, FullyConnectedNets.ipynb")
            # the ReLU
            # YOUR CODE HERE
            raise NotImplementedError("FullyConnectedNet.loss is not written yet; checked in BatchNormalization.ipynb, Dropout.ipynb, FullyConnectedNets.ipynb")
            if self.use_dropout:
                # Dropout.ipynb: dropout after the ReLU, with self.dropout_param
                # YOUR CODE HERE
                raise NotImplementedError("FullyConnectedNet.loss is not written yet; checked in BatchNormalization.ipynb, Dropout.ipynb, FullyConnectedNets.ipynb")
            caches.append(cache)

        # The last affine layer gives the scores.
        scores = None
        # YOUR CODE HERE
        raise NotImplementedError("FullyConnectedNet.loss is not written yet; checked in BatchNormalization.ipynb, Dropout.ipynb, FullyConnectedNets.ipynb")

        if mode == "test":
            return scores

        # Backward pass: the softmax loss, the L2 term 0.5 * reg * sum(W ** 2) of every W, and the gradients of the
        # last layer first; then each hidden layer, in reverse order.
        loss, grads = 0.0, {}
        # YOUR CODE HERE
        raise NotImplementedError("FullyConnectedNet.loss is not written yet; checked in BatchNormalization.ipynb, Dropout.ipynb, FullyConnectedNets.ipynb")
        for layer in range(self.num_layers - 1, 0, -1):
            cache = caches[layer - 1]
            if self.use_dropout:
                # Dropout.ipynb
                # YOUR CODE HERE
                raise NotImplementedError("FullyConnectedNet.loss is not written yet; checked in BatchNormalization.ipynb, Dropout.ipynb, FullyConnectedNets.ipynb")
            # YOUR CODE HERE
            raise NotImplementedError("FullyConnectedNet.loss is not written yet; checked in BatchNormalization.ipynb, Dropout.ipynb, FullyConnectedNets.ipynb")
            if self.normalization is not None:
                # BatchNormalization.ipynb: the gradients of gamma{layer} and beta{layer} go into grads
                # YOUR CODE HERE
                raise NotImplementedError("FullyConnectedNet.loss is not written yet; checked in BatchNormalization.ipynb, Dropout.ipynb, FullyConnectedNets.ipynb")
            # the affine layer: its W gets the gradient of the L2 term too
            # YOUR CODE HERE
            raise NotImplementedError("FullyConnectedNet.loss is not written yet; checked in BatchNormalization.ipynb, Dropout.ipynb, FullyConnectedNets.ipynb")

        return loss, grads
