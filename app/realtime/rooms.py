"""Rooms: the viewers of one session in this process, fed by one bus subscription per stream.

A frame arrives from the bus once and its bytes are offered to every viewer; each viewer's mailbox keeps
only the newest few unsent ones, so a stalled browser never slows the model or the other viewers. Joins
and leaves change the viewer count that every viewer's ``state`` shows: those states are coalesced, at most
one every ``STATE_INTERVAL_S`` per session, so a room filling with N viewers costs O(N) messages, not N².
"""

import asyncio
import logging
import time
from collections.abc import Callable

from pydantic import ValidationError

from app.bus.base import Bus
from app.errors import Busy, LimitReached
from app.protocol.server import Closed, read_server_message
from app.realtime.coalesce import Coalesced
from app.realtime.prepared import PreparedFrame, prepared_frame
from app.realtime.viewer import Viewer
from app.sessions.manager import channel
from app.sessions.session import Session
from app.throttled_log import ThrottledWarning

log = logging.getLogger(__name__)
STREAMS = ("state", "view", "frame")
SUBSCRIBE_TIMEOUT_S = 5.0
STATE_INTERVAL_S = 0.25  # the fastest a session's viewer count is sent again while viewers come and go


class Room:
    """The local viewers of one session."""

    def __init__(self, bus: Bus, session_id: str) -> None:
        self.viewers: set[Viewer] = set()
        self.newest_frame: PreparedFrame | None = None  # the last frame handed to the viewers
        self._unsubscribed = len(STREAMS)
        self._subscribed = asyncio.Event()
        self._tasks = [asyncio.create_task(self._pump(bus, session_id, s)) for s in STREAMS]

    async def ready(self) -> None:
        """Wait until the room receives everything published from now on."""
        await asyncio.wait_for(self._subscribed.wait(), SUBSCRIBE_TIMEOUT_S)

    async def _pump(self, bus: Bus, session_id: str, stream: str) -> None:
        async with bus.subscribe(channel(session_id, stream)) as messages:
            self._unsubscribed -= 1
            if not self._unsubscribed:
                self._subscribed.set()
                _turned_away.cleared()  # the bus subscribes again: a later refusal is a new outage's first
            if stream == "frame":
                async for frame in messages:
                    self.hand_frame(frame)
                return
            async for message in messages:
                try:  # a snapshot (state, view, closed) is read once for all viewers
                    snapshot = read_server_message(message)
                except ValidationError:  # another process's (another version's) snapshot: the next follows
                    log.warning("session %s: an unreadable %s snapshot was skipped", session_id, stream)
                    continue
                for viewer in list(self.viewers):
                    viewer.offer(stream, snapshot)

    def hand_frame(self, frame: bytes) -> None:
        """Send or queue a frame for every viewer: prepared once and shared by all of them."""
        message, wire = self.newest_frame = prepared_frame(frame)
        for viewer in list(self.viewers):
            viewer.offer_frame(message, wire)

    async def close(self) -> None:
        """Stop listening."""
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)


_turned_away = ThrottledWarning(log)  # one per viewer while the bus is away: one line a minute


def not_subscribed(session_id: str) -> Busy:
    """The refusal of a joiner whose room had no bus subscriptions within ``SUBSCRIBE_TIMEOUT_S``."""
    _turned_away.warning(
        "session %s: no bus subscription in %g s; a viewer turned away", session_id, SUBSCRIBE_TIMEOUT_S
    )
    return Busy("the server could not subscribe to this session's updates in time; try again")


class Rooms:
    """Every room of this process, opened with the first viewer and closed with the last."""

    def __init__(self, bus: Bus, max_viewers: int, clock: Callable[[], float] = time.monotonic) -> None:
        self._bus, self._max_viewers, self._clock = bus, max_viewers, clock
        self._rooms: dict[str, Room] = {}
        self._counts: dict[str, Coalesced] = {}  # per session viewed: its viewer-count states, coalesced
        self._empty = asyncio.Event()
        self._empty.set()

    async def emptied(self) -> None:
        """Wait until no viewer is left in this process."""
        await self._empty.wait()

    async def join(self, session: Session, viewer: Viewer) -> None:
        """Add a viewer and give it the present at once: hello, state, the latest frame. Refused with
        ``LimitReached`` (too many viewers) or ``Busy`` (the room could not subscribe in time): the viewer
        is then neither in the room nor counted."""
        if session.audience.count >= self._max_viewers:
            raise LimitReached(f"this session has its maximum of {self._max_viewers} viewers; try later")
        room = self._rooms.get(session.id)
        if room is None:
            room = self._rooms[session.id] = Room(self._bus, session.id)
            self._empty.clear()
        session.audience.came()
        viewer.reply(session.hello())
        viewer.offer("state", session.state_message())
        if session.view is not None:
            viewer.offer("view", session.view)
        if room.newest_frame is not None:  # the room's newest, then (no await between) each newer one
            viewer.offer_frame(*room.newest_frame)
        room.viewers.add(viewer)  # before any await: a leaving last viewer must not close this room
        try:
            await room.ready()
        except TimeoutError:  # the bus is away or slow: uncounted again, and an emptied room closes
            await self.leave(session, viewer)
            raise not_subscribed(session.id) from None
        if session.last_frame is not None and not viewer.waiting_frames():
            # The room has relayed none yet: the newest made (one made as the room began to listen may
            # still be relayed after it: the first viewers of a session only, rarely).
            viewer.offer("frame", session.last_frame)
        if session.id in self._rooms:  # (gone if the server shut down meanwhile)
            self.count_changed(session)  # the others learn the new count (coalesced)

    def count_changed(self, session: Session) -> None:
        """The session's viewer count changed (a viewer of this process, or one connected through another
        worker, came or went): its viewers learn it in a ``state``, at most one per ``STATE_INTERVAL_S``."""
        counts = self._counts.get(session.id)
        if counts is None:
            counts = Coalesced(session.publish_state, STATE_INTERVAL_S, self._clock)
            self._counts[session.id] = counts
        counts.request()

    def has_viewers(self, session: Session) -> bool:
        """Whether a viewer of ``session`` is connected to this process."""
        return session.id in self._rooms

    def counts_settled(self, session: Session) -> None:
        """The session's last viewer here left: send a waiting count now and forget its coalescing."""
        counts = self._counts.pop(session.id, None)
        if counts is not None:
            counts.flush()

    def dismiss_viewers(self, session: Session, closed: Closed) -> None:
        """Send ``closed`` to this session's viewers that are not presenters (the room closed); each one's
        connection then closes."""
        room = self._rooms.get(session.id)
        for viewer in list(room.viewers) if room else []:
            if session.control.number_of(viewer) is None:
                viewer.offer("closed", closed)

    async def leave(self, session: Session, viewer: Viewer) -> None:
        """Remove a viewer; the room closes with its last viewer."""
        room = self._rooms.get(session.id)
        if room is None or viewer not in room.viewers:
            return
        room.viewers.discard(viewer)
        session.audience.went()
        self.count_changed(session)
        if not room.viewers:
            self.counts_settled(session)  # viewers elsewhere (other processes) still learn the last count
            del self._rooms[session.id]
            if not self._rooms:
                self._empty.set()
            await room.close()

    async def close(self) -> None:
        """Close every room (server shutdown)."""
        rooms, self._rooms = list(self._rooms.values()), {}
        for counts in self._counts.values():
            counts.cancel()
        self._counts = {}
        for room in rooms:
            await room.close()
