"""Binary frame codec (protocol v1, see docs/protocol.md).

A frame is one binary websocket message::

    u32 little-endian  H        length of the header in bytes
    H bytes            header   UTF-8 JSON object; header["tensors"] describes the buffers
    zero bytes                  padding up to a multiple of 8
    buffers                     raw little-endian tensor bytes, each at an 8-aligned offset

Each entry of ``header["tensors"]`` is ``{"name", "dtype", "shape", "offset", "nbytes"}`` with ``offset``
counted from the first byte of the message, so a client can view every buffer without copying.
"""

import json
import struct
from collections.abc import Mapping
from typing import Any, NamedTuple

import numpy as np

DTYPES: dict[str, np.dtype] = {
    "float32": np.dtype("<f4"),
    "float16": np.dtype("<f2"),
    "uint8": np.dtype("u1"),
    "int32": np.dtype("<i4"),
}
_PREFIX = struct.Struct("<I")
_ALIGN = 8


class FrameTensor(NamedTuple):
    """One decoded tensor: its dtype name and a read-only array viewing the message."""

    dtype: str
    array: np.ndarray


def _aligned(n: int) -> int:
    return (n + _ALIGN - 1) // _ALIGN * _ALIGN


def _dtype_name(array: np.ndarray) -> str:
    little = array.dtype.newbyteorder("<")
    for name, dtype in DTYPES.items():
        if little == dtype:
            return name
    raise ValueError(f"unsupported dtype {array.dtype}; use one of {sorted(DTYPES)}")


def encode_frame(header: Mapping[str, Any], tensors: Mapping[str, np.ndarray]) -> bytes:
    """Encode a header and named arrays into one frame; the header gains the ``tensors`` table."""
    arrays = [(name, np.asarray(a, order="C")) for name, a in tensors.items()]  # keeps 0-d as 0-d
    names = [(name, _dtype_name(a)) for name, a in arrays]
    # Offsets depend on the header's length, and the header holds the offsets: lay the buffers out
    # relative to the end of the header first, then shift them once the header's size is known.
    relative, size = [], 0
    for _, a in arrays:
        relative.append(size)
        size = _aligned(size + a.nbytes)
    base = 0
    while True:
        table = [
            {"name": n, "dtype": d, "shape": list(a.shape), "offset": base + r, "nbytes": a.nbytes}
            for (n, d), (_, a), r in zip(names, arrays, relative, strict=True)
        ]
        head = json.dumps({**header, "tensors": table}, separators=(",", ":")).encode()
        start = _aligned(_PREFIX.size + len(head))
        if start == base:
            break
        base = start
    out = bytearray(base + size)
    _PREFIX.pack_into(out, 0, len(head))
    out[_PREFIX.size : _PREFIX.size + len(head)] = head
    for entry, (_, a) in zip(table, arrays, strict=True):
        dtype = DTYPES[entry["dtype"]]
        out[entry["offset"] : entry["offset"] + a.nbytes] = a.astype(dtype, copy=False).tobytes()
    return bytes(out)


def decode_frame(message: bytes | bytearray | memoryview) -> tuple[dict[str, Any], dict[str, FrameTensor]]:
    """Decode a frame into its header and named tensors (zero-copy views of ``message``)."""
    buf = memoryview(message).cast("B")
    if len(buf) < _PREFIX.size:
        raise ValueError("frame shorter than its length prefix")
    (head_len,) = _PREFIX.unpack_from(buf, 0)
    if _PREFIX.size + head_len > len(buf):
        raise ValueError("header length runs past the end of the frame")
    header = json.loads(bytes(buf[_PREFIX.size : _PREFIX.size + head_len]))
    tensors = {}
    for entry in header.get("tensors", []):
        dtype = DTYPES.get(entry["dtype"])
        if dtype is None:
            raise ValueError(f"unknown dtype {entry['dtype']!r}")
        offset, nbytes = entry["offset"], entry["nbytes"]
        count = int(np.prod(entry["shape"], dtype=np.int64))
        if offset % _ALIGN or offset + nbytes > len(buf) or count * dtype.itemsize != nbytes:
            raise ValueError(f"tensor {entry['name']!r} does not fit the frame")
        array = np.frombuffer(buf, dtype=dtype, count=count, offset=offset).reshape(tuple(entry["shape"]))
        tensors[entry["name"]] = FrameTensor(entry["dtype"], array)
    return header, tensors
