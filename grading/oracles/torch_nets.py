"""Reference nets for the hidden tests of PyTorch.ipynb (``cs231n/torch_nets.py``).

Independent of the student package: each net is written once here as a function of its parameters with
PyTorch built-ins (``torch.flatten``, ``F.linear``, ``F.conv2d``, ``F.relu``), evaluated in float64 on
``torch_device.device()``, and every gradient comes from autograd (a vector-Jacobian product with the given
upstream ``dout``).  Tests compare with ``kit.tolerance(dtype, <the student's device>, ...)``.

Conventions (CS231n's PyTorch notebook):

- ``flatten``: ``(N, d1, ..., dk) -> (N, d1 * ... * dk)`` in C order.
- ``two_layer_fc``: ``relu(flatten(x) @ w1) @ w2``, no biases; ``w1 (D, H)``, ``w2 (H, C)`` (torch's
  ``nn.Linear`` stores ``(out, in)``: here the weights multiply from the right).
- ``three_layer_convnet``: conv 5x5 (pad 2) - relu - conv 3x3 (pad 1) - relu - affine; ``fc_w (channel_2 * H * W,
  num_classes)``, multiplied from the right.
- ``module_convnet``: the same net read from a ``state_dict`` of ``nn.Conv2d``/``nn.Linear`` layers named
  ``conv1``, ``conv2``, ``fc`` (``fc.weight`` is ``(num_classes, D)``, torch's layout).

Every function takes and returns numpy arrays; nothing here keeps state.  ``variant`` selects a deliberately
wrong net for diagnoses (``"no_relu"``, ``"relu_on_scores"``, ``"no_second_relu"``): what the hidden tests compare
a wrong answer with, to say what is likely wrong.
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

from grading.oracles.layers import _forward_backward

__all__ = ["MODULE_CONVNET_KEYS", "flatten", "two_layer_fc", "three_layer_convnet", "module_convnet",
           "kaiming_normal_std"]

#: The ``state_dict`` keys of the ``nn.Module`` convnet, in registration order.
MODULE_CONVNET_KEYS = ("conv1.weight", "conv1.bias", "conv2.weight", "conv2.bias", "fc.weight", "fc.bias")


def _check_variant(variant, allowed):
    if variant not in allowed:
        raise ValueError(f"grading/oracles/torch_nets.py: variant must be one of {allowed}, got {variant!r}")


def flatten(x, dout=None):
    """``torch.flatten(x, 1)``; with ``dout``: ``(out, dx)``."""
    if dout is None:
        return _forward_backward(lambda x: torch.flatten(x, 1), [x], None)
    out, (dx,) = _forward_backward(lambda x: torch.flatten(x, 1), [x], dout)
    return out, dx


def _fc(x, w1, w2, variant):
    h = torch.flatten(x, 1) @ w1
    if variant != "no_relu":
        h = F.relu(h)
    scores = h @ w2
    return F.relu(scores) if variant == "relu_on_scores" else scores


def two_layer_fc(x, params, dout=None, variant=None):
    """``relu(flatten(x) @ w1) @ w2`` for ``params = [w1, w2]``; with ``dout``: ``(out, (dx, [dw1, dw2]))``."""
    _check_variant(variant, (None, "no_relu", "relu_on_scores"))
    fn = lambda x, w1, w2: _fc(x, w1, w2, variant)  # noqa: E731
    out = _forward_backward(fn, [x, *params], dout)
    if dout is None:
        return out
    out, grads = out
    return out, (grads[0], grads[1:])


def _convnet(x, w1, b1, w2, b2, fc_w, fc_b, variant, torch_layout):
    h = F.relu(F.conv2d(x, w1, b1, stride=1, padding=2))
    h = F.conv2d(h, w2, b2, stride=1, padding=1)
    if variant != "no_second_relu":
        h = F.relu(h)
    flat = torch.flatten(h, 1)
    scores = F.linear(flat, fc_w, fc_b) if torch_layout else flat @ fc_w + fc_b
    return F.relu(scores) if variant == "relu_on_scores" else scores


def three_layer_convnet(x, params, dout=None, variant=None):
    """Scores of the barebones convnet for ``params = [conv_w1, conv_b1, conv_w2, conv_b2, fc_w, fc_b]``;
    with ``dout``: ``(out, (dx, [d of each param]))``."""
    _check_variant(variant, (None, "no_second_relu", "relu_on_scores"))
    fn = lambda x, *p: _convnet(x, *p, variant=variant, torch_layout=False)  # noqa: E731
    out = _forward_backward(fn, [x, *params], dout)
    if dout is None:
        return out
    out, grads = out
    return out, (grads[0], grads[1:])


def module_convnet(x, state, dout=None, variant=None):
    """Scores of ``ThreeLayerConvNet`` holding ``state`` (numpy arrays by ``MODULE_CONVNET_KEYS``); with ``dout``:
    ``(out, (dx, {key: gradient}))``."""
    _check_variant(variant, (None, "no_second_relu", "relu_on_scores"))
    fn = lambda x, *p: _convnet(x, *p, variant=variant, torch_layout=True)  # noqa: E731
    out = _forward_backward(fn, [x, *(state[k] for k in MODULE_CONVNET_KEYS)], dout)
    if dout is None:
        return out
    out, grads = out
    return out, (grads[0], dict(zip(MODULE_CONVNET_KEYS, grads[1:])))


def kaiming_normal_std(shape, mode="fan_in") -> float:
    """The standard deviation ``nn.init.kaiming_normal_`` draws a weight of ``shape`` with (ReLU gain sqrt(2)):
    ``sqrt(2 / fan)``, fan = ``shape[1] * receptive field`` (fan_in) or ``shape[0] * receptive field`` (fan_out)."""
    receptive = int(np.prod(shape[2:])) if len(shape) > 2 else 1
    fan = (shape[1] if mode == "fan_in" else shape[0]) * receptive
    return float(np.sqrt(2.0 / fan))
