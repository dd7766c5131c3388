"""The header of a binary frame that a client sent, checked before the codec touches it: strict JSON
(app/protocol/bounds.py), an object, and a tensor table whose every entry has the right types and sizes
(a ``shape`` of ``[10**400]`` or a header nested 100,000 deep is refused here, not deep in numpy)."""

import math
import struct
from typing import Any

from app.protocol.bounds import JsonError, loads
from app.protocol.codec import DTYPES

_PREFIX = struct.Struct("<I")
MAX_DIM = 2**31 - 1


class FrameHeaderError(ValueError):
    """A frame whose header cannot be accepted; the message says why."""


def read_header(payload: bytes, max_chars: int, max_tensors: int, max_rank: int) -> dict[str, Any]:
    """The frame's header if it is a JSON object of at most ``max_chars`` with a well-formed table."""
    if len(payload) < _PREFIX.size:
        raise FrameHeaderError("frame shorter than its length prefix")
    (length,) = _PREFIX.unpack_from(payload, 0)
    if length > max_chars:
        raise FrameHeaderError(f"a frame header may take at most {max_chars} bytes")
    if _PREFIX.size + length > len(payload):
        raise FrameHeaderError("header length runs past the end of the frame")
    try:
        header = loads(bytes(payload[_PREFIX.size : _PREFIX.size + length]))
    except JsonError as exc:
        raise FrameHeaderError(f"the header is not accepted: {exc}") from None
    if not isinstance(header, dict):
        raise FrameHeaderError("the frame header must be a JSON object")
    table = header.get("tensors", [])
    if not isinstance(table, list) or len(table) > max_tensors:
        raise FrameHeaderError(f"tensors must be a list of at most {max_tensors} entries")
    for entry in table:
        _check_entry(entry, len(payload), max_rank)
    return header


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
