"""Server → client messages as classes: their JSON, read back from the bus by type, and the viewer that
closes its socket after a ``closed`` (recognised by its class, not by its bytes)."""

import json

import pytest

from app.errors import LimitReached
from app.protocol.server import Closed, Error, Hello, Ok, SharedView, State, read_server_message
from app.realtime.viewer import CLOSE_SESSION_ENDED, Viewer

STATE = State(
    state="queued",
    step=7,
    controls={"lr": 0.01},
    viewers=2,
    presenter="away",
    holder=None,
    presenters=[],
    room="open",
    control_seq=3,
    place=1,
)


def test_json_leaves_out_nones_but_keeps_the_fields_clients_read_as_null():
    assert json.loads(Ok(id=None, for_="train").encoded) == {"type": "ok", "id": None, "for": "train"}
    assert json.loads(Closed(reason="idle").encoded) == {"type": "closed", "reason": "idle"}
    state = json.loads(STATE.encoded)  # made and kept: a copy below must not reuse it
    assert state["holder"] is None
    assert state["place"] == 1
    assert "place" not in json.loads(STATE.model_copy(update={"place": None}).encoded)
    hello = json.loads(Hello(protocol=2, session={"id": "s"}, history={}).encoded)
    assert (hello["type"], hello["protocol"], hello["role"]) == ("hello", 2, "viewer")


def test_an_error_carries_the_code_the_field_and_the_id_it_answers():
    error = Error.of(LimitReached("slow down", "count"), 12)
    assert json.loads(error.encoded) == {
        "type": "error",
        "code": "limit",
        "message": "slow down",
        "field": "count",
        "id": 12,
    }


@pytest.mark.parametrize("message", [STATE, SharedView(state={"type": "closed"}), Closed(reason="x")])
def test_snapshots_read_back_from_the_bus_as_their_class(message):
    back = read_server_message(message.encoded)
    assert type(back) is type(message)
    assert back == message


class Socket:
    """What a Viewer needs of a websocket, keeping what it is sent and how it was closed."""

    def __init__(self) -> None:
        self.texts: list[str] = []
        self.closed: int | None = None

    async def send_text(self, text: str) -> None:
        self.texts.append(text)

    async def send_bytes(self, data: bytes) -> None:
        self.texts.append(f"<{len(data)} bytes>")

    async def close(self, code: int, reason: str) -> None:
        self.closed = code


def test_a_viewer_closes_its_socket_after_a_closed_message_only(run_async):
    socket = Socket()
    viewer = Viewer(socket)
    lookalike = SharedView(state={"type": "closed", "reason": "not really"})  # a page state, not an end
    viewer.offer("view", lookalike)
    viewer.offer("frame", b"12345678")
    viewer.offer("closed", Closed(reason="room_closed"))
    run_async(viewer.send_loop())  # returns once it has closed the socket
    assert socket.texts == [
        lookalike.encoded.decode(),
        "<8 bytes>",
        '{"type":"closed","reason":"room_closed"}',
    ]
    assert socket.closed == CLOSE_SESSION_ENDED
