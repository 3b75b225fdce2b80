"""A data-only wire format between the trusted grader and a student's process.

A message is a JSON header plus raw array buffers, framed by lengths::

    u64 header length | header (UTF-8 JSON) | u32 buffer count | (u64 length | bytes) ...

Reading one runs no code from the sender: JSON is parsed, and each array is
rebuilt with ``np.frombuffer`` from a dtype string that must name a plain
number type (bool, int, uint, float, complex).  No pickle anywhere.

Values that travel: None, bool, int, float (nan/inf too), str, lists, tuples,
dicts, numpy arrays and numpy scalars (0-d arrays, dtype kept).  Anything else
is passed by reference: ``encode`` asks its caller to ``export`` it (see
:mod:`grading.kernel.peer`), and ``decode`` asks its caller to ``resolve`` the
reference node.
"""

from __future__ import annotations

import json
import math
import socket
import struct

import numpy as np

NUMBER_KINDS = "biufc"
#: Largest message a side accepts (header plus buffers).
MAX_MESSAGE_BYTES = 1 << 30


class WireError(Exception):
    """A message that cannot be sent or read (too big, malformed, an unsupported value)."""


class PeerClosed(WireError):
    """The other side closed the connection (or its process ended)."""


def encode(obj, buffers: list, export):
    """``obj`` as a JSON-able node; array bytes are appended to ``buffers``; ``export(obj)`` -> node for the rest."""
    if obj is None or obj is True or obj is False:
        return obj
    if isinstance(obj, np.ndarray) or isinstance(obj, np.generic):
        return _encode_array(obj, buffers, export)
    if isinstance(obj, bool):
        return bool(obj)
    if isinstance(obj, int):
        return int(obj)
    if isinstance(obj, float):
        value = float(obj)
        return value if math.isfinite(value) else {"$": "float", "v": repr(value)}
    if isinstance(obj, str):
        return str.__str__(obj)
    if isinstance(obj, tuple):
        return {"$": "tuple", "items": [encode(v, buffers, export) for v in obj]}
    if isinstance(obj, list):
        return [encode(v, buffers, export) for v in obj]
    if isinstance(obj, dict):
        return {"$": "dict", "items": [[encode(k, buffers, export), encode(v, buffers, export)] for k, v in obj.items()]}
    return export(obj)


def _encode_array(obj, buffers, export):
    scalar = isinstance(obj, np.generic)
    arr = np.asarray(obj)
    if arr.dtype.kind not in NUMBER_KINDS:
        if scalar or arr.dtype.kind in "OV":
            raise WireError(f"an array of dtype {arr.dtype} cannot be sent: only arrays of numbers or booleans")
        raise WireError(f"an array of dtype {arr.dtype} cannot be sent: only arrays of numbers or booleans")
    buffers.append(np.ascontiguousarray(arr).tobytes())
    return {"$": "nd", "dtype": arr.dtype.str, "shape": list(arr.shape), "buf": len(buffers) - 1, "scalar": scalar}


def decode(node, buffers: list, resolve):
    """Inverse of :func:`encode`; ``resolve(node)`` handles reference nodes.  Anything malformed is a WireError."""
    try:
        return _decode(node, buffers, resolve)
    except WireError:
        raise
    except (TypeError, KeyError, IndexError, ValueError, AttributeError, RecursionError) as exc:
        raise WireError(f"malformed value ({type(exc).__name__}: {exc})") from None


def _decode(node, buffers: list, resolve):
    if isinstance(node, list):
        return [_decode(v, buffers, resolve) for v in node]
    if not isinstance(node, dict):
        if node is None or isinstance(node, (bool, int, float, str)):
            return node
        raise WireError(f"unexpected value of type {type(node).__name__}")
    kind = node.get("$")
    if kind == "nd":
        return _decode_array(node, buffers)
    if kind == "tuple":
        return tuple(_decode(v, buffers, resolve) for v in node["items"])
    if kind == "dict":
        return {_hashable(_decode(k, buffers, resolve)): _decode(v, buffers, resolve) for k, v in node["items"]}
    if kind == "float":
        if node["v"] not in ("nan", "inf", "-inf"):
            raise WireError(f"bad float {node['v']!r}")
        return float(node["v"])
    return resolve(node)


def _hashable(key):
    try:
        hash(key)
    except TypeError:
        raise WireError("a dict key that is not hashable") from None
    return key


def _decode_array(node, buffers):
    dtype = np.dtype(str(node["dtype"]))
    if dtype.kind not in NUMBER_KINDS or dtype.fields is not None or dtype.subdtype is not None:
        raise WireError(f"refusing an array of dtype {dtype}")
    shape = tuple(int(n) for n in node["shape"])
    if any(n < 0 for n in shape):
        raise WireError(f"bad array shape {shape}")
    raw = buffers[int(node["buf"])]
    if len(raw) != dtype.itemsize * math.prod(shape):
        raise WireError(f"array buffer of {len(raw)} bytes does not hold {shape} of {dtype}")
    arr = np.frombuffer(raw, dtype=dtype).reshape(shape).copy()
    return arr[()] if node.get("scalar") else arr


# ----------------------------------------------------------------------------- framing

def send_message(sock: socket.socket, header: dict, buffers: list) -> None:
    head = json.dumps(header, allow_nan=False, separators=(",", ":")).encode()
    total = len(head) + sum(len(b) for b in buffers)
    if total > MAX_MESSAGE_BYTES:
        raise WireError(f"message of {total / 2**20:.0f} MiB exceeds the {MAX_MESSAGE_BYTES / 2**20:.0f} MiB limit")
    parts = [struct.pack("<Q", len(head)), head, struct.pack("<I", len(buffers))]
    for buf in buffers:
        parts += [struct.pack("<Q", len(buf)), buf]
    sock.sendall(b"".join(parts))


def recv_message(sock: socket.socket, limit: int = MAX_MESSAGE_BYTES) -> tuple[dict, list]:
    (size,) = struct.unpack("<Q", _recv_exact(sock, 8))
    if size > limit:
        raise WireError(f"a message header of {size} bytes exceeds the limit")
    try:
        header = json.loads(_recv_exact(sock, size))
    except (ValueError, RecursionError) as exc:
        raise WireError(f"malformed message header: {exc}") from None
    if not isinstance(header, dict):
        raise WireError("malformed message header")
    (count,) = struct.unpack("<I", _recv_exact(sock, 4))
    buffers, total = [], size
    for _ in range(count):
        (n,) = struct.unpack("<Q", _recv_exact(sock, 8))
        total += n
        if total > limit:
            raise WireError(f"a message of more than {limit / 2**20:.0f} MiB was refused")
        buffers.append(_recv_exact(sock, n))
    return header, buffers


def _recv_exact(sock: socket.socket, n: int) -> bytes:
    chunks, remaining = [], n
    while remaining:
        chunk = sock.recv(min(remaining, 1 << 20))
        if not chunk:
            raise PeerClosed("the other side closed the connection")
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)
