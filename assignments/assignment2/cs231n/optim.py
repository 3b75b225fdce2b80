"""First-order update rules (FullyConnectedNets.ipynb).

Each rule has the interface

    next_w, config = update(w, dw, config=None)

- w: a numpy array, the current weights
- dw: an array of the same shape, the gradient of the loss with respect to w
- config: a dict of hyperparameters (learning rate, decay ...) and of the state the rule
  keeps between steps (velocity, moving averages ...); when None, the defaults below

It returns the next weights and the config to pass to the next step.  The Solver keeps
one config per parameter array.  Return a NEW array: never change ``w`` in place.
"""

import numpy as np


def sgd(w, dw, config=None):
    """Vanilla stochastic gradient descent (provided).

    config: learning_rate (default 1e-2)
    """
    if config is None:
        config = {}
    config.setdefault("learning_rate", 1e-2)
    w = w - config["learning_rate"] * dw
    return w, config


def sgd_momentum(w, dw, config=None):
    """SGD with momentum.

    config:
    - learning_rate (default 1e-2)
    - momentum: a number in [0, 1) (default 0.9); 0 is plain SGD
    - velocity: an array of the shape of w, the moving average of the steps (starts at zeros)
    """
    if config is None:
        config = {}
    config.setdefault("learning_rate", 1e-2)
    config.setdefault("momentum", 0.9)
    v = config.get("velocity", np.zeros_like(w))
    next_w = None
    # YOUR CODE HERE
    raise NotImplementedError("sgd_momentum is not written yet; checked in FullyConnectedNets.ipynb")
    config["velocity"] = v
    return next_w, config


def rmsprop(w, dw, config=None):
    """RMSProp: a per-parameter learning rate from a moving average of squared gradients.

    config:
    - learning_rate (default 1e-2)
    - decay_rate: the decay of the squared-gradient cache, in [0, 1) (default 0.99)
    - epsilon: avoids dividing by zero (default 1e-8)
    - cache: the moving average of the squared gradients (starts at zeros)
    """
    if config is None:
        config = {}
    config.setdefault("learning_rate", 1e-2)
    config.setdefault("decay_rate", 0.99)
    config.setdefault("epsilon", 1e-8)
    config.setdefault("cache", np.zeros_like(w))
    next_w = None
    # YOUR CODE HERE
    raise NotImplementedError("rmsprop is not written yet; checked in FullyConnectedNets.ipynb")
    return next_w, config


def adam(w, dw, config=None):
    """Adam: moving averages of the gradient and of its square, with bias correction.

    config:
    - learning_rate (default 1e-3)
    - beta1: decay of the first moment m (default 0.9)
    - beta2: decay of the second moment v (default 0.999)
    - epsilon (default 1e-8)
    - m, v: the moment estimates (start at zeros)
    - t: the step number (starts at 0; increment it BEFORE the bias correction, so the first step uses t = 1)
    """
    if config is None:
        config = {}
    config.setdefault("learning_rate", 1e-3)
    config.setdefault("beta1", 0.9)
    config.setdefault("beta2", 0.999)
    config.setdefault("epsilon", 1e-8)
    config.setdefault("m", np.zeros_like(w))
    config.setdefault("v", np.zeros_like(w))
    config.setdefault("t", 0)
    next_w = None
    # YOUR CODE HERE
    raise NotImplementedError("adam is not written yet; checked in FullyConnectedNets.ipynb")
    return next_w, config
