"""A connection's viewer: refused messages counted over a window of the app's clock; frames sent through
the websocket's kept ASGI ``send`` as one message shared by every viewer."""

import asyncio
import json

import pytest
from clock import ManualClock
from fake_send import FakeSend
from starlette.websockets import WebSocket

from app.protocol.server import Pong
from app.realtime.asgi_send import SCOPE_KEY, KeepAsgiSend
from app.realtime.prepared import PreparedFrame, prepared_frame
from app.realtime.viewer import ERROR_WINDOW_S, MAX_ERRORS_IN_WINDOW, Viewer


def test_refused_messages_are_counted_within_a_window_of_the_injected_clock():
    clock = ManualClock()
    viewer = Viewer(ws=None, clock=clock)  # the socket is not used
    assert not any(viewer.misbehaving() for _ in range(MAX_ERRORS_IN_WINDOW))
    clock.advance(ERROR_WINDOW_S + 1)
    assert not viewer.misbehaving()  # the earlier ones fell out of the window
    assert any(viewer.misbehaving() for _ in range(MAX_ERRORS_IN_WINDOW))


def websocket_keeping(sent: list) -> WebSocket:
    """A Starlette websocket whose scope keeps an ASGI ``send`` that records what it is given."""

    async def send(message: dict) -> None:
        sent.append(message)

    scope = {"type": "websocket", "path": "/ws", "headers": [], SCOPE_KEY: send}
    return WebSocket(scope, receive=None, send=send)  # type: ignore[arg-type]


def test_a_frame_reaches_every_viewer_through_the_kept_send_as_one_shared_message(run_async):
    async def scenario() -> tuple[list, list, PreparedFrame]:
        first, second = [], []
        viewers = [Viewer(websocket_keeping(first)), Viewer(websocket_keeping(second))]
        message = prepared_frame(b"frame bytes")
        for viewer in viewers:
            viewer.offer_frame(*message)
            viewer.end(None, 1000, "done")  # its send loop returns after the frame
        await asyncio.gather(*(viewer.send_loop() for viewer in viewers))
        return first, second, message

    first, second, prepared = run_async(scenario())
    assert first[0] is prepared.message  # built once, not once per viewer
    assert second[0] is prepared.message
    assert prepared.message == {"type": "websocket.send", "bytes": b"frame bytes"}
    assert first[1]["type"] == second[1]["type"] == "websocket.close"


def test_a_socket_without_a_kept_send_gets_its_frames_through_send_bytes(run_async):
    class Recording:
        def __init__(self) -> None:
            self.sent: list = []

        async def send_bytes(self, data: bytes) -> None:
            self.sent.append(data)

        async def close(self, code: int, reason: str) -> None:
            self.sent.append(code)

    socket = Recording()
    viewer = Viewer(socket)  # type: ignore[arg-type]
    viewer.offer("frame", b"one")
    viewer.offer_frame(*prepared_frame(b"two"))
    viewer.end(None, 1000, "done")
    run_async(viewer.send_loop())
    assert socket.sent == [b"one", b"two", 1000]


def test_the_middleware_keeps_the_send_of_websockets_only(run_async):
    seen: dict[str, dict] = {}

    async def app(scope: dict, receive: object, send: object) -> None:
        seen[scope["type"]] = scope

    async def send(message: dict) -> None:
        pass

    kept = KeepAsgiSend(app)  # type: ignore[arg-type]
    run_async(kept({"type": "websocket"}, None, send))  # type: ignore[arg-type]
    run_async(kept({"type": "http"}, None, send))  # type: ignore[arg-type]
    assert seen["websocket"][SCOPE_KEY] is send
    assert SCOPE_KEY not in seen["http"]


async def idle_viewer(transport: FakeSend) -> tuple[Viewer, asyncio.Task]:
    """An accepted viewer over ``transport`` whose sender task waits for something to send."""

    async def receive() -> dict:
        return {"type": "websocket.connect"}

    scope = {"type": "websocket", "path": "/ws", "headers": [], SCOPE_KEY: transport}
    ws = WebSocket(scope, receive=receive, send=transport)
    await ws.accept()
    viewer = Viewer(ws)
    sender = asyncio.create_task(viewer.send_loop())
    await asyncio.sleep(0)  # it finds nothing to send and waits
    return viewer, sender


def test_a_frame_for_an_idle_viewer_is_sent_at_once_without_waking_its_sender(run_async):
    async def scenario() -> tuple[list, list]:
        transport = FakeSend()
        viewer, sender = await idle_viewer(transport)
        at_once = []
        for n in range(3):
            viewer.offer_frame(*prepared_frame(bytes([n])))
            at_once.append(transport.frames())  # sent before anything else runs
        viewer.end(None, 1000, "done")
        await asyncio.wait_for(sender, 5)
        return at_once, transport.sent

    at_once, sent = run_async(scenario())
    assert at_once == [[b"\x00"], [b"\x00", b"\x01"], [b"\x00", b"\x01", b"\x02"]]
    assert [m["type"] for m in sent] == ["websocket.accept"] + 3 * ["websocket.send"] + ["websocket.close"]


def test_a_send_that_waits_is_finished_by_the_sender_and_later_frames_queue_behind_it(run_async):
    async def scenario() -> tuple[list, list, list, list]:
        transport = FakeSend()
        viewer, sender = await idle_viewer(transport)
        transport.writable.clear()  # the client reads slowly: the transport's buffer is full
        for n in range(1, 7):
            viewer.offer_frame(*prepared_frame(bytes([n])))
        queued = viewer.waiting_frames()  # the newest FRAME_DEPTH behind the one in flight
        for _ in range(3):
            await asyncio.sleep(0)
        stuck = transport.frames()
        transport.writable.set()
        for _ in range(10):
            await asyncio.sleep(0)
        drained = transport.frames()
        viewer.offer_frame(*prepared_frame(b"\x07"))  # idle again: at once
        at_once = transport.frames()
        sender.cancel()
        return queued, stuck, drained, at_once

    queued, stuck, drained, at_once = run_async(scenario())
    assert queued == [b"\x04", b"\x05", b"\x06"]
    assert stuck == []
    assert drained == [b"\x01", b"\x04", b"\x05", b"\x06"]
    assert at_once == [*drained, b"\x07"]


def test_a_frame_never_overtakes_a_reply_queued_before_it(run_async):
    async def scenario() -> list:
        transport = FakeSend()
        viewer, sender = await idle_viewer(transport)
        viewer.reply(Pong(id="p1"))  # wakes the sender; it has not run yet
        viewer.offer_frame(*prepared_frame(b"frame"))
        viewer.end(None, 1000, "done")
        await asyncio.wait_for(sender, 5)
        return [m.get("text") or m.get("bytes") or m["type"] for m in transport.sent[1:]]

    sent = run_async(scenario())
    assert json.loads(sent[0]) == {"type": "pong", "id": "p1"}
    assert sent[1:] == [b"frame", "websocket.close"]


def test_a_send_that_fails_at_once_ends_the_sender_with_its_error(run_async):
    gone = ConnectionResetError("the client went away")

    async def scenario() -> None:
        transport = FakeSend()
        viewer, sender = await idle_viewer(transport)
        transport.error = gone
        viewer.offer_frame(*prepared_frame(b"frame"))  # does not raise here, in the room's loop
        await asyncio.wait_for(sender, 5)

    with pytest.raises(ConnectionResetError) as raised:
        run_async(scenario())
    assert raised.value is gone


@pytest.mark.parametrize("finishing", [True, False], ids=["while-finishing-it", "before-taking-it"])
def test_cancelling_a_sender_ends_the_send_it_was_to_finish(run_async, finishing: bool):
    async def scenario() -> tuple[bool, int, list]:
        transport = FakeSend()
        viewer, sender = await idle_viewer(transport)
        transport.writable.clear()
        viewer.offer_frame(*prepared_frame(b"frame"))
        if finishing:
            await asyncio.sleep(0)  # the sender now awaits the send's wait for the transport
        sender.cancel()
        await asyncio.gather(sender, return_exceptions=True)
        transport.writable.set()
        await asyncio.sleep(0)
        return sender.cancelled(), transport.abandoned, transport.frames()

    assert run_async(scenario()) == (True, 1, [])


def test_once_its_sender_is_cancelled_a_viewer_queues_frames_instead_of_sending_them(run_async):
    async def scenario() -> tuple[list, list]:
        transport = FakeSend()
        viewer, sender = await idle_viewer(transport)
        sender.cancel()
        await asyncio.gather(sender, return_exceptions=True)
        viewer.offer_frame(*prepared_frame(b"late"))  # nobody would finish a send begun now
        return transport.frames(), viewer.waiting_frames()

    assert run_async(scenario()) == ([], [b"late"])


def test_a_frame_offered_between_the_senders_cancellation_and_its_end_is_never_left_half_sent(run_async):
    """``cancel()`` ends the sender's wait at once, but its ``finally`` (which un-parks the mailbox) runs
    only at its next step: a frame offered in between may still be begun at once. A send that has to
    wait is then closed by that ``finally``, never held; later frames are queued, none is sent."""

    async def scenario() -> tuple:
        transport = FakeSend()
        viewer, sender = await idle_viewer(transport)
        transport.writable.clear()  # the client reads slowly: a send waits
        sender.cancel()
        viewer.offer_frame(*prepared_frame(b"in the window"))
        viewer.offer_frame(*prepared_frame(b"queued"))  # a send is in flight: not begun here
        await asyncio.gather(sender, return_exceptions=True)
        viewer.offer_frame(*prepared_frame(b"after"))
        transport.writable.set()
        await asyncio.sleep(0)
        return sender.cancelled(), transport.abandoned, transport.frames(), viewer.waiting_frames()

    assert run_async(scenario()) == (True, 1, [], [b"queued", b"after"])
