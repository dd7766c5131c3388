"""A link (a websocket on another worker, app/cluster/links.py) holds a bounded number of messages: its
worker reads the client without waiting for the owner, so a flood would otherwise grow without end."""

import asyncio
import json
from types import SimpleNamespace

import pytest
from clock import ManualClock

from app.bus.memory import MemoryBus
from app.cluster import links as links_module
from app.cluster.links import MAX_WAITING, MAX_WAITING_BYTES, Link, Links
from app.rate import TokenBucket
from app.realtime.viewer import CLOSE_POLICY, CLOSE_SESSION_ENDED, Viewer


class RecordingSocket:
    """What the viewer would send to the other worker's connection."""

    def __init__(self) -> None:
        self.texts: list[str] = []
        self.closed: tuple[int, str] | None = None

    async def send_text(self, text: str) -> None:
        self.texts.append(text)

    async def close(self, code: int = 1000, reason: str = "") -> None:
        self.closed = (code, reason)


def _link(socket: RecordingSocket) -> tuple[Links, Link]:
    """A link nothing answers yet (its ``_serve`` is not running)."""
    viewer = Viewer(socket, ManualClock())  # type: ignore[arg-type]
    links = Links(app=None, node=None)  # type: ignore[arg-type]
    rate = TokenBucket(10.0, 20.0, ManualClock())
    link = Link(None, viewer, None, None, "w2", rate, knocking=False)  # type: ignore[arg-type]
    links._links["l1"] = link
    return links, link


def test_a_link_flooded_beyond_its_bound_gets_a_limit_error_and_a_1008_close(run_async):
    async def flood() -> tuple[int, RecordingSocket]:
        socket = RecordingSocket()
        links, link = _link(socket)
        viewer = link.viewer
        for n in range(MAX_WAITING + 50):  # nothing answers them meanwhile
            await links.take({"link": "l1", "op": "message", "text": True}, json.dumps({"id": n}).encode())
        await asyncio.wait_for(viewer.send_loop(), 5)
        return link.inbox.qsize(), socket

    waiting, socket = run_async(flood())
    assert waiting == MAX_WAITING
    error = json.loads(socket.texts[-1])
    assert (error["type"], error["code"]) == ("error", "limit")
    assert socket.closed == (CLOSE_POLICY, "too many messages waiting")


def test_a_link_holds_a_bounded_number_of_bytes_and_nothing_once_it_is_ending(run_async):
    megabyte = bytes(1 << 20)

    async def flood() -> tuple[Link, RecordingSocket]:
        socket = RecordingSocket()
        links, link = _link(socket)
        for _ in range(12):  # frames of 1 MiB, well under the count bound
            await links.take({"link": "l1", "op": "message", "text": False}, megabyte)
        await asyncio.wait_for(link.viewer.send_loop(), 5)
        return link, socket

    link, socket = run_async(flood())
    kept = MAX_WAITING_BYTES // len(megabyte)
    assert link.inbox.qsize() == kept  # the one past the bound ended the link; the rest were not kept
    assert link.waiting_bytes == kept * len(megabyte) <= MAX_WAITING_BYTES
    error = json.loads(socket.texts[-1])
    assert (error["type"], error["code"]) == ("error", "limit")
    assert str(MAX_WAITING_BYTES) in error["message"]
    assert socket.closed == (CLOSE_POLICY, "too many bytes waiting")


class Control:
    """A session's control as links read it: the room open or closed, no presenters."""

    def __init__(self, room_open: bool) -> None:
        self.room_open = room_open

    def number_of(self, _viewer: object) -> None:
        return None


def _in_session(link: Link, room_open: bool) -> Link:
    link.session = SimpleNamespace(id="s1", control=Control(room_open))  # type: ignore[assignment]
    return link


def test_a_room_closed_before_its_watcher_listened_still_dismisses_the_links_viewers(run_async):
    async def watch() -> bool:
        links, link = _link(RecordingSocket())
        _in_session(link, room_open=False)  # closed before the watcher subscribed: no state will come
        links._node = SimpleNamespace(bus=MemoryBus())  # type: ignore[assignment]
        watcher = asyncio.create_task(links._watch_room(link.session))
        for _ in range(100):  # (the memory bus subscribes within a few turns of the loop)
            if link.viewer.ending:
                break
            await asyncio.sleep(0)
        watcher.cancel()
        return link.viewer.ending

    assert run_async(watch())


@pytest.mark.parametrize(
    ("room_open", "heard", "dismissed"), [(False, False, True), (False, True, False), (True, False, False)]
)
def test_a_link_opened_into_a_closed_room_that_sends_nothing_is_dismissed_after_the_knock_time(
    run_async, monkeypatch: pytest.MonkeyPatch, room_open: bool, heard: bool, dismissed: bool
):
    monkeypatch.setattr(links_module, "KNOCK_S", 0.0)

    async def knock() -> tuple[Link, RecordingSocket]:
        socket = RecordingSocket()
        _links, link = _link(socket)
        _in_session(link, room_open)
        link.knocking, link.heard = True, heard
        await links_module._knock_deadline(link)
        if link.viewer.ending:
            await asyncio.wait_for(link.viewer.send_loop(), 5)
        return link, socket

    link, socket = run_async(knock())
    assert link.viewer.ending == dismissed
    if dismissed:
        assert json.loads(socket.texts[-1]) == {"type": "closed", "reason": "room_closed"}
        assert socket.closed == (CLOSE_SESSION_ENDED, "the presenter closed the room")
    assert link.knocking == (not room_open)  # the room opened meanwhile: it stays as a viewer
