"""Frames from a script: the driver of an external run (the SDK) sends binary frames, which are checked
and handed to the session, whose viewers then get them exactly like a model's frames.

Checks, before anything is kept: the session's driver stays within ``max_frame_bytes_per_s`` (one script
cannot starve the others); the frame is within ``max_frame_bytes``; its header is strict JSON with a
well-formed tensor table whose every tensor fits the buffers (app/protocol/frame_header.py, protocol
v2; the header is parsed once); the header's ``scalars`` and ``grad_norms`` hold finite numbers; tensors
are few, their names short, printable and distinct, their ranks at most 4. The session swaps the header
for one with its own ``type``, ``session`` and ``seq``; the tensor bytes pass through untouched (never
decoded). The run keeps the curve points for pages that open late.
"""

import math
from typing import Any

from app.errors import BadRequest, Forbidden, LimitReached
from app.protocol.frame_header import FrameHeaderError, read_frame
from app.sessions.session import Session

MAX_TENSORS = 512
MAX_NAME_CHARS = 200
MAX_RANK = 4
MAX_HEADER_CHARS = 256 * 1024


def relay_frame(
    session: Session, driver: bool, payload: bytes, max_bytes: int, bytes_per_s: float = math.inf
) -> None:
    """Validate a binary frame sent by a client and publish it as the session's newest frame."""
    if not driver:
        raise Forbidden("only the driver may send frames: send auth with the session's control token")
    if not session.spec.relayed:
        raise BadRequest(
            f"model {session.spec.name!r} makes its own frames: binary messages are not accepted", "type"
        )
    if error := frame_too_long(len(payload), max_bytes):
        raise error
    session.charge_frame_bytes(len(payload), bytes_per_s, max_bytes)
    try:  # strict JSON, types and sizes, the table against the buffers; no tensor is read
        frame = read_frame(payload, MAX_HEADER_CHARS, MAX_TENSORS, MAX_RANK)
    except FrameHeaderError as exc:
        raise BadRequest(f"not a valid frame: {exc}", "frame") from None
    header = frame.parts.header
    _check_names(header.get("tensors", []))
    _check_step(header.get("step", 0))
    scalars, norms = _numbers(header, "scalars"), _numbers(header, "grad_norms")
    if not isinstance(header.get("modules", []), list):
        raise BadRequest("modules must be a list", "frame")
    session.relay_frame(frame)
    session.live.record(header.get("step", 0), scalars, norms)


def frame_too_long(size: int, max_bytes: int) -> LimitReached | None:
    """The refusal of a frame of ``size`` bytes over ``max_bytes``, or None."""
    if size > max_bytes:
        return LimitReached(f"a frame of {size} bytes exceeds the limit of {max_bytes}", "frame")
    return None


def _check_names(table: list[dict[str, Any]]) -> None:
    """The tensor table (read_frame checked its types, ranks, length and fit): short unique names."""
    names = [entry["name"] for entry in table]
    if len(set(names)) != len(names):
        raise BadRequest("tensor names must be different strings", "frame")
    for name in names:
        if not 0 < len(name) <= MAX_NAME_CHARS or not name.isprintable():
            raise BadRequest(f"tensor names must be 1–{MAX_NAME_CHARS} printable characters", "frame")


def _numbers(header: dict, key: str) -> dict[str, float | None]:
    """``header[key]`` if it is a small object of finite numbers (or nulls) by name, else bad_request."""
    values = header.get(key, {})
    if not isinstance(values, dict) or len(values) > MAX_TENSORS:
        raise BadRequest(f"{key} must be an object of at most {MAX_TENSORS} numbers by name", "frame")
    for name, value in values.items():
        number = isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
        if not (number or value is None) or len(name) > MAX_NAME_CHARS:
            raise BadRequest(f"{key}.{name[:MAX_NAME_CHARS]} must be a finite number or null", "frame")
    return values


def _check_step(step: Any) -> None:
    if isinstance(step, bool) or not isinstance(step, int) or step < 0:
        raise BadRequest("step must be a whole number ≥ 0", "frame")
