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
from functools import lru_cache
from typing import Any, NamedTuple

import numpy as np

from app.protocol.bounds import dumps

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
    arrays = [np.asarray(a, order="C") for a in tensors.values()]  # asarray keeps 0-d as 0-d
    layout, size = [], 0  # (name, dtype, shape, offset after the header, nbytes)
    for name, a in zip(tensors, arrays, strict=True):
        layout.append((name, _dtype_name(a), a.shape, size, a.nbytes))
        size = _aligned(size + a.nbytes)
    fields = dumps({k: v for k, v in header.items() if k != "tensors"})  # NaN (a loss) as null
    lead = fields[:-1] + ("," if len(fields) > 2 else "") + '"tensors":'
    # The header holds the offsets and its length decides them: find the fixed point. A session's
    # frames share one layout, so the table's JSON comes from a cache after the first frame.
    base = 0
    while True:
        head = (lead + _table_json(tuple(layout), base) + "}").encode()
        start = _aligned(_PREFIX.size + len(head))
        if start == base:
            break
        base = start
    out = bytearray(base + size)
    _PREFIX.pack_into(out, 0, len(head))
    out[_PREFIX.size : _PREFIX.size + len(head)] = head
    for (_, dtype, _, offset, nbytes), a in zip(layout, arrays, strict=True):
        out[base + offset : base + offset + nbytes] = a.astype(DTYPES[dtype], copy=False).tobytes()
    return bytes(out)


@lru_cache(maxsize=256)
def _table_json(layout: tuple, base: int) -> str:
    table = [
        {"name": name, "dtype": dtype, "shape": list(shape), "offset": base + offset, "nbytes": nbytes}
        for name, dtype, shape, offset, nbytes in layout
    ]
    return json.dumps(table, separators=(",", ":"))


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
