"""A connection's viewer: refused messages counted over a window of the app's clock; frames sent through
the websocket's kept ASGI ``send`` as one message shared by every viewer."""

import asyncio

from clock import ManualClock
from starlette.websockets import WebSocket

from app.realtime.asgi_send import SCOPE_KEY, KeepAsgiSend, frame_message
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
    async def scenario() -> tuple[list, list, dict]:
        first, second = [], []
        viewers = [Viewer(websocket_keeping(first)), Viewer(websocket_keeping(second))]
        message = frame_message(b"frame bytes")
        for viewer in viewers:
            viewer.offer_frame(message)
            viewer.end(None, 1000, "done")  # its send loop returns after the frame
        await asyncio.gather(*(viewer.send_loop() for viewer in viewers))
        return first, second, message

    first, second, message = run_async(scenario())
    assert first[0] is message  # built once, not once per viewer
    assert second[0] is message
    assert message == {"type": "websocket.send", "bytes": b"frame bytes"}
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
    viewer.offer_frame(frame_message(b"two"))
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
