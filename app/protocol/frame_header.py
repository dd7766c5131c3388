"""A binary frame that a client sent, split once: its header parsed as strict JSON
(app/protocol/bounds.py), checked to be an object with a tensor table whose every entry has the right
types and sizes (a ``shape`` of ``[10**400]`` or a header nested 100,000 deep is refused here, not deep in
numpy), and each entry aligned and within the buffers. No tensor is read."""

import math
from typing import Any, NamedTuple, TypeGuard

from app.protocol.bounds import JsonError, loads
from app.protocol.codec import ALIGN, DTYPES, FrameParts, buffer_section, header_bytes

MAX_DIM = 2**31 - 1


class FrameHeaderError(ValueError):
    """A frame whose header cannot be accepted; the message says why."""


class ReadFrame(NamedTuple):
    """A checked frame: its parts and the header's UTF-8 JSON text as sent (``codec.restamp``)."""

    parts: FrameParts
    head: bytes


def read_frame(payload: bytes, max_chars: int, max_tensors: int, max_rank: int) -> ReadFrame:
    """The frame split at its header, if that is UTF-8 text of a JSON object of at most ``max_chars``
    bytes with a well-formed table that fits the buffers; else FrameHeaderError."""
    buf = memoryview(payload).cast("B")
    try:
        head = bytes(header_bytes(buf))
    except ValueError as exc:
        raise FrameHeaderError(str(exc)) from None
    if len(head) > max_chars:
        raise FrameHeaderError(f"a frame header may take at most {max_chars} bytes")
    try:
        header = loads(head.decode())  # UTF-8 only: the text is passed on to pages as it is
    except UnicodeDecodeError:
        raise FrameHeaderError("the header is not UTF-8 text") from None
    except JsonError as exc:
        raise FrameHeaderError(f"the header is not accepted: {exc}") from None
    if not isinstance(header, dict):
        raise FrameHeaderError("the frame header must be a JSON object")
    table = header.get("tensors", [])
    if not isinstance(table, list) or len(table) > max_tensors:
        raise FrameHeaderError(f"tensors must be a list of at most {max_tensors} entries")
    buffers = buffer_section(buf, len(head))
    for entry in table:
        _check_entry(entry, len(buffers), max_rank)
    return ReadFrame(FrameParts(header, buffers), head)


def _whole(value: Any, top: int) -> TypeGuard[int]:
    """A parsed JSON whole number in 0..top: exactly an ``int`` (``true`` parses as a ``bool``, not one)."""
    return type(value) is int and 0 <= value <= top


def _check_entry(entry: Any, room: int, max_rank: int) -> None:
    """One table entry: its types and sizes, its bytes aligned and within the ``room`` bytes of buffers."""
    if type(entry) is not dict or type(entry.get("name")) is not str:
        raise FrameHeaderError("each tensor entry is an object with a name")
    dtype, shape = entry.get("dtype"), entry.get("shape")
    if dtype not in DTYPES:
        raise FrameHeaderError(f"tensor {_name(entry)}: dtype must be one of {', '.join(DTYPES)}")
    if type(shape) is not list or len(shape) > max_rank or not all(_whole(d, MAX_DIM) for d in shape):
        raise FrameHeaderError(f"tensor {_name(entry)}: shape must be at most {max_rank} whole numbers")
    offset, nbytes = entry.get("offset"), entry.get("nbytes")
    if not (_whole(offset, room) and _whole(nbytes, room)):
        raise FrameHeaderError(f"tensor {_name(entry)}: offset and nbytes must lie within the frame")
    if offset % ALIGN or offset + nbytes > room:
        raise FrameHeaderError(f"tensor {_name(entry)} does not fit the frame")
    if math.prod(shape) * DTYPES[dtype].itemsize != nbytes:
        raise FrameHeaderError(f"tensor {_name(entry)}: nbytes does not match its shape and dtype")


def _name(entry: dict[str, Any]) -> str:
    """The entry's name as an error message shows it (at most 200 characters, quoted)."""
    return repr(entry["name"][:200])
