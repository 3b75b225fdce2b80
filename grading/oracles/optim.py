"""Reference update rules for the hidden tests of FullyConnectedNets.ipynb: one step of
``torch.optim.SGD(momentum)``, ``torch.optim.RMSprop`` and ``torch.optim.Adam`` on a float64
tensor whose ``.grad`` is the given gradient, on ``torch_device.device()``.

Each function takes the weights, the gradient and the CS231n config (hyperparameters and the
state of the previous step), translates the state into the torch optimizer's, steps once, and
returns ``(next_w, state)`` where ``state`` holds the CS231n names of the new state
(``velocity``; ``cache``; ``m``, ``v``, ``t``), so a test can check the config the CS231n way.

Convention differences (CS231n on the left, torch on the right):

- SGD with momentum: CS231n keeps the velocity ``v = mu * v - lr * dw`` and steps ``w + v``;
  torch keeps ``buf = mu * buf + dw`` (dampening 0) and steps ``w - lr * buf``.  With a fixed
  learning rate ``v = -lr * buf``: the state is translated with ``buf = -v / lr``.
- RMSprop: ``decay_rate`` is torch's ``alpha``; ``cache`` is torch's ``square_avg``; both put
  epsilon OUTSIDE the square root, ``dw / (sqrt(cache) + eps)`` (momentum 0, not centered).
- Adam: ``m``, ``v`` are torch's ``exp_avg``, ``exp_avg_sq``; CS231n's ``t`` is the number of
  steps taken so far, torch's ``step``, incremented before the bias correction in both.  torch
  writes the update as ``lr / (1 - beta1^t) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)``, which is
  CS231n's ``lr * m_hat / (sqrt(v_hat) + eps)`` (no AMSGrad, no weight decay).
"""

from __future__ import annotations

import numpy as np
import torch

from grading.oracles.torch_device import step_counter, to_numpy, to_tensor

__all__ = ["sgd_momentum", "rmsprop", "adam"]


def _param(w, dw):
    p = to_tensor(w, requires_grad=True, dtype=np.float64)
    p.grad = to_tensor(dw, dtype=np.float64)
    return p


def _state(w, value):
    return to_tensor(np.zeros(np.shape(w)) if value is None else value, dtype=np.float64)


def sgd_momentum(w, dw, learning_rate=1e-2, momentum=0.9, velocity=None):
    """One step of ``torch.optim.SGD(lr, momentum)`` from the CS231n velocity (zeros when None).
    Returns ``(next_w, {"velocity": v})``."""
    p = _param(w, dw)
    opt = torch.optim.SGD([p], lr=learning_rate, momentum=momentum, dampening=0.0, foreach=False)
    if velocity is not None and momentum != 0:
        opt.state[p]["momentum_buffer"] = -_state(w, velocity) / learning_rate
    opt.step()
    # torch keeps no buffer when momentum is 0 (plain SGD): then v = -lr * dw
    buf = opt.state[p]["momentum_buffer"] if momentum != 0 else p.grad
    return to_numpy(p), {"velocity": to_numpy(-learning_rate * buf)}


def rmsprop(w, dw, learning_rate=1e-2, decay_rate=0.99, epsilon=1e-8, cache=None):
    """One step of ``torch.optim.RMSprop(lr, alpha=decay_rate, eps=epsilon)`` from the CS231n
    ``cache`` (zeros when None).  Returns ``(next_w, {"cache": cache})``."""
    p = _param(w, dw)
    opt = torch.optim.RMSprop([p], lr=learning_rate, alpha=decay_rate, eps=epsilon, momentum=0.0,
                              centered=False, foreach=False)
    opt.state[p]["step"] = step_counter(0)
    opt.state[p]["square_avg"] = _state(w, cache)
    opt.step()
    return to_numpy(p), {"cache": to_numpy(opt.state[p]["square_avg"])}


def adam(w, dw, learning_rate=1e-3, beta1=0.9, beta2=0.999, epsilon=1e-8, m=None, v=None, t=0):
    """One step of ``torch.optim.Adam(lr, betas=(beta1, beta2), eps=epsilon)`` from the CS231n
    ``m``, ``v`` (zeros when None) after ``t`` steps.  Returns ``(next_w, {"m": m, "v": v, "t": t + 1})``."""
    p = _param(w, dw)
    opt = torch.optim.Adam([p], lr=learning_rate, betas=(beta1, beta2), eps=epsilon, foreach=False)
    opt.state[p]["step"] = step_counter(t)
    opt.state[p]["exp_avg"] = _state(w, m)
    opt.state[p]["exp_avg_sq"] = _state(w, v)
    opt.step()
    state = opt.state[p]
    return to_numpy(p), {"m": to_numpy(state["exp_avg"]), "v": to_numpy(state["exp_avg_sq"]),
                         "t": int(round(float(state["step"])))}
