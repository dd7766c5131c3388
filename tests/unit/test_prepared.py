"""Prepared frames: the bytes built once per frame are the websocket message the library itself would send,
and a viewer writes them straight to its socket only while uvicorn's protocol would write at once."""

import asyncio
import json
from types import SimpleNamespace
from typing import Any, NamedTuple

import pytest
import uvicorn
from starlette.websockets import WebSocket
from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol
from uvicorn.server import ServerState
from websockets.frames import Opcode
from websockets.protocol import Protocol, Side, State
from websockets.server import ServerProtocol

from app.protocol.server import Pong
from app.realtime.asgi_send import KeepAsgiSend
from app.realtime.prepared import WireWriter, prepared_frame, wire_writer_of
from app.realtime.viewer import Viewer

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


def test_a_write_that_raises_does_not_raise_into_the_rooms_loop_and_leaves_the_frame_to_the_asgi_path():
    class Failing(Transport):
        def write(self, data: bytes) -> None:
            raise RuntimeError("the transport refused")

    writable = asyncio.Event()
    writable.set()

    assert writer(open_server(), writable, Failing()).write(prepared_frame(b"frame").wire) is False


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


class Connection(NamedTuple):
    """One websocket accepted by uvicorn's sans-I/O protocol over a ``SocketTransport``: the app's socket,
    the ASGI ``send`` it was called with, and the writer found for that send before and after accepting."""

    protocol: WebSocketsSansIOProtocol
    transport: SocketTransport
    ws: WebSocket
    send: Any
    before: object
    after: object


async def accepted_connection(offer: str = "") -> Connection:
    """A connection accepted by a real uvicorn protocol (permessage-deflate on, as plain uvicorn runs; the
    client offers ``offer``), its app waiting until the client goes; end it with ``hang_up``."""
    parts: dict[str, Any] = {}
    accepted = asyncio.Event()

    async def app(scope: dict, receive, send) -> None:
        ws = WebSocket(scope, receive, send)
        parts.update(ws=ws, send=send, before=wire_writer_of(send))
        await ws.accept()
        parts["after"] = wire_writer_of(send)
        accepted.set()
        await ws.receive()  # until the client goes

    config = uvicorn.Config(
        KeepAsgiSend(app),  # as the app keeps it: a viewer's frames go to uvicorn's own send
        ws_per_message_deflate=True,
        ws_ping_interval=None,
        lifespan="off",
        log_level="warning",
    )
    config.load()
    protocol = WebSocketsSansIOProtocol(config, ServerState(), {}, asyncio.get_running_loop())
    transport = SocketTransport()
    protocol.connection_made(transport)  # type: ignore[arg-type]
    protocol.data_received(HANDSHAKE.format(extensions=offer).encode())
    await asyncio.wait_for(accepted.wait(), 5)
    return Connection(protocol, transport, **parts)


async def hang_up(connection: Connection) -> None:
    """The client goes: the app returns."""
    connection.transport.closing = True
    if not connection.protocol.disconnected:
        connection.protocol.connection_lost(None)
    await asyncio.gather(*connection.protocol.tasks)


@pytest.mark.parametrize("deflate", [False, True])
def test_uvicorns_protocol_gets_a_writer_once_accepted_and_only_without_compression(run_async, deflate: bool):
    async def scenario() -> tuple[object, object, list[bytes]]:
        offer = "Sec-WebSocket-Extensions: permessage-deflate\r\n" if deflate else ""
        connection = await accepted_connection(offer)
        if isinstance(connection.after, WireWriter):
            connection.after.write(prepared_frame(b"straight").wire)
        await hang_up(connection)
        return connection.before, connection.after, connection.transport.written

    before, after, written = run_async(scenario())
    assert before is None  # not accepted yet: the handshake's response is still to be written
    assert written[0].startswith(b"HTTP/1.1 101")
    if deflate:  # permessage-deflate negotiated: frames keep going through uvicorn, compressed
        assert b"permessage-deflate" in written[0]
        assert after is None
    else:
        assert isinstance(after, WireWriter)
        assert written[-1] == b"\x82\x08straight"


def client_close() -> bytes:
    """A client's close frame (masked, code 1000)."""
    client = Protocol(Side.CLIENT, state=State.OPEN)
    client.send_close(1000)
    return b"".join(client.data_to_send())


def begun(send: Any, message: dict) -> str:
    """What uvicorn's own ``send`` does with ``message`` as it is begun: "sent" at once, "waits", or the
    name of what it raises (the ASGI path's verdict, which a direct write must never contradict)."""
    coroutine = send(message)
    try:
        coroutine.send(None)
    except StopIteration:
        return "sent"
    except Exception as error:
        return type(error).__name__
    coroutine.close()
    return "waits"


async def end_it(connection: Connection, how: str) -> str:
    """Bring the connection to a state in which uvicorn would not write a frame at once; what its own send
    then does with one."""
    protocol = connection.protocol
    if how == "buffer full":
        protocol.pause_writing()
    elif how == "client closed":
        protocol.data_received(client_close())
    elif how == "server closed":
        await connection.send({"type": "websocket.close", "code": 1000})
    elif how == "client broke the protocol":  # an unmasked frame: uvicorn fails the connection (1002)
        protocol.data_received(b"\x82\x01x")
    elif how == "keepalive timed out":
        protocol.keepalive_timeout()
    elif how == "shutting down":
        protocol.shutdown()
    else:  # lost: by then its transport says it is closing (asyncio's, uvloop's and their TLS ones do)
        connection.transport.closing = True
        protocol.connection_lost(ConnectionResetError())
    return begun(connection.send, prepared_frame(b"frame").message)


ENDS = [
    "buffer full",
    "client closed",
    "server closed",
    "client broke the protocol",
    "keepalive timed out",
    "shutting down",
    "connection lost",
]


@pytest.mark.parametrize("how", ENDS)
def test_a_writer_writes_nothing_once_uvicorns_own_send_would_not_write_at_once(run_async, how: str):
    async def scenario() -> tuple[bytes, bytes, str, bool, list[bytes]]:
        connection = await accepted_connection()
        writer, wire = connection.after, prepared_frame(b"frame").wire
        assert isinstance(writer, WireWriter)
        written = connection.transport.written
        writer.write(wire)
        direct = written[-1]
        assert begun(connection.send, prepared_frame(b"frame").message) == "sent"
        through_uvicorn = written[-1]
        verdict = await end_it(connection, how)
        before = len(written)
        wrote = writer.write(wire)
        late = written[before:]
        await hang_up(connection)
        return direct, through_uvicorn, verdict, wrote, late

    direct, through_uvicorn, verdict, wrote, late = run_async(scenario())
    assert direct == through_uvicorn == b"\x82\x05frame"  # while open: the very bytes uvicorn writes
    assert verdict != "sent"  # uvicorn's send would wait (a full buffer) or raise (a close begun, gone)
    assert (wrote, late) == (False, [])  # so the writer leaves the frame to it


def messages_written(written: list[bytes]) -> list[object]:
    """What a client reads from the bytes a server wrote after its handshake: bytes, or a text's type."""
    client = Protocol(Side.CLIENT, state=State.OPEN, max_size=None)
    client.receive_data(b"".join(written))
    return [
        bytes(frame.data) if frame.opcode is Opcode.BINARY else json.loads(frame.data)["type"]
        for frame in client.events_received()
    ]


def test_frames_written_straight_and_through_uvicorn_reach_the_client_in_the_order_offered(run_async):
    """A full buffer sends frames through uvicorn's send (which waits), a reply queued meanwhile keeps its
    place, the newest frames wait in the mailbox; once the buffer drains they follow in order, and the
    next frame for the idle viewer is written straight again."""

    async def scenario() -> tuple[list[object], list[bytes], bool]:
        connection = await accepted_connection()
        protocol, written = connection.protocol, connection.transport.written
        viewer = Viewer(connection.ws)
        sender = asyncio.create_task(viewer.send_loop())
        await asyncio.sleep(0)  # it finds nothing to send and waits
        start = len(written)
        for n in b"12":
            viewer.offer_frame(*prepared_frame(bytes([n])))  # written at once
        protocol.pause_writing()  # the client reads slowly
        viewer.offer_frame(*prepared_frame(b"3"))  # uvicorn's send waits for room
        viewer.reply(Pong(id="p"))
        for n in b"4567":  # queued behind it (the oldest beyond FRAME_DEPTH dropped)
            viewer.offer_frame(*prepared_frame(bytes([n])))
        for _ in range(3):
            await asyncio.sleep(0)
        held = written[start + 2 :]  # nothing more while the buffer is full: the memory stays bounded
        protocol.resume_writing()
        for _ in range(10):  # the sender finishes the waiting send, sends what is queued, and waits again
            await asyncio.sleep(0)
        viewer.offer_frame(*prepared_frame(b"8"))
        at_once = written[-1] == prepared_frame(b"8").wire
        sender.cancel()
        await asyncio.gather(sender, return_exceptions=True)
        await hang_up(connection)
        return messages_written(written[start:]), held, at_once

    messages, held, at_once = run_async(scenario())
    assert held == []
    assert messages == [b"1", b"2", b"3", "pong", b"5", b"6", b"7", b"8"]
    assert at_once


READ_OF_UVICORN = ["conn", "writable", "transport", "handshake_complete", "initial_response"]


@pytest.mark.parametrize("renamed", READ_OF_UVICORN)
def test_a_uvicorn_that_renamed_what_the_writer_reads_gets_no_writer_and_its_frames_take_the_asgi_path(
    run_async, renamed: str
):
    async def scenario() -> object:
        connection = await accepted_connection()
        protocol = connection.protocol
        kept = getattr(protocol, renamed)
        delattr(protocol, renamed)
        found = wire_writer_of(connection.send)
        setattr(protocol, renamed, kept)
        await hang_up(connection)
        return found

    assert run_async(scenario()) is None
