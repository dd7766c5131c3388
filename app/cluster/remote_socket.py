"""A websocket for a session another worker owns.

The client gets what it would get from the owner: ``hello`` and the state, view and latest frame from the
snapshot the owner keeps in Redis (app/cluster/manager.py), then every state, view and frame from the bus
(one subscription per session and worker, shared by its viewers here, as app/realtime/rooms.py does).
What the client sends goes, in order, to the owner (app/cluster/links.py); its answers come back on this
connection's own channel and are sent as the owner made them.
"""

import asyncio
import contextlib
import json
import secrets
from functools import cached_property
from typing import Any

from fastapi import WebSocketDisconnect

from app.bus.base import EVERY_MESSAGE, Bus
from app.cluster.node import Node
from app.cluster.registry import Entry
from app.cluster.wire import unpack
from app.errors import Busy, LimitReached
from app.protocol.codec import header_bytes
from app.protocol.server import Closed, Hello, ServerMessage, State, read_server_message
from app.rate import TokenBucket
from app.realtime.connection import Connection
from app.realtime.prepared import prepared_frame
from app.realtime.rooms import Room, not_subscribed
from app.realtime.viewer import CLOSE_SESSION_ENDED, Viewer
from app.realtime.ws import KNOCK_S, ROOM_CLOSED, refuse, too_long, try_later

SKIP_WINDOW = 64  # frames up to this many older than a joiner's snapshot frame are skipped for it


class Relayed(ServerMessage):
    """A message another worker made, sent on as it was encoded there."""

    raw: bytes

    @cached_property
    def encoded(self) -> bytes:
        return self.raw


class RemoteRoom(Room):
    """The local viewers of another worker's session. A joiner starts from the owner's snapshot, whose
    frame the room may relay too (the snapshot was written after the frame was published, and the room
    receives it later) or may have relayed already: until the room relays a frame newer than the one a
    joiner started from (by the ``seq`` in their headers), it skips that joiner, which so never gets a
    frame twice or an older one after a newer. A frame far older than the snapshot's (beyond
    ``SKIP_WINDOW``) is not a late one but the session's count begun again (restored or adopted by
    another worker): it is sent, and the joiner is no longer skipped."""

    def __init__(self, bus: Bus, session_id: str) -> None:
        super().__init__(bus, session_id)
        self._starts: dict[Viewer, int] = {}  # joiners not past their snapshot's frame, and its seq

    def admit(self, viewer: Viewer, entry: Entry) -> None:
        """Give ``viewer`` the owner's snapshot, then this room's newer frames."""
        _start_from(viewer, entry)
        start = _seq(entry.frame) if entry.frame else None
        if start is not None:
            self._starts[viewer] = start
        self.viewers.add(viewer)

    def dismiss(self, viewer: Viewer) -> None:
        self.viewers.discard(viewer)
        self._starts.pop(viewer, None)

    def hand_frame(self, frame: bytes) -> None:
        if not self._starts:  # the common case: nobody has just joined
            super().hand_frame(frame)
            return
        seq, starts = _seq(frame), self._starts
        message, wire = self.newest_frame = prepared_frame(frame)
        for viewer in list(self.viewers):
            start = starts.get(viewer)
            if start is None or seq is None or not start - SKIP_WINDOW < seq <= start:
                starts.pop(viewer, None)
                viewer.offer_frame(message, wire)


class RemoteRooms:
    """The rooms of the sessions other workers own that viewers here watch."""

    def __init__(self, node: Node) -> None:
        self._node = node
        self._rooms: dict[str, RemoteRoom] = {}

    async def join(self, session_id: str, viewer: Viewer, entry: Entry) -> None:
        """Give ``viewer`` the owner's latest snapshot, then the room's newer messages; ``Busy`` when the
        room could not subscribe in time (the viewer is then not in it)."""
        room = self._rooms.get(session_id)
        if room is None:
            room = self._rooms[session_id] = RemoteRoom(self._node.bus, session_id)
        room.admit(viewer, entry)
        try:
            await room.ready()
        except TimeoutError:  # as a local join (app/realtime/rooms.py): out again, an emptied room closes
            await self.leave(session_id, viewer)
            raise not_subscribed(session_id) from None

    async def leave(self, session_id: str, viewer: Viewer) -> None:
        room = self._rooms.get(session_id)
        if room is None:
            return
        room.dismiss(viewer)
        if not room.viewers:
            del self._rooms[session_id]
            await room.close()

    async def close(self) -> None:
        rooms, self._rooms = list(self._rooms.values()), {}
        for room in rooms:
            await room.close()


class RemoteViewing:
    """Serves the connections to sessions of other workers."""

    def __init__(self, node: Node) -> None:
        self._node = node
        self.rooms = RemoteRooms(node)

    async def serve(self, conn: Connection, session_id: str) -> bool:
        """Serve ``conn`` if another live worker owns the session, or tell it why the session ended; False
        when no worker knows it."""
        entry = await self._node.owner_of(session_id)
        if entry is None:
            reason = await self._ended(session_id)
            if reason is None:
                return False
            await conn.ws.send_text(Closed(reason=reason).encoded.decode())
            await conn.ws.close(CLOSE_SESSION_ENDED, "session ended")
            return True
        link = secrets.token_hex(8)
        channel = f"nnlive:conn:{self._node.worker}:{link}"
        viewer = Viewer(conn.ws, conn.clock)
        tasks: list[asyncio.Task[Any]] = []
        async with self._node.bus.subscribe(channel, depth=EVERY_MESSAGE) as answers:
            try:
                opening = {"session": session_id, "channel": channel, "worker": self._node.worker}
                await self._tell(entry.owner, link, "open", opening)
                try:  # before the knock: the owner answers an ``auth`` at once (a presenter, maybe driving)
                    await self.rooms.join(session_id, viewer, entry)
                except Busy as exc:  # the owner hears ``close`` below: it counts the link no more
                    await try_later(conn.ws, exc)
                    return True
                admitted = await self._knock(conn, answers, entry, link)  # (nothing is sent before it ends)
                if admitted is None:
                    return True
                if admitted:
                    viewer.reply(Relayed(raw=admitted))
                tasks = [
                    asyncio.create_task(viewer.send_loop()),
                    asyncio.create_task(_answer_back(answers, viewer)),
                    asyncio.create_task(self._forward(conn, viewer, entry.owner, link)),
                ]
                await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
            finally:
                for task in tasks:
                    task.cancel()
                await asyncio.gather(*tasks, return_exceptions=True)
                with contextlib.suppress(Exception):  # Redis away: the owner drops the link when we die
                    await self._tell(entry.owner, link, "close")
                await self.rooms.leave(session_id, viewer)
        return True

    async def _knock(self, conn: Connection, answers: Any, entry: Entry, link: str) -> bytes | None:
        """A closed room (as the snapshot says) admits presenters only: the first message must be an
        ``auth`` the owner accepts. Returns its ``ok`` (b"" when the room is open), or None when the owner
        turned the connection away (what it said is sent, and the connection closed)."""
        state = read_server_message(entry.state)
        if not isinstance(state, State) or state.room == "open":
            return b""
        try:
            first = await asyncio.wait_for(conn.ws.receive(), KNOCK_S)
            if first["type"] == "websocket.disconnect":
                return None
            if too_long(first, conn.settings.max_message_bytes, conn.settings.max_frame_bytes):
                await _turn_away(conn)  # too long for an ``auth``: the owner need not see it
                return None
            await self._tell(entry.owner, link, "message", {"text": True}, (first.get("text") or "").encode())
            while True:
                header, body = unpack(await asyncio.wait_for(anext(answers), KNOCK_S))
                if header["kind"] == "close":
                    await conn.ws.close(header["code"], header["reason"])
                    return None
                if json.loads(body).get("type") == "ok":
                    return body
                await conn.ws.send_text(body.decode())
        except TimeoutError:
            await _turn_away(conn)
            return None

    async def _ended(self, session_id: str) -> str | None:
        with contextlib.suppress(Exception):  # Redis away: the session is unknown here
            return await self._node.registry.ended_reason(session_id)
        return None

    async def _tell(
        self, owner: str, link: str, op: str, extra: dict[str, Any] | None = None, body: bytes = b""
    ) -> None:
        await self._node.send(owner, {"kind": "link", "op": op, "link": link, **(extra or {})}, body)

    async def _forward(self, conn: Connection, viewer: Viewer, owner: str, link: str) -> None:
        """Send what the client sends to the owner, in order, until the client goes. Refused here, never
        carried: a message longer than any the owner answers, and bytes beyond ``max_frame_bytes_per_s``
        with a burst of two of the longest frames (nothing waits for the owner here, so a client sending
        faster would fill this worker's queue for the bus, which then drops the oldest messages, other
        connections' included)."""
        settings = conn.settings
        limits, per_s = (settings.max_message_bytes, settings.max_frame_bytes), settings.max_frame_bytes_per_s
        budget = TokenBucket(per_s, 2 * settings.max_frame_bytes, conn.clock)  # a burst well within the queue
        with contextlib.suppress(WebSocketDisconnect):
            while True:
                message = await conn.ws.receive()
                if message["type"] == "websocket.disconnect":
                    return
                if viewer.ending:  # its last reply and close are queued: the rest is not forwarded
                    continue
                body = _forwarded(message, limits, budget)
                if isinstance(body, LimitReached):
                    refuse(viewer, body)
                    continue
                await self._tell(owner, link, "message", {"text": message.get("text") is not None}, body)

    async def close(self) -> None:
        await self.rooms.close()


async def _turn_away(conn: Connection) -> None:
    """Tell a connection knocking at a closed room that it is closed, and close it."""
    await conn.ws.send_text(ROOM_CLOSED.encoded.decode())
    await conn.ws.close(CLOSE_SESSION_ENDED, "the presenter closed the room")


def _start_from(viewer: Viewer, entry: Entry) -> None:
    """What a joining viewer gets at once, from the owner's latest snapshot."""
    viewer.reply(Hello.model_validate_json(entry.hello))
    viewer.offer("state", read_server_message(entry.state))
    if entry.view:
        viewer.offer("view", read_server_message(entry.view))
    if entry.frame:
        viewer.offer("frame", entry.frame)


def _forwarded(message: dict[str, Any], limits: tuple[int, int], budget: TokenBucket) -> bytes | LimitReached:
    """What of a client's message goes to the owner, or why it is refused here: too long (``limits``: the
    longest text and frame), or beyond what its connection may send a second (``budget``, then spent)."""
    if error := too_long(message, *limits):
        return error
    text = message.get("text")
    body: bytes = text.encode() if text is not None else message.get("bytes") or b""
    if budget.take(len(body)):
        return body
    return LimitReached(f"a connection may send at most {budget.rate:g} bytes a second; send less")


def _seq(frame: bytes) -> int | None:
    """A session frame's ``seq`` (its header's; it counts the session's frames)."""
    seq = json.loads(bytes(header_bytes(memoryview(frame)))).get("seq")
    return seq if isinstance(seq, int) else None


async def _answer_back(answers: Any, viewer: Viewer) -> None:
    """The owner's replies to this connection, sent as the owner made them; its close closes it."""
    async for message in answers:
        header, body = unpack(message)
        if header["kind"] == "text":
            viewer.reply(Relayed(raw=body))
        elif header["kind"] == "publishes":  # the client drives a run: its frames are not sent back
            viewer.publishes = True
        elif header["kind"] == "close":
            viewer.end(None, header["code"], header["reason"])  # the send loop closes, then all ends
