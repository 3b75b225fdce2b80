"""grading.kernel.wire: the data-only message format between the grader and a student's process.

Round trips of every value kind that travels (property-based), refusal of what
must not travel, WireError on crafted messages, framing over a real socket, and
no pickle anywhere.
"""

from __future__ import annotations

import ast
import json
import math
import pickle
import socket
import struct
import threading
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from grading.kernel import wire
from grading.kernel.wire import PeerClosed, WireError, decode, encode, recv_message, send_message


class _Opaque:
    pass


def _no_export(obj):
    raise AssertionError(f"{obj!r} should have travelled by value")


def _no_resolve(node):
    raise AssertionError(f"unexpected reference node {node!r}")


def roundtrip(obj):
    """encode -> JSON text -> decode, as the framing does (the header really goes through json)."""
    buffers: list = []
    node = encode(obj, buffers, _no_export)
    node = json.loads(json.dumps(node, allow_nan=False))
    return decode(node, buffers, _no_resolve)


def same(a, b) -> bool:
    """Deep equality that tells list from tuple, int from bool, nan == nan, -0.0 from 0.0, and keeps dtypes."""
    if isinstance(a, np.ndarray):
        return (isinstance(b, np.ndarray) and a.dtype == b.dtype and a.shape == b.shape
                and np.ascontiguousarray(a).tobytes() == b.tobytes())
    if isinstance(a, np.generic):
        return (type(a) is type(b) and a.dtype == b.dtype
                and np.asarray(a).tobytes() == np.asarray(b).tobytes())
    if type(a) is not type(b):
        return False
    if isinstance(a, float):
        if math.isnan(a):
            return math.isnan(b)
        return a == b and math.copysign(1.0, a) == math.copysign(1.0, b)
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, dict):
        return list(a) == list(b) and all(same(a[k], b[k]) for k in a)
    return a == b


# ----------------------------------------------------------------------------- strategies

NUMBER_DTYPES = (hnp.boolean_dtypes()
                 | hnp.integer_dtypes(endianness="?")
                 | hnp.unsigned_integer_dtypes(endianness="?")
                 | hnp.floating_dtypes(endianness="?", sizes=(16, 32, 64, 128))
                 | hnp.complex_number_dtypes(endianness="?", sizes=(64, 128, 256)))

ARRAYS = hnp.arrays(NUMBER_DTYPES, hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=4))
SCALARS = hnp.arrays(NUMBER_DTYPES, ()).map(lambda a: a[()])

LEAVES = (st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True, allow_infinity=True)
          | st.text(max_size=20) | ARRAYS | SCALARS)
KEYS = st.none() | st.booleans() | st.integers() | st.text(max_size=8) | st.tuples(st.integers(), st.text(max_size=3))

VALUES = st.recursive(
    LEAVES,
    lambda inner: (st.lists(inner, max_size=4) | st.tuples(inner, inner)
                   | st.dictionaries(KEYS, inner, max_size=4)),
    max_leaves=12)


# ----------------------------------------------------------------------------- round trips

@settings(max_examples=200, deadline=None)
@given(VALUES)
def test_every_value_that_travels_comes_back_equal(value):
    assert same(value, roundtrip(value))


@settings(max_examples=150, deadline=None)
@given(ARRAYS)
def test_arrays_keep_dtype_shape_and_bytes_and_come_back_writable(arr):
    buffers: list = []
    node = json.loads(json.dumps(encode(arr, buffers, _no_export)))
    back = decode(node, buffers, _no_resolve)
    assert isinstance(back, np.ndarray)
    assert back.dtype == arr.dtype and back.shape == arr.shape
    assert back.tobytes() == arr.tobytes()
    assert back.flags.writeable  # a copy, not a read-only view of the received bytes
    if back.size:
        again = decode(node, buffers, _no_resolve)
        flat = back.reshape(-1)
        flat[...] = flat[::-1].copy() if flat.size > 1 else np.zeros(1, dtype=flat.dtype)
        assert again.tobytes() == arr.tobytes()  # each decode owns its memory


@settings(max_examples=100, deadline=None)
@given(SCALARS)
def test_numpy_scalars_stay_scalars_of_their_dtype(scalar):
    back = roundtrip(scalar)
    assert isinstance(back, np.generic) and not isinstance(back, np.ndarray)
    assert type(back) is type(scalar) and back.dtype == scalar.dtype
    if scalar.dtype.kind in "fc" and scalar.dtype.itemsize > 8 * (2 if scalar.dtype.kind == "c" else 1):
        # long double: 10 significant bytes in 16, the padding is whatever was in memory
        assert (back == scalar) or (np.isnan(back) and np.isnan(scalar))
    else:
        assert np.asarray(back).tobytes() == np.asarray(scalar).tobytes()


@pytest.mark.parametrize("value", [float("nan"), float("inf"), float("-inf"), -0.0, 1e308, 5e-324])
def test_special_python_floats(value):
    back = roundtrip(value)
    assert type(back) is float and same(value, back)


def test_a_zero_d_array_is_not_turned_into_a_scalar_and_vice_versa():
    arr = np.array(3.5, dtype=np.float32)
    assert isinstance(roundtrip(arr), np.ndarray) and roundtrip(arr).shape == ()
    assert isinstance(roundtrip(np.float32(3.5)), np.float32)


def test_non_contiguous_arrays_travel_in_their_logical_order():
    base = np.arange(24, dtype=np.int16).reshape(4, 6)
    for view in (base.T, base[::2, 1::3], base[:, ::-1]):
        back = roundtrip(view)
        np.testing.assert_array_equal(back, view)
        assert back.dtype == view.dtype


def test_containers_keep_their_kind():
    value = {"a": (1, [2, (3,)]), 1: [], (1, "x"): {}, None: ()}
    back = roundtrip(value)
    assert same(value, back)
    assert type(back["a"]) is tuple and type(back["a"][1]) is list and type(back[None]) is tuple


def test_a_dict_with_a_dollar_key_is_not_mistaken_for_a_special_node():
    value = {"$": "nd", "dtype": "O", "shape": [1], "buf": 0}
    assert same(value, roundtrip(value))


def test_bool_subclass_of_int_is_kept_as_bool():
    back = roundtrip([True, 1, False, 0])
    assert [type(v) for v in back] == [bool, int, bool, int]


def test_other_objects_are_exported_and_resolved_by_the_caller():
    obj = _Opaque()
    exported = {}

    def export(o):
        exported[7] = o
        return {"$": "obj", "id": 7}

    buffers: list = []
    node = encode([1, obj, {"k": obj}], buffers, export)
    back = decode(json.loads(json.dumps(node)), buffers, lambda n: ("ref", n["id"]))
    assert back == [1, ("ref", 7), {"k": ("ref", 7)}]
    assert exported[7] is obj


# ----------------------------------------------------------------------------- refused on encode

@pytest.mark.parametrize("arr", [
    np.array([1, "a"], dtype=object),
    np.array([None]),
    np.zeros(0, dtype=object),
    np.array(["text"]),
    np.array([b"bytes"]),
    np.zeros(2, dtype=[("a", "i4"), ("b", "f8")]),
    np.array(["2024-01-01"], dtype="datetime64[D]"),
    np.str_("scalar string"),
    np.void(b"\x00\x01"),
])
def test_arrays_that_are_not_numbers_are_refused(arr):
    with pytest.raises(WireError, match="cannot be sent"):
        encode(arr, [], _no_export)


def test_an_object_array_nested_in_a_container_is_refused_too():
    with pytest.raises(WireError):
        encode({"x": [1, (np.array([{}], dtype=object),)]}, [], _no_export)


# ----------------------------------------------------------------------------- crafted nodes

def _nd(dtype, shape, raw, scalar=False):
    return {"$": "nd", "dtype": dtype, "shape": shape, "buf": 0, "scalar": scalar}, [raw]


@pytest.mark.parametrize("node,buffers", [
    _nd("O", [1], b"\x00" * 8),
    _nd("|O", [1], b"\x00" * 8),
    _nd("i4,f8", [1], b"\x00" * 12),
    _nd("(2,)i4", [1], b"\x00" * 8),
    _nd("<U3", [1], b"\x00" * 12),
    _nd("|S4", [1], b"\x00" * 4),
    _nd("|V8", [1], b"\x00" * 8),
    _nd("<M8[D]", [1], b"\x00" * 8),
    _nd("<f8", [3], b"\x00" * 16),          # too short
    _nd("<f8", [2], b"\x00" * 24),          # too long
    _nd("<i4", [2, 3], b"\x00" * 20),
    _nd("<i4", [], b"\x00" * 8),            # a 0-d array holds exactly one item
    _nd("<i4", [-1], b""),                  # negative shape
    _nd("<i4", [-2, -3], b"\x00" * 24),     # negative dims whose product looks right
    _nd("<i4", [4, -1], b"\x00" * 16),
])
def test_a_crafted_array_node_raises_wire_error(node, buffers):
    with pytest.raises(WireError):
        decode(node, buffers, _no_resolve)


def test_a_crafted_array_node_inside_a_container_raises_wire_error():
    node, buffers = _nd("O", [1], b"\x00" * 8)
    with pytest.raises(WireError):
        decode([1, {"$": "tuple", "items": [node]}], buffers, _no_resolve)


@pytest.mark.parametrize("v", ["1.5", "__import__('os')", "nan ", "Infinity", ""])
def test_a_float_node_takes_only_nan_and_infinities(v):
    with pytest.raises(WireError):
        decode({"$": "float", "v": v}, [], _no_resolve)


def test_an_unhashable_dict_key_raises_wire_error():
    with pytest.raises(WireError):
        decode({"$": "dict", "items": [[[1, 2], 3]]}, [], _no_resolve)


def test_unknown_node_kinds_go_to_the_resolver():
    seen = []
    decode({"$": "whatever", "id": 1}, [], lambda n: seen.append(n))
    assert seen == [{"$": "whatever", "id": 1}]


@pytest.mark.parametrize("node,buffers", [
    ({"$": "nd", "dtype": "not-a-dtype", "shape": [1], "buf": 0}, [b"\x00"]),
    ({"$": "nd", "dtype": "<i4", "shape": [1], "buf": 3}, [b"\x00" * 4]),
    ({"$": "nd", "dtype": "<i4", "shape": [1]}, [b"\x00" * 4]),
    ({"$": "nd", "dtype": "<i4", "shape": 4, "buf": 0}, [b"\x00" * 16]),
])
def test_a_malformed_array_node_raises_wire_error(node, buffers):
    with pytest.raises(WireError):
        decode(node, buffers, _no_resolve)


# ----------------------------------------------------------------------------- framing

@pytest.fixture
def pair():
    a, b = socket.socketpair()
    yield a, b
    a.close()
    b.close()


def _send_in_thread(sock, header, buffers):
    errors = []

    def run():
        try:
            send_message(sock, header, buffers)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    t = threading.Thread(target=run, daemon=True)
    t.start()
    return t, errors


def test_send_and_receive_a_message_with_buffers(pair):
    a, b = pair
    value = {"x": np.arange(12, dtype=np.float32).reshape(3, 4), "y": [1, 2.5, "z", None], "s": np.int64(-3)}
    buffers: list = []
    header = {"kind": "req", "id": 1, "body": encode(value, buffers, _no_export)}
    send_message(a, header, buffers)
    got_header, got_buffers = recv_message(b)
    assert got_header["kind"] == "req" and got_header["id"] == 1
    assert [bytes(x) for x in got_buffers] == buffers
    assert same(value, decode(got_header["body"], got_buffers, _no_resolve))


def test_a_message_larger_than_the_socket_buffer_and_the_read_chunk(pair):
    a, b = pair
    big = np.random.default_rng(0).standard_normal(700_000)  # 5.6 MB: several 1 MiB reads
    buffers: list = []
    header = {"body": encode([big, big[:3]], buffers, _no_export)}
    t, errors = _send_in_thread(a, header, buffers)
    got_header, got_buffers = recv_message(b)
    t.join(10)
    assert not errors
    back = decode(got_header["body"], got_buffers, _no_resolve)
    np.testing.assert_array_equal(back[0], big)
    np.testing.assert_array_equal(back[1], big[:3])


def test_messages_follow_one_another_on_the_stream(pair):
    a, b = pair
    for i in range(5):
        send_message(a, {"n": i}, [bytes([i]) * i])
    for i in range(5):
        header, buffers = recv_message(b)
        assert header == {"n": i} and buffers == [bytes([i]) * i]


def test_the_header_must_be_strict_json(pair):
    a, _ = pair
    with pytest.raises(ValueError):  # nan is not JSON: encode turns non-finite floats into nodes first
        send_message(a, {"v": float("nan")}, [])


def test_peer_closed_on_eof(pair):
    a, b = pair
    a.close()
    with pytest.raises(PeerClosed):
        recv_message(b)


@pytest.mark.parametrize("cut", [3, 8, 12, 8 + len(b'{"a":1}') + 2, 8 + len(b'{"a":1}') + 4 + 8 + 2])
def test_peer_closed_when_the_stream_ends_inside_a_message(pair, cut):
    a, b = pair
    head = b'{"a":1}'
    raw = struct.pack("<Q", len(head)) + head + struct.pack("<I", 1) + struct.pack("<Q", 5) + b"hello"
    a.sendall(raw[:cut])
    a.close()
    with pytest.raises(PeerClosed):
        recv_message(b)


def test_peer_closed_is_a_wire_error():
    assert issubclass(PeerClosed, WireError)


def _raw(sock, head: bytes, buffers=(), size=None):
    parts = [struct.pack("<Q", len(head) if size is None else size), head, struct.pack("<I", len(buffers))]
    for buf in buffers:
        parts += [struct.pack("<Q", len(buf)), buf]
    sock.sendall(b"".join(parts))


@pytest.mark.parametrize("head", [b"[1, 2]", b'"text"', b"3", b"null", b"{not json", b"\xff\xfe", b""])
def test_a_header_that_is_not_a_json_object_raises_wire_error(pair, head):
    a, b = pair
    _raw(a, head)
    with pytest.raises(WireError) as info:
        recv_message(b)
    assert not isinstance(info.value, PeerClosed)


def test_a_deeply_nested_header_raises_wire_error(pair):
    a, b = pair
    head = b'{"a":' + b"[" * 200_000 + b"]" * 200_000 + b"}"
    sender = threading.Thread(target=_raw, args=(a, head), daemon=True)
    sender.start()
    with pytest.raises(WireError):
        recv_message(b)
    sender.join(10)


def test_a_header_over_the_limit_is_refused_before_it_is_read(pair):
    a, b = pair
    a.sendall(struct.pack("<Q", 1 << 40))  # announces a terabyte, sends nothing more
    with pytest.raises(WireError, match="exceeds the limit"):
        recv_message(b)


def test_the_limit_is_a_parameter(pair):
    a, b = pair
    _raw(a, b'{"a":"' + b"x" * 100 + b'"}')
    with pytest.raises(WireError):
        recv_message(b, limit=50)


def test_buffers_over_the_limit_are_refused_before_they_are_read(pair):
    a, b = pair
    head = b"{}"
    a.sendall(struct.pack("<Q", len(head)) + head + struct.pack("<I", 2) + struct.pack("<Q", 10) + b"0123456789"
              + struct.pack("<Q", 1 << 40))
    with pytest.raises(WireError, match="refused"):
        recv_message(b, limit=1000)


def test_send_refuses_a_message_over_the_limit(pair, monkeypatch):
    a, b = pair
    monkeypatch.setattr(wire, "MAX_MESSAGE_BYTES", 100)
    with pytest.raises(WireError, match="exceeds"):
        send_message(a, {"k": 1}, [b"x" * 200])
    b.setblocking(False)
    with pytest.raises(BlockingIOError):  # nothing half-sent
        b.recv(1)


# ----------------------------------------------------------------------------- no pickle

SOURCES = [Path(wire.__file__), Path(wire.__file__).with_name("peer.py")]


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.name)
def test_the_source_never_imports_pickle_or_evaluates_code(path):
    tree = ast.parse(path.read_text())
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module.split(".")[0])
    assert not imported & {"pickle", "cPickle", "_pickle", "marshal", "dill", "cloudpickle", "shelve", "joblib"}
    names = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
    assert not names & {"eval", "exec", "compile", "__import__", "pickle", "marshal"}
    numpy_calls = {n.attr for n in ast.walk(tree) if isinstance(n, ast.Attribute)
                   and isinstance(n.value, ast.Name) and n.value.id in ("np", "numpy")}
    assert not numpy_calls & {"load", "loads", "fromfile", "fromstring"}  # np.load can unpickle
    keywords = {k.arg for n in ast.walk(tree) if isinstance(n, ast.Call) for k in n.keywords}
    assert "allow_pickle" not in keywords


def test_a_round_trip_over_a_socket_never_calls_pickle(pair, monkeypatch):
    def forbidden(*args, **kwargs):
        raise AssertionError("pickle was used")

    for name in ("loads", "load", "dumps", "dump"):
        monkeypatch.setattr(pickle, name, forbidden)
    monkeypatch.setattr(pickle, "Unpickler", forbidden)
    monkeypatch.setattr(pickle, "Pickler", forbidden)
    a, b = pair
    value = {"a": np.arange(6.0).reshape(2, 3), "b": (np.uint8(3), [np.array(True)]), "c": float("inf")}
    buffers: list = []
    send_message(a, {"body": encode(value, buffers, _no_export)}, buffers)
    header, got = recv_message(b)
    assert same(value, decode(header["body"], got, _no_resolve))
