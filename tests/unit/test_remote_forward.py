"""What a client on a worker that does not own its session sends goes to the owner (app/cluster/
remote_socket.py ``_forward``), except a message longer than any the owner answers or bytes beyond what a
connection may send a second: those are refused where they came in, never carried to the owner, and a
client that keeps sending them is closed."""

import json
from types import SimpleNamespace

from clock import ManualClock
from unit.test_server_messages import STATE

from app.cluster.registry import Entry
from app.cluster.remote_socket import RemoteViewing
from app.config import Settings
from app.realtime.viewer import CLOSE_POLICY, CLOSE_SESSION_ENDED, MAX_ERRORS_IN_WINDOW, Viewer


class ScriptedSocket:
    """A client that sends ``messages`` then leaves, and records what it is sent."""

    def __init__(self, messages: list[dict]) -> None:
        received = [{"type": "websocket.receive", **m} for m in messages]
        self._messages = iter([*received, {"type": "websocket.disconnect"}])
        self.texts: list[str] = []
        self.closed: tuple[int, str] | None = None

    async def receive(self) -> dict:
        return next(self._messages)

    async def send_text(self, text: str) -> None:
        self.texts.append(text)

    async def close(self, code: int = 1000, reason: str = "") -> None:
        self.closed = (code, reason)


class RecordingNode:
    """Keeps what would go to the owner's inbox."""

    def __init__(self) -> None:
        self.sent: list[tuple[dict, bytes]] = []

    async def send(self, worker: str, header: dict, body: bytes = b"") -> None:
        self.sent.append((header, body))


def _forward(messages: list[dict], run_async, **limits: int) -> tuple[RecordingNode, ScriptedSocket]:
    socket, node = ScriptedSocket(messages), RecordingNode()
    settings = Settings(**{"max_message_bytes": 1024, "max_frame_bytes": 2048, **limits})
    conn = SimpleNamespace(ws=socket, settings=settings, clock=ManualClock())
    viewer = Viewer(socket, ManualClock())  # type: ignore[arg-type]
    viewing = RemoteViewing.__new__(RemoteViewing)
    viewing._node = node  # type: ignore[assignment]

    async def forward_then_send() -> None:
        await viewing._forward(conn, viewer, "owner", "l1")  # type: ignore[arg-type]
        viewer.end(None, 1000, "gone")
        await viewer.send_loop()

    run_async(forward_then_send())
    return node, socket


def test_messages_within_the_limits_go_to_the_owner_in_order(run_async):
    text, frame = json.dumps({"type": "ping", "id": 1}), bytes(2048)
    node, socket = _forward([{"text": text}, {"bytes": frame}], run_async)
    assert [(h["op"], h["text"], b) for h, b in node.sent] == [
        ("message", True, text.encode()),
        ("message", False, frame),
    ]
    assert socket.texts == []


def test_a_message_over_the_limits_is_refused_here_and_never_reaches_the_owner(run_async):
    long_text, long_frame = "x" * 1025, bytes(2049)
    node, socket = _forward([{"text": long_text}, {"bytes": long_frame}, {"text": "{}"}], run_async)
    assert [b for _, b in node.sent] == [b"{}"]  # only the short one
    errors = [json.loads(t) for t in socket.texts]
    assert [(e["type"], e["code"]) for e in errors] == [("error", "limit")] * 2
    assert "1025 characters exceeds the limit of 1024" in errors[0]["message"]
    assert errors[1]["field"] == "frame"
    assert "2049 bytes exceeds the limit of 2048" in errors[1]["message"]


def test_a_client_that_keeps_sending_long_messages_is_closed_and_the_rest_is_not_forwarded(run_async):
    flood = [{"bytes": bytes(4096)}] * (MAX_ERRORS_IN_WINDOW + 1) + [{"text": "{}"}] * 5
    node, socket = _forward(flood, run_async)
    assert node.sent == []
    assert len(socket.texts) == MAX_ERRORS_IN_WINDOW + 1
    assert socket.closed == (CLOSE_POLICY, "too many bad messages")


def test_bytes_beyond_what_a_connection_may_send_a_second_are_refused_here(run_async):
    # a burst of two of the longest frames (2,048 bytes) goes; with the clock standing, no more
    frames = [{"bytes": bytes(1024)}] * 3 + [{"text": "{}"}]
    node, socket = _forward(frames, run_async, max_frame_bytes_per_s=4096, max_frame_bytes=1024)
    assert [len(b) for _, b in node.sent] == [1024, 1024]
    error = json.loads(socket.texts[0])
    assert (error["type"], error["code"]) == ("error", "limit")
    assert "at most 4096 bytes a second" in error["message"]
    assert len(socket.texts) == 2  # the short text after them is over the budget too


def test_a_knock_too_long_for_an_auth_is_turned_away_here(run_async):
    closed_room = STATE.model_copy(update={"room": "closed"})
    entry = Entry("s1", "owner", "client", "hash", b"", closed_room.encoded, b"", b"")
    socket, node = ScriptedSocket([{"text": "x" * 1025}]), RecordingNode()
    conn = SimpleNamespace(ws=socket, settings=Settings(max_message_bytes=1024), clock=ManualClock())
    viewing = RemoteViewing.__new__(RemoteViewing)
    viewing._node = node  # type: ignore[assignment]

    admitted = run_async(viewing._knock(conn, iter(()), entry, "l1"))  # type: ignore[arg-type]
    assert admitted is None
    assert node.sent == []  # the owner never holds it
    assert json.loads(socket.texts[0]) == {"type": "closed", "reason": "room_closed"}
    assert socket.closed == (CLOSE_SESSION_ENDED, "the presenter closed the room")
