"""Prepared frames: the bytes built once per frame are the websocket message the library itself would send,
and a viewer writes them straight to its socket only while uvicorn's protocol would write at once."""

import asyncio
from types import SimpleNamespace

import pytest
import uvicorn
from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol
from uvicorn.server import ServerState
from websockets.frames import Opcode
from websockets.protocol import Protocol, Side, State
from websockets.server import ServerProtocol

from app.realtime.prepared import WireWriter, prepared_frame, wire_writer_of

# every length encoding: 7-bit, 16-bit (from 126) and 64-bit (from 65,536)
SIZES = [0, 1, 125, 126, 127, 65_535, 65_536, 300_000]


def open_server() -> ServerProtocol:
    conn = ServerProtocol()
    conn.state = State.OPEN
    return conn


@pytest.mark.parametrize("size", SIZES)
def test_the_prepared_bytes_are_what_the_websocket_library_sends_for_that_frame(size: int):
    payload = bytes(range(256)) * (size // 256) + bytes(size % 256)
    library = open_server()
    library.send_binary(payload)

    prepared = prepared_frame(payload)

    assert prepared.wire == b"".join(library.data_to_send())
    assert prepared.message == {"type": "websocket.send", "bytes": payload}


@pytest.mark.parametrize("size", SIZES)
def test_a_websocket_client_reads_the_prepared_bytes_back_as_the_frame(size: int):
    payload = bytes([7]) * size
    client = Protocol(Side.CLIENT, state=State.OPEN, max_size=None)  # past the handshake

    client.receive_data(prepared_frame(payload).wire)

    [received] = client.events_received()
    assert (received.opcode, received.fin, received.data) == (Opcode.BINARY, True, payload)


class Transport:
    """An asyncio transport's write side, recording what is written."""

    def __init__(self) -> None:
        self.written: list[bytes] = []
        self.closing = False

    def write(self, data: bytes) -> None:
        self.written.append(data)

    def is_closing(self) -> bool:
        return self.closing


def writer(conn: ServerProtocol, writable: asyncio.Event, transport: Transport) -> WireWriter:
    return WireWriter(SimpleNamespace(conn=conn, writable=writable, transport=transport))


def test_a_writer_writes_while_the_connection_is_open_and_its_buffer_has_room():
    conn, writable, transport = open_server(), asyncio.Event(), Transport()
    writable.set()
    wire = prepared_frame(b"frame").wire

    assert writer(conn, writable, transport).write(wire) is True
    assert transport.written == [wire]


@pytest.mark.parametrize("why", ["buffer full", "close begun", "transport closing"])
def test_a_writer_leaves_the_frame_to_the_asgi_path_when_uvicorn_would_not_write_at_once(why: str):
    conn, writable, transport = open_server(), asyncio.Event(), Transport()
    writable.set()
    if why == "buffer full":  # uvicorn's pause_writing: its send would wait
        writable.clear()
    elif why == "close begun":  # uvicorn's websocket.close: its send raises ClientDisconnected after it
        conn.send_close(1000)
    else:  # connection lost, or a keepalive time-out closing it
        transport.closing = True

    assert writer(conn, writable, transport).write(prepared_frame(b"frame").wire) is False
    assert transport.written == []


def test_only_uvicorns_own_sans_io_protocol_gets_a_writer():
    async def plain_send(message: dict) -> None:
        pass

    lookalike = SimpleNamespace(
        conn=open_server(), writable=asyncio.Event(), transport=Transport(), handshake_complete=True
    )
    lookalike.send = plain_send

    assert wire_writer_of(plain_send) is None  # another server's send, or a wrapped one
    assert wire_writer_of(lookalike.send) is None  # not uvicorn's protocol
    assert wire_writer_of(None) is None  # a socket without a kept send


class SocketTransport(Transport):
    """What uvicorn's protocol asks of a TCP transport, with nothing behind it."""

    def get_extra_info(self, name: str, default: object = None) -> object:
        return {"sockname": ("127.0.0.1", 8000), "peername": ("127.0.0.1", 50000)}.get(name, default)

    def close(self) -> None:
        self.closing = True

    def pause_reading(self) -> None:
        pass

    def resume_reading(self) -> None:
        pass


HANDSHAKE = (
    "GET /ws HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n{extensions}\r\n"
)


@pytest.mark.parametrize("deflate", [False, True])
def test_uvicorns_protocol_gets_a_writer_once_accepted_and_only_without_compression(run_async, deflate: bool):
    async def scenario() -> tuple[object, object, list[bytes]]:
        found: list[object] = []
        accepted = asyncio.Event()

        async def app(scope: dict, receive, send) -> None:
            await receive()  # websocket.connect
            found.append(wire_writer_of(send))
            await send({"type": "websocket.accept"})
            found.append(wire_writer_of(send))
            accepted.set()
            await receive()  # until the client goes

        config = uvicorn.Config(app, ws_per_message_deflate=True, lifespan="off", log_level="warning")
        config.load()
        protocol = WebSocketsSansIOProtocol(config, ServerState(), {}, asyncio.get_running_loop())
        transport = SocketTransport()
        protocol.connection_made(transport)  # type: ignore[arg-type]
        offer = "Sec-WebSocket-Extensions: permessage-deflate\r\n" if deflate else ""
        protocol.data_received(HANDSHAKE.format(extensions=offer).encode())
        await asyncio.wait_for(accepted.wait(), 5)
        before, after = found
        if isinstance(after, WireWriter):
            after.write(prepared_frame(b"straight").wire)
        protocol.connection_lost(None)
        await asyncio.gather(*protocol.tasks)
        return before, after, transport.written

    before, after, written = run_async(scenario())
    assert before is None  # not accepted yet: the handshake's response is still to be written
    assert written[0].startswith(b"HTTP/1.1 101")
    if deflate:  # permessage-deflate negotiated: frames keep going through uvicorn, compressed
        assert b"permessage-deflate" in written[0]
        assert after is None
    else:
        assert isinstance(after, WireWriter)
        assert written[-1] == b"\x82\x08straight"
