"""Binary frame codec (protocol v2, see docs/protocol.md; v1 frames are still read).

A frame is one binary websocket message::

    u32 little-endian  H        length of the header in bytes
    H bytes            header   UTF-8 JSON object; header["tensors"] describes the buffers
    zero bytes                  padding up to a multiple of 8
    buffers                     raw little-endian tensor bytes, each at an 8-aligned offset

Each entry of ``header["tensors"]`` is ``{"name", "dtype", "shape", "offset", "nbytes"}``. In v2 ``offset``
counts from the first byte of the buffer section (the 8-aligned end of the header), so a header can be
replaced without touching the buffers (``reheader``); in v1 it counted from the first byte of the message.
"""

import json
import math
import struct
from collections.abc import Mapping
from functools import lru_cache
from typing import Any, NamedTuple

import numpy as np

from app.protocol.bounds import dumps

PROTOCOL = 2  # the version this server speaks (``hello.protocol``)
READABLE = (1, 2)  # the versions the decoders read (recordings made with older servers)
DTYPES: dict[str, np.dtype[Any]] = {
    "float32": np.dtype("<f4"),
    "float16": np.dtype("<f2"),
    "uint8": np.dtype("u1"),
    "int32": np.dtype("<i4"),
}
_PREFIX = struct.Struct("<I")
ALIGN = 8  # tensors start at multiples of this in the buffer section
_JSON_SPACE = b" \t\n\r"
Layout = tuple[tuple[str, str, tuple[int, ...], int, int], ...]  # (name, dtype, shape, offset, nbytes)


class FrameTensor(NamedTuple):
    """One decoded tensor: its dtype name and a read-only array viewing the message."""

    dtype: str
    array: np.ndarray[Any, Any]


class FrameParts(NamedTuple):
    """A frame split without reading its tensors: the header (``tensors`` table included) and the
    buffer section, a view of the message."""

    header: dict[str, Any]
    buffers: memoryview


def _aligned(n: int) -> int:
    return (n + ALIGN - 1) // ALIGN * ALIGN


def _dtype_name(array: np.ndarray[Any, Any]) -> str:
    little = array.dtype.newbyteorder("<")
    for name, dtype in DTYPES.items():
        if little == dtype:
            return name
    raise ValueError(f"unsupported dtype {array.dtype}; use one of {sorted(DTYPES)}")


def _head(fields: Mapping[str, Any], table_json: str) -> bytes:
    """Length prefix, header JSON (``fields`` and the table) and zero padding up to the buffers."""
    text = dumps({k: v for k, v in fields.items() if k != "tensors"})  # NaN (a loss) as null
    return _framed((text[:-1] + ("," if len(text) > 2 else "") + '"tensors":' + table_json + "}").encode())


def _framed(head: bytes) -> bytes:
    """Length prefix, the header's bytes and zero padding up to the buffers."""
    padding = _aligned(_PREFIX.size + len(head)) - _PREFIX.size - len(head)
    return _PREFIX.pack(len(head)) + head + bytes(padding)


def encode_frame(header: Mapping[str, Any], tensors: Mapping[str, np.ndarray[Any, Any]]) -> bytes:
    """Encode a header and named arrays into one frame; the header gains the ``tensors`` table."""
    arrays = [np.asarray(a, order="C") for a in tensors.values()]  # asarray keeps 0-d as 0-d
    layout, size = [], 0
    for name, a in zip(tensors, arrays, strict=True):
        layout.append((name, _dtype_name(a), tuple(a.shape), size, a.nbytes))
        size = _aligned(size + a.nbytes)
    head = _head(header, _table_json(tuple(layout)))
    out = bytearray(len(head) + size)
    out[: len(head)] = head
    for (_, dtype, _, offset, nbytes), a in zip(layout, arrays, strict=True):
        at = len(head) + offset
        out[at : at + nbytes] = a.astype(DTYPES[dtype], copy=False).tobytes()
    return bytes(out)


@lru_cache(maxsize=256)
def _table_json(layout: Layout) -> str:
    """A session's frames share one layout, so its table's JSON is made once."""
    table = [
        {"name": name, "dtype": dtype, "shape": list(shape), "offset": offset, "nbytes": nbytes}
        for name, dtype, shape, offset, nbytes in layout
    ]
    return json.dumps(table, separators=(",", ":"))


def reheader(fields: Mapping[str, Any], parts: FrameParts) -> bytes:
    """A v2 frame with a new header (``fields`` plus the old tensor table) over the same buffer bytes."""
    table = json.dumps(parts.header.get("tensors", []), separators=(",", ":"))
    return b"".join((_head(fields, table), parts.buffers))  # the buffers are copied once, as they are


def restamp(parts: FrameParts, head: bytes, fields: Mapping[str, Any]) -> bytes:
    """``reheader({**parts.header, **fields}, parts)`` where ``head`` is the UTF-8 JSON text that
    ``parts.header`` was parsed from: when no key of ``fields`` is in the header (a driver's frame), the
    fields are appended to that text instead of writing the whole header again."""
    if any(key in parts.header for key in fields):
        return reheader({**parts.header, **fields}, parts)
    body = head.rstrip(_JSON_SPACE)
    if not body.endswith(b"}"):
        raise ValueError("the header text is not a JSON object")
    inner = body[:-1].rstrip(_JSON_SPACE)
    members = dumps(fields)[1:-1].encode()  # '"type":"frame",...' without its braces
    comma = b"," if members and not inner.endswith(b"{") else b""
    head = inner + comma + members + b"}"
    return b"".join((_framed(head), parts.buffers))  # the buffers are copied once, as they are


def split_frame(message: bytes | bytearray | memoryview, version: int = PROTOCOL) -> FrameParts:
    """Read a frame's header and check its tensor table against the buffers, reading no tensor."""
    buf = memoryview(message).cast("B")
    return with_buffers(json.loads(bytes(header_bytes(buf))), buf, version)


def header_bytes(buf: memoryview) -> memoryview:
    """The header's bytes of frame ``buf``, checked to lie within the frame."""
    if len(buf) < _PREFIX.size:
        raise ValueError("frame shorter than its length prefix")
    (head_len,) = _PREFIX.unpack_from(buf, 0)
    if _PREFIX.size + head_len > len(buf):
        raise ValueError("header length runs past the end of the frame")
    return buf[_PREFIX.size : _PREFIX.size + head_len]


def buffer_section(buf: memoryview, head_len: int) -> memoryview:
    """The buffers of v2 frame ``buf`` whose header takes ``head_len`` bytes: from its 8-aligned end."""
    return buf[min(_aligned(_PREFIX.size + head_len), len(buf)) :]


def with_buffers(header: Any, buf: memoryview, version: int = PROTOCOL) -> FrameParts:
    """Frame ``buf`` split at its (already parsed) ``header``: the table checked against the buffers."""
    if version not in READABLE:
        raise ValueError(f"protocol version {version} is not supported")
    if not isinstance(header, dict):
        raise ValueError("the frame header must be a JSON object")
    buffers = buffer_section(buf, len(header_bytes(buf))) if version >= 2 else buf
    for entry in header.get("tensors", []):
        _check_entry(entry, len(buffers))
    return FrameParts(header, buffers)


def _check_entry(entry: dict[str, Any], room: int) -> None:
    """One table entry: a known dtype, a whole shape, its bytes aligned and within ``room``."""
    dtype = DTYPES.get(entry["dtype"])
    if dtype is None:
        raise ValueError(f"unknown dtype {entry['dtype']!r}")
    offset, nbytes, shape = entry["offset"], entry["nbytes"], entry["shape"]
    if not all(isinstance(v, int) and not isinstance(v, bool) and v >= 0 for v in (offset, nbytes, *shape)):
        raise ValueError(f"tensor {entry['name']!r} has a bad offset, size or shape")
    count = math.prod(shape)
    if offset % ALIGN or offset + nbytes > room or count * dtype.itemsize != nbytes:
        raise ValueError(f"tensor {entry['name']!r} does not fit the frame")


def decode_frame(
    message: bytes | bytearray | memoryview, version: int = PROTOCOL
) -> tuple[dict[str, Any], dict[str, FrameTensor]]:
    """Decode a frame into its header and named tensors (zero-copy views of ``message``)."""
    header, buffers = split_frame(message, version)
    tensors = {}
    for entry in header.get("tensors", []):
        dtype = DTYPES[entry["dtype"]]
        count = math.prod(entry["shape"])
        array = np.frombuffer(buffers, dtype=dtype, count=count, offset=entry["offset"])
        tensors[entry["name"]] = FrameTensor(entry["dtype"], array.reshape(tuple(entry["shape"])))
    return header, tensors
