"""A three-layer convolutional network (ConvolutionalNetworks.ipynb).

    conv - relu - 2x2 max pool - affine - relu - affine - softmax

The convolution keeps the spatial size ('same' padding (filter_size - 1) // 2, stride 1); the pool halves it.
The layers are the provided sandwiches of ``layer_utils.py``, which run on the fast conv and pool layers.
"""

import numpy as np

from ..layer_utils import affine_relu_backward, affine_relu_forward, conv_relu_pool_backward, conv_relu_pool_forward
from ..layers import affine_backward, affine_forward, softmax_loss


class ThreeLayerConvNet:
    """conv - relu - 2x2 max pool - affine - relu - affine - softmax, on minibatches of shape (N, C, H, W).

    Learnable parameters live in ``self.params``: the filters ``W1 (F, C, filter_size, filter_size)`` and
    biases ``b1 (F,)`` of the convolution, ``W2 (F * H/2 * W/2, hidden_dim)``, ``b2 (hidden_dim,)`` of the
    hidden affine layer, and ``W3 (hidden_dim, num_classes)``, ``b3 (num_classes,)`` of the output layer.
    """

    def __init__(self, input_dim=(3, 32, 32), num_filters=32, filter_size=7, hidden_dim=100, num_classes=10,
                 weight_scale=1e-3, reg=0.0, dtype=np.float32):
        """
        Inputs:
        - input_dim: (C, H, W), the shape of one input; H and W even (the 2x2 pool halves them)
        - num_filters: the number F of filters of the convolution
        - filter_size: the width and height of each filter (odd, so that 'same' padding keeps H and W)
        - hidden_dim: the number of units of the hidden affine layer
        - num_classes: the number of classes
        - weight_scale: the std of the normal distribution the weights are drawn from
        - reg: the L2 regularization strength; the loss gets 0.5 * reg * sum(W ** 2) over W1, W2, W3
        - dtype: the dtype of every parameter and computation (float32 to train, float64 to check gradients)
        """
        self.params = {}
        self.reg = reg
        self.dtype = dtype

        # Initialise W1, W2, W3 (in this order) as weight_scale * np.random.randn(...) of the shapes above, and
        # b1, b2, b3 as zeros.
        # YOUR CODE HERE
        raise NotImplementedError("ThreeLayerConvNet.__init__ is not written yet; checked in ConvolutionalNetworks.ipynb")

        for k, v in self.params.items():
            self.params[k] = v.astype(dtype)

    def loss(self, X, y=None):
        """Scores of a minibatch, or its loss and gradients.

        Inputs:
        - X: data, of shape (N, C, H, W)
        - y: labels, of shape (N,); None at test time

        Returns:
        - when y is None: scores, of shape (N, num_classes)
        - else a tuple (loss, grads): the softmax loss plus 0.5 * reg * (sum of W1, W2, W3 squared), and a dict with
          the gradient of the loss for every key of self.params
        """
        X = X.astype(self.dtype)
        W1, b1 = self.params["W1"], self.params["b1"]
        W2, b2 = self.params["W2"], self.params["b2"]
        W3, b3 = self.params["W3"], self.params["b3"]

        filter_size = W1.shape[2]
        conv_param = {"stride": 1, "pad": (filter_size - 1) // 2}
        pool_param = {"pool_height": 2, "pool_width": 2, "stride": 2}

        # Forward pass, with conv_relu_pool_forward, affine_relu_forward and affine_forward.
        scores = None
        # YOUR CODE HERE
        raise NotImplementedError("ThreeLayerConvNet.loss is not written yet; checked in ConvolutionalNetworks.ipynb")

        if y is None:
            return scores

        # Backward pass: the softmax loss, the L2 term and the gradient of every parameter (the weights get the
        # gradient of the L2 term too).
        loss, grads = 0, {}
        # YOUR CODE HERE
        raise NotImplementedError("ThreeLayerConvNet.loss is not written yet; checked in ConvolutionalNetworks.ipynb")

        return loss, grads
