"""A join whose room cannot subscribe to the bus in time (Redis away or slow) is refused with ``busy``: the
joiner leaves the room and the count again, an emptied room closes with its subscriptions, and once the
bus subscribes again the next joiner is served as usual. Locally (app/realtime/rooms.py) and on a worker
that does not own the session (app/cluster/remote_socket.py)."""

import asyncio
import dataclasses
import json
import logging
from types import SimpleNamespace

import pytest
from api.test_ws import QuietSession, RecordingSocket
from clock import ManualClock
from restored_session import restored_session
from stalled_bus import StalledBus
from unit.test_remote_forward import RecordingNode, ScriptedSocket

from app.cluster import remote_socket
from app.cluster.manager import entry_of
from app.cluster.remote_socket import RemoteViewing
from app.config import Settings
from app.errors import Busy
from app.protocol.server import read_server_message
from app.realtime import rooms as rooms_module
from app.realtime.rooms import Rooms
from app.realtime.viewer import Viewer
from app.realtime.ws import CLOSE_TRY_LATER
from app.sessions.manager import channel
from app.throttled_log import ThrottledWarning

REFUSAL = "the server could not subscribe to this session's updates in time; try again"


@pytest.fixture(autouse=True)
def short_subscribe_timeout(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(rooms_module, "SUBSCRIBE_TIMEOUT_S", 0.01)


class CountingSession(QuietSession):
    """Keeps the viewer count of each ``state`` it publishes (what viewers on other workers learn)."""

    def __init__(self) -> None:
        super().__init__()
        self.published: list[int] = []

    def publish_state(self) -> None:
        self.published.append(self.audience.count)


def _other_tasks() -> list[asyncio.Task]:
    return [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]


def test_a_joiner_whose_room_cannot_subscribe_is_refused_uncounted_and_the_room_closed(run_async):
    async def scenario() -> tuple:
        bus, session = StalledBus(), CountingSession()
        session.audience.came()  # a viewer on another worker watches already
        rooms = Rooms(bus, max_viewers=10)
        with pytest.raises(Busy) as refused:
            await rooms.join(session, Viewer(RecordingSocket()))
        after_refusal = (session.audience.count, rooms.has_viewers(session), bus.channels, _other_tasks())
        published = list(session.published)
        await rooms.emptied()  # (returns at once: no room is left)

        bus.stalled = False  # the bus subscribes again: the next joiner is served as usual
        joiner = Viewer(RecordingSocket())
        await rooms.join(session, joiner)
        bus.publish_nowait(channel(session.id, "frame"), b"a frame")
        await asyncio.sleep(0)  # the room relays it
        joiner.end(None, 1000, "done")
        await joiner.send_loop()  # what is queued, then the close
        await rooms.close()
        return refused.value, after_refusal, published, joiner.ws.sent

    refusal, after_refusal, published, sent = run_async(scenario())
    assert (refusal.code, refusal.message) == ("busy", REFUSAL)
    assert after_refusal == (1, False, [], [])  # uncounted; no room, subscription or pump task is left
    assert published == [1]  # the others learn the count without the refused joiner
    hello, state, frame, close = sent
    assert close == 1000
    assert json.loads(hello)["type"] == "hello"
    assert (json.loads(state)["type"], json.loads(state)["viewers"]) == ("state", 2)
    assert frame == b"a frame"


def test_a_joiner_refused_while_another_waits_leaves_the_room_to_it(run_async, monkeypatch):
    """Two joiners wait for the same room: the first one's refusal leaves the room open for the second,
    which is served once the bus subscribes within its own, longer wait."""

    async def scenario() -> tuple:
        bus, session = StalledBus(), CountingSession()
        rooms, refused = Rooms(bus, max_viewers=10), Viewer(RecordingSocket())
        first = asyncio.create_task(rooms.join(session, refused))
        await asyncio.sleep(0)  # the first joiner made the room and waits for it
        monkeypatch.setattr(rooms_module, "SUBSCRIBE_TIMEOUT_S", 5.0)
        waiting = Viewer(RecordingSocket())
        second = asyncio.create_task(rooms.join(session, waiting))
        (refusal,) = await asyncio.gather(first, return_exceptions=True)
        await rooms.leave(session, refused)  # as the socket's ``finally`` does: the refused one is not in it
        left = rooms.has_viewers(session), session.audience.count
        bus.confirm()
        await second
        bus.publish_nowait(channel(session.id, "frame"), b"a frame")
        await asyncio.sleep(0)  # the room relays it
        frames = waiting.waiting_frames()
        await rooms.close()
        return refusal, left, frames

    refusal, left, frames = run_async(scenario())
    assert isinstance(refusal, Busy)
    assert left == (True, 1)  # the room stays, with the waiting joiner counted (once, not less)
    assert frames == [b"a frame"]


@pytest.mark.parametrize("room", ["open", "closed"])
def test_a_joiner_on_another_worker_whose_room_cannot_subscribe_is_refused_with_1013(
    run_async, monkeypatch: pytest.MonkeyPatch, room: str
):
    """In a closed room the refusal comes before the knock: the client's ``auth`` never reaches the owner,
    which so never makes it a presenter (nor the driver) for a moment."""
    session = restored_session()
    entry = entry_of(session, "owner")
    session.close()
    state = read_server_message(entry.state).model_copy(update={"room": room})
    entry = dataclasses.replace(entry, state=state.encoded)
    monkeypatch.setattr(remote_socket, "KNOCK_S", 0.5)  # (an unanswered knock gives up soon)
    auth = {"text": json.dumps({"type": "auth", "id": 1, "token": "a token"})}

    class OwnersNode(RecordingNode):
        """Another worker owns ``s1``; what goes to its inbox is kept."""

        def __init__(self) -> None:
            super().__init__()
            self.bus, self.worker = StalledBus(), "w2"

        async def owner_of(self, session_id: str):
            return entry

    async def scenario() -> tuple:
        node, socket = OwnersNode(), ScriptedSocket([auth] if room == "closed" else [])
        viewing = RemoteViewing(node)  # type: ignore[arg-type]
        conn = SimpleNamespace(ws=socket, settings=Settings(), clock=ManualClock())
        served = await viewing.serve(conn, "s1")  # type: ignore[arg-type]
        after_refusal = (list(viewing.rooms._rooms), node.bus.channels, _other_tasks())

        node.bus.stalled = False
        joiner = Viewer(RecordingSocket())
        await viewing.rooms.join("s1", joiner, entry)
        joined = list(viewing.rooms._rooms)
        await viewing.close()
        return served, socket, [h["op"] for h, _ in node.sent], after_refusal, joined

    served, socket, told, after_refusal, joined = run_async(scenario())
    assert served
    assert [json.loads(t) for t in socket.texts] == [
        {"type": "error", "code": "busy", "message": REFUSAL, "id": None}
    ]
    assert socket.closed == (CLOSE_TRY_LATER, REFUSAL)
    assert told == ["open", "close"]  # the owner counts the link no more
    assert after_refusal == ([], [], [])
    assert joined == ["s1"]


def test_a_refusal_after_the_bus_subscribed_again_is_logged_at_once(run_async, monkeypatch, caplog):
    clock = ManualClock(0.0)
    monkeypatch.setattr(rooms_module, "_turned_away", ThrottledWarning(rooms_module.log, clock=clock))

    async def refused(rooms: Rooms, session: CountingSession) -> None:
        with pytest.raises(Busy):
            await rooms.join(session, Viewer(RecordingSocket()))

    async def scenario() -> None:
        bus, session = StalledBus(), CountingSession()
        rooms = Rooms(bus, max_viewers=10)
        await refused(rooms, session)  # the first outage: logged
        await refused(rooms, session)  # left out (within the minute)
        bus.stalled = False  # back: a room subscribes
        await rooms.join(session, viewer := Viewer(RecordingSocket()))
        await rooms.leave(session, viewer)
        bus.stalled = True  # a second outage, ten seconds later
        clock.advance(10.0)
        await refused(rooms, session)
        await rooms.close()

    with caplog.at_level(logging.WARNING, logger=rooms_module.log.name):
        run_async(scenario())
    lines = [r.getMessage() for r in caplog.records if r.name == rooms_module.log.name]
    turned_away = f"session {CountingSession().id}: no bus subscription in 0.01 s; a viewer turned away"
    assert lines == [turned_away, f"{turned_away} (and 1 more like it in the last 10 s)"]
