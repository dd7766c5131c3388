"""What workers send each other on the bus: a JSON header and, after it, raw bytes (a body, a frame)."""

import json
import struct
from typing import Any

_LENGTH = struct.Struct(">I")


def pack(header: dict[str, Any], body: bytes = b"") -> bytes:
    """One message: the header's length, the header as JSON, then ``body`` untouched."""
    head = json.dumps(header, separators=(",", ":")).encode()
    return _LENGTH.pack(len(head)) + head + body


def unpack(message: bytes) -> tuple[dict[str, Any], bytes]:
    """The header and the body of a message made by ``pack``."""
    (length,) = _LENGTH.unpack_from(message)
    end = _LENGTH.size + length
    return json.loads(message[_LENGTH.size : end]), message[end:]
