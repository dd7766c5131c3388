"""Recording file (docs/protocol.md, "Recording file"): a page's received messages with their times.

::

    "NNLREC"  u16 version (2)  u32 M  M bytes UTF-8 JSON meta  zero padding to 8
    records:  f64 t (ms)  u32 n  u8 kind (0 text, 1 frame)  3 zero bytes  n bytes  zero padding to 8

A text record is a server message as received (JSON); a frame record is a binary frame, byte for byte.
The file's version is the protocol version of its frames: version 1 files (frames of protocol v1) still read.
The browser writes these files (static/js/record/recording.js); this module reads and writes them in Python.
"""

import json
import struct
from collections.abc import Iterable
from typing import Any, NamedTuple

from app.protocol.codec import PROTOCOL, READABLE

MAGIC = b"NNLREC"
VERSION = PROTOCOL
KINDS = ("text", "frame")
_FILE_HEAD = struct.Struct("<6sHI")
_RECORD_HEAD = struct.Struct("<dIB3x")


class Record(NamedTuple):
    """One received message: ms since the recording began, ``text`` or ``frame``, its bytes, and the
    protocol version its frame is in (the file's version)."""

    t: float
    kind: str
    data: bytes
    protocol: int = PROTOCOL


def _padding(n: int) -> bytes:
    return bytes(-n % 8)


def write_recording(meta: dict[str, Any], records: Iterable[Record]) -> bytes:
    """Encode a recording."""
    meta_bytes = json.dumps(meta, separators=(",", ":"), ensure_ascii=False).encode()
    parts = [_FILE_HEAD.pack(MAGIC, VERSION, len(meta_bytes)), meta_bytes, _padding(len(meta_bytes) + 12)]
    for record in records:
        parts += [_RECORD_HEAD.pack(record.t, len(record.data), KINDS.index(record.kind))]
        parts += [record.data, _padding(len(record.data))]
    return b"".join(parts)


def read_recording(data: bytes) -> tuple[dict[str, Any], list[Record]]:
    """Decode a recording into its meta and records; a damaged or foreign file raises ValueError."""
    if len(data) < _FILE_HEAD.size:
        raise ValueError("not an nnlive recording")
    magic, version, meta_length = _FILE_HEAD.unpack_from(data)
    if magic != MAGIC:
        raise ValueError("not an nnlive recording")
    if version not in READABLE:
        raise ValueError(f"recording version {version} is not supported")
    at = _FILE_HEAD.size + meta_length
    meta = json.loads(_within(data, _FILE_HEAD.size, meta_length))
    at += -at % 8
    records = []
    while at < len(data):
        if at + _RECORD_HEAD.size > len(data):
            raise ValueError("recording cut short")
        t, n, kind = _RECORD_HEAD.unpack_from(data, at)
        if kind >= len(KINDS):
            raise ValueError(f"unknown record kind {kind}")
        records.append(Record(t, KINDS[kind], _within(data, at + _RECORD_HEAD.size, n), version))
        at += _RECORD_HEAD.size + n + (-n % 8)
    return meta, records


def _within(data: bytes, start: int, length: int) -> bytes:
    if start + length > len(data):
        raise ValueError("recording cut short")
    return bytes(data[start : start + length])
