"""A binary frame that a client sent, split once: its header parsed as strict JSON
(app/protocol/bounds.py), checked to be an object with a tensor table whose every entry has the right
types and sizes (a ``shape`` of ``[10**400]`` or a header nested 100,000 deep is refused here, not deep in
numpy), then the table checked against the buffers by the codec. No tensor is read."""

import math
from typing import Any

from app.protocol.bounds import JsonError, loads
from app.protocol.codec import DTYPES, FrameParts, header_bytes, with_buffers

MAX_DIM = 2**31 - 1


class FrameHeaderError(ValueError):
    """A frame whose header cannot be accepted; the message says why."""


def read_frame(payload: bytes, max_chars: int, max_tensors: int, max_rank: int) -> FrameParts:
    """The frame split at its header, if that is a JSON object of at most ``max_chars`` bytes with a
    well-formed table that fits the buffers; else FrameHeaderError."""
    buf = memoryview(payload).cast("B")
    try:
        raw = header_bytes(buf)
    except ValueError as exc:
        raise FrameHeaderError(str(exc)) from None
    if len(raw) > max_chars:
        raise FrameHeaderError(f"a frame header may take at most {max_chars} bytes")
    try:
        header = loads(bytes(raw))
    except JsonError as exc:
        raise FrameHeaderError(f"the header is not accepted: {exc}") from None
    if not isinstance(header, dict):
        raise FrameHeaderError("the frame header must be a JSON object")
    table = header.get("tensors", [])
    if not isinstance(table, list) or len(table) > max_tensors:
        raise FrameHeaderError(f"tensors must be a list of at most {max_tensors} entries")
    for entry in table:
        _check_entry(entry, len(buf), max_rank)
    try:
        return with_buffers(header, buf)
    except ValueError as exc:
        raise FrameHeaderError(str(exc)) from None


def _whole(value: Any, top: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= top


def _check_entry(entry: Any, size: int, max_rank: int) -> None:
    if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
        raise FrameHeaderError("each tensor entry is an object with a name")
    name, dtype, shape = entry["name"][:200], entry.get("dtype"), entry.get("shape")
    if dtype not in DTYPES:
        raise FrameHeaderError(f"tensor {name!r}: dtype must be one of {', '.join(DTYPES)}")
    if not isinstance(shape, list) or len(shape) > max_rank or not all(_whole(d, MAX_DIM) for d in shape):
        raise FrameHeaderError(f"tensor {name!r}: shape must be at most {max_rank} whole numbers")
    if not (_whole(entry.get("offset"), size) and _whole(entry.get("nbytes"), size)):
        raise FrameHeaderError(f"tensor {name!r}: offset and nbytes must lie within the frame")
    if math.prod(shape) * DTYPES[dtype].itemsize != entry["nbytes"]:
        raise FrameHeaderError(f"tensor {name!r}: nbytes does not match its shape and dtype")
