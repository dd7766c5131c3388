"""A frame's websocket bytes built once per frame and written straight to every idle viewer's socket.

Through ASGI, uvicorn frames the message again for each viewer (its websocket library builds the header
and copies the payload behind it) before writing it to the socket. Every viewer of a room gets the same
bytes (a server never masks; no extension is negotiated, permessage-deflate being off), so the room
builds them once (``prepared_frame``, with the websocket library's own serializer) and a ``WireWriter``
writes them to each viewer's transport: a prepared message, as high-fan-out websocket servers do.

Only for uvicorn's sans-I/O websockets protocol (its ``--ws auto`` since 0.50, with ``websockets``
installed, as ``nnlive serve`` runs), and only while that protocol would itself write at once: the
connection open, no close begun, the transport neither closing nor paused for a full buffer. Otherwise
``write`` returns False and the frame takes the ASGI path (which waits, or raises for a gone client), in
order: a viewer writes directly only while nothing of its own is queued or being sent.
"""

import asyncio
from asyncio import Transport
from typing import Any, NamedTuple

from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol
from websockets.frames import Frame, Opcode
from websockets.protocol import State
from websockets.server import ServerProtocol

from app.realtime.asgi_send import frame_message


class PreparedFrame(NamedTuple):
    """A frame as every viewer is sent it: its ASGI ``websocket.send`` message and its websocket bytes."""

    message: dict[str, Any]
    wire: bytes


def prepared_frame(frame: bytes) -> PreparedFrame:
    """``frame``'s ASGI message and its bytes as one unmasked binary websocket message (header, payload)."""
    return PreparedFrame(frame_message(frame), Frame(Opcode.BINARY, frame).serialize(mask=False))


class WireWriter:
    """Writes prepared websocket messages to one uvicorn connection while it could write them itself."""

    __slots__ = ("_conn", "_transport", "_writable")

    def __init__(self, protocol: Any) -> None:
        self._conn = protocol.conn  # the websockets sans-I/O state machine: OPEN until a close begins
        self._writable = protocol.writable  # cleared while the transport's buffer is over its limit
        self._transport: Transport = protocol.transport

    def write(self, wire: bytes) -> bool:
        """Write ``wire`` (a ``PreparedFrame``'s) now, or return False: send it through ASGI instead."""
        if self._conn.state is State.OPEN and self._writable.is_set() and not self._transport.is_closing():
            try:
                self._transport.write(wire)
            except Exception:  # none known while open; the ASGI path meets it in the viewer's own task
                return False
            return True
        return False


def wire_writer_of(asgi_send: object) -> WireWriter | None:
    """A writer for the connection behind an accepted websocket's ASGI ``send``, or None when that is not
    uvicorn's sans-I/O protocol itself (another server or protocol, a wrapped send), extensions were
    negotiated (its frames would differ), or the protocol lacks what the writer reads (a uvicorn that
    renamed it): such a connection's frames all take the ASGI path."""
    protocol = getattr(asgi_send, "__self__", None)
    if type(protocol) is not WebSocketsSansIOProtocol:
        return None
    conn, writable = getattr(protocol, "conn", None), getattr(protocol, "writable", None)
    if not isinstance(conn, ServerProtocol) or not isinstance(writable, asyncio.Event):
        return None
    response = getattr(protocol, "initial_response", False)  # None: accepted, no HTTP response instead
    if response is not None or not getattr(protocol, "handshake_complete", False):
        return None
    if conn.extensions or getattr(protocol, "transport", None) is None:
        return None
    return WireWriter(protocol)
