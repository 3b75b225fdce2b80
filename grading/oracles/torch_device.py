"""Where the oracles' torch computations run, and the way data crosses to and from it.

Every oracle builds its tensors with :func:`to_tensor` and hands results back
with :func:`to_numpy`, so all of an oracle's tensors live on :func:`device` and
no computation mixes devices.

``$CS231N_ORACLE_DEVICE`` picks the device: ``cpu`` or ``cuda`` force it;
unset, empty or ``auto`` mean CUDA when torch sees a GPU, else the CPU.
"""

from __future__ import annotations

import os

import numpy as np
import torch

__all__ = ["ENV", "device", "to_tensor", "to_numpy"]

ENV = "CS231N_ORACLE_DEVICE"


def device() -> str:
    """``"cuda"`` or ``"cpu"``: ``$CS231N_ORACLE_DEVICE`` when set, else CUDA when available."""
    wanted = os.environ.get(ENV, "").strip().lower()
    if wanted in ("", "auto"):
        return "cuda" if torch.cuda.is_available() else "cpu"
    if wanted not in ("cpu", "cuda"):
        raise ValueError(f"grading/oracles/torch_device.py: ${ENV} must be cpu, cuda or auto, got {wanted!r}")
    if wanted == "cuda" and not torch.cuda.is_available():
        raise RuntimeError(f"grading/oracles/torch_device.py: ${ENV}=cuda but torch sees no GPU")
    return wanted


def to_tensor(array, requires_grad: bool = False, dtype=None) -> torch.Tensor:
    """A copy of ``array`` as a tensor on :func:`device`, in ``dtype`` (numpy or torch; default: the
    array's own, so float32 stays float32 and float64 stays float64).

    The copy is C-ordered, writable and in native byte order, so read-only, reversed (negative
    strides) or big-endian arrays are accepted and the caller's array is never shared."""
    arr = np.asarray(array)
    host_dtype = arr.dtype if dtype is None or isinstance(dtype, torch.dtype) else np.dtype(dtype)
    host = np.array(arr, dtype=host_dtype.newbyteorder("="), order="C", copy=True)
    tensor = torch.from_numpy(host).to(device())
    if isinstance(dtype, torch.dtype):
        tensor = tensor.to(dtype)
    return tensor.requires_grad_(requires_grad)


def to_numpy(tensor: torch.Tensor) -> np.ndarray:
    """``tensor`` detached from autograd, on the CPU, as a numpy array of its dtype."""
    return tensor.detach().cpu().numpy()


def step_counter(steps: float) -> torch.Tensor:
    """A ``torch.optim`` step counter holding ``steps`` (float64, 0-d).  It stays on the CPU whatever
    :func:`device` says: torch's optimizers keep ``state["step"]`` there unless ``capturable``."""
    return torch.full((), float(steps), dtype=torch.float64)
