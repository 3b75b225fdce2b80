"""Run a student's PyTorch code on numpy inputs and hand back numpy results (PyTorch.ipynb's checks).

The grader talks to a student's process over a data-only wire (``grading.kernel.wire``): numpy arrays and
plain values travel, tensors and modules do not.  These helpers live on the student's side, next to the
code they run: they turn numpy arrays into tensors of the same dtype, call the student's function or
module, run ``backward`` with a given upstream gradient, and return the outputs, the gradients and a
short description of what came back -- all as data.  The notebook's visible checks use them too.

Nothing here is a solution: the functions only convert, call and report.  An exception the student's
code raises is reported as data (``"raised"``), except ``NotImplementedError``, which propagates (the
code is not written yet).
"""

from __future__ import annotations

import numpy as np
import torch

__all__ = ["pick_device", "to_tensor", "describe_result", "call_function", "module_state", "module_forward_backward"]


def pick_device(device: str = "auto") -> torch.device:
    """``"auto"``: CUDA when torch sees a GPU, else the CPU; ``"cpu"``/``"cuda"`` as given."""
    if device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    return torch.device(device)


def to_tensor(array, device, requires_grad=False) -> torch.Tensor:
    """A copy of numpy ``array`` as a tensor of its dtype on ``device``."""
    host = np.array(array, order="C", copy=True)
    return torch.from_numpy(host).to(device).requires_grad_(requires_grad)


def _numpy(tensor):
    return None if tensor is None else tensor.detach().cpu().numpy()


def describe_result(value) -> dict:
    """What a student's function returned, as data: its type name, and for a tensor its shape, dtype,
    device and whether autograd can differentiate it."""
    info = {"type": type(value).__name__}
    if isinstance(value, torch.Tensor):
        info.update(shape=tuple(value.shape), dtype=str(value.dtype).replace("torch.", ""),
                    device=value.device.type, connected=bool(value.requires_grad))
    return info


def _raised(exc: Exception) -> str:
    return f"{type(exc).__name__}: {str(exc)[:500]}"


def _backward(out, dout, device) -> str | None:
    """``out.backward(dout)``; a message instead when that cannot work."""
    if not isinstance(out, torch.Tensor):
        return "not a tensor"
    if not out.requires_grad:
        return "not connected to autograd"
    if tuple(out.shape) != tuple(np.shape(dout)):
        return "wrong shape"
    out.backward(to_tensor(np.asarray(dout, dtype=np.dtype(str(out.dtype).replace("torch.", ""))), device))
    return None


def call_function(fn, x, params=None, dout=None, device="auto") -> dict:
    """``fn(x)`` (``params`` None) or ``fn(x, params)`` on tensors made from the numpy arrays ``x`` and
    ``params`` (a list), all requiring gradients; with ``dout``, ``out.backward(dout)``.

    Returns a dict: ``result`` (:func:`describe_result`), ``out`` (numpy, or None when not a tensor),
    ``dx`` and ``dparams`` (numpy gradients, None where autograd gave none), ``device`` (where it ran),
    ``backward`` (None, or why backward could not run), ``raised`` (None, or the exception's type and message).
    """
    dev = pick_device(device)
    x_t = to_tensor(x, dev, requires_grad=True)
    params_t = None if params is None else [to_tensor(p, dev, requires_grad=True) for p in params]
    report = {"device": dev.type, "out": None, "dx": None, "dparams": None, "backward": None, "raised": None,
              "result": {"type": "NoneType"}}
    try:
        out = fn(x_t) if params_t is None else fn(x_t, params_t)
    except NotImplementedError:
        raise
    except Exception as exc:  # the student's code crashed: the grader explains it
        report["raised"] = _raised(exc)
        return report
    report["result"] = describe_result(out)
    if isinstance(out, torch.Tensor):
        report["out"] = _numpy(out)
    if dout is not None:
        try:
            report["backward"] = _backward(out, dout, dev)
        except Exception as exc:
            report["backward"] = f"backward raised {_raised(exc)}"
        if report["backward"] is None:
            report["dx"] = _numpy(x_t.grad)
            report["dparams"] = None if params_t is None else [_numpy(p.grad) for p in params_t]
    return report


def _build(Module, args, kwargs, seed):
    torch.manual_seed(int(seed))
    return Module(*args, **(kwargs or {}))


def module_state(Module, args, kwargs=None, seed=0) -> dict:
    """A new ``Module(*args, **kwargs)`` built after ``torch.manual_seed(seed)``: its ``state_dict`` as numpy
    arrays (``state``) and the names of its parameters (``parameters``, in order), or ``raised``."""
    try:
        module = _build(Module, args, kwargs, seed)
    except NotImplementedError:
        raise
    except Exception as exc:
        return {"raised": _raised(exc)}
    if not isinstance(module, torch.nn.Module):
        return {"raised": f"TypeError: {type(module).__name__} is not an nn.Module"}
    return {"raised": None, "state": {k: _numpy(v) for k, v in module.state_dict().items()},
            "parameters": [name for name, _ in module.named_parameters()]}


def module_forward_backward(Module, args, kwargs, state, x, dout, train=True, device="auto", seed=0) -> dict:
    """A new ``Module(*args, **kwargs)`` holding ``state`` (numpy arrays by ``state_dict`` key, loaded strictly),
    in the dtype of ``x`` on ``device``, in training mode or not: the output for ``x`` and, after
    ``out.backward(dout)``, the gradients of ``x`` (``dx``) and of every parameter (``grads`` by name).

    Returns the keys of :func:`call_function` (``dparams`` replaced by ``grads``) and ``load`` (None, or why
    ``load_state_dict`` refused the state)."""
    dev = pick_device(device)
    report = {"device": dev.type, "out": None, "dx": None, "grads": None, "backward": None, "raised": None,
              "load": None, "result": {"type": "NoneType"}}
    try:
        module = _build(Module, args, kwargs, seed)
    except NotImplementedError:
        raise
    except Exception as exc:
        report["raised"] = _raised(exc)
        return report
    dtype = getattr(torch, np.asarray(x).dtype.name)
    module = module.to(device=dev, dtype=dtype).train(bool(train))  # first: loading copies into the params' dtype
    try:
        module.load_state_dict({k: torch.from_numpy(np.array(v, copy=True)) for k, v in state.items()}, strict=True)
    except (RuntimeError, KeyError) as exc:
        report["load"] = str(exc)[:800]
        return report
    x_t = to_tensor(x, dev, requires_grad=True)
    try:
        out = module(x_t)
    except NotImplementedError:
        raise
    except Exception as exc:
        report["raised"] = _raised(exc)
        return report
    report["result"] = describe_result(out)
    if isinstance(out, torch.Tensor):
        report["out"] = _numpy(out)
    try:
        report["backward"] = _backward(out, dout, dev)
    except Exception as exc:
        report["backward"] = f"backward raised {_raised(exc)}"
    if report["backward"] is None:
        report["dx"] = _numpy(x_t.grad)
        report["grads"] = {name: _numpy(p.grad) for name, p in module.named_parameters()}
    return report
