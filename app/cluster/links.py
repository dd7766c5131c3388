"""The owner's side of a websocket connected to another worker: a link.

The other worker forwards what its client sends (``open``, each message, ``close``) to the owner's inbox.
Here each link is a ``Viewer`` whose socket is a bus channel back to that connection: the owner answers its
messages exactly as it answers its own connections' (app/realtime/ws.py ``answer``: auth, control, inputs,
view, handoff, room; errors with their codes and ids), and the replies, in order, travel back. The link
counts as a viewer of the session (idleness, the viewer count). Frames and state do not go this way: the
other worker's room receives them from the bus, once per worker. So a client that drives a run (sends its
frames) is told so before its first frame is relayed, and that worker sends it none of them back.
"""

import asyncio
import contextlib
import logging
from dataclasses import dataclass, field
from typing import Any

from fastapi import FastAPI

from app.cluster.node import Node
from app.cluster.registry import LEASE_S
from app.cluster.wire import pack
from app.errors import LimitReached, NnliveError, NotFound
from app.protocol.messages import Auth, MessageError, parse_message
from app.protocol.server import Error, State, read_server_message
from app.rate import TokenBucket
from app.realtime.connection import Connection
from app.realtime.viewer import CLOSE_POLICY, CLOSE_SESSION_ENDED, Viewer
from app.realtime.ws import CLOSE_NOT_FOUND, CLOSE_TRY_LATER, KNOCK_S, ROOM_CLOSED, answer
from app.sessions.manager import channel
from app.sessions.session import Session

log = logging.getLogger(__name__)
MAX_WAITING = 256  # messages of one link waiting to be answered; a client sending more is disconnected
MAX_WAITING_BYTES = 8 << 20  # their bytes: two frames of the default max_frame_bytes (one always fits)


class BusSocket:
    """Stands for a websocket on another worker: what is sent to it goes to that connection's channel."""

    def __init__(self, node: Node, channel: str) -> None:
        self._node, self._channel = node, channel

    async def send_text(self, text: str) -> None:
        await self._node.bus.publish(self._channel, pack({"kind": "text"}, text.encode()))

    async def send_bytes(self, data: bytes) -> None:
        await self._node.bus.publish(self._channel, pack({"kind": "bytes"}, data))

    async def close(self, code: int = 1000, reason: str = "") -> None:
        await self._node.bus.publish(self._channel, pack({"kind": "close", "code": code, "reason": reason}))

    async def mark_publisher(self) -> None:
        """Tell that connection its client sends the session's frames now: they are not sent back to it."""
        await self._node.bus.publish(self._channel, pack({"kind": "publishes"}))


@dataclass
class Link:
    """One connection on another worker, as its session's owner sees it."""

    session: Session
    viewer: Viewer
    socket: BusSocket
    conn: Connection
    worker: str  # the worker holding the real connection
    rate: TokenBucket
    knocking: bool  # the room was closed when it connected: its first message must be a valid ``auth``
    inbox: asyncio.Queue[dict[str, Any] | None] = field(default_factory=asyncio.Queue)
    waiting_bytes: int = 0  # of the messages in ``inbox``
    heard: bool = False  # a message came (a knocking link's ``auth`` may be being answered)
    tasks: list[asyncio.Task[None]] = field(default_factory=list)


class Links:
    """Every link of this worker's sessions; messages of one link are answered one after the other."""

    def __init__(self, app: FastAPI, node: Node) -> None:
        self._app, self._node = app, node
        self._links: dict[str, Link] = {}
        self._watchers: dict[str, asyncio.Task[None]] = {}  # per session with links: is its room closed?
        self._sweeper: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Begin closing the links of workers that died."""
        self._sweeper = asyncio.create_task(self._sweep_forever())

    async def take(self, header: dict[str, Any], body: bytes) -> None:
        """An inbox message about a link (called in the order they came; returns at once)."""
        link_id, kind = header["link"], header["op"]
        if kind == "open":
            self._open(link_id, header)
            return
        link = self._links.get(link_id)
        if link is None:
            return
        if kind == "close":
            link.inbox.put_nowait(None)
        elif link.viewer.ending:  # its last reply and close are on their way: the rest is not kept
            return
        elif link.inbox.qsize() >= MAX_WAITING:  # its worker reads the client without waiting for us
            flood = LimitReached(f"more than {MAX_WAITING} messages wait to be answered; slow down")
            link.viewer.end(Error.of(flood), CLOSE_POLICY, "too many messages waiting")
        elif link.waiting_bytes and link.waiting_bytes + len(body) > MAX_WAITING_BYTES:
            flood = LimitReached(f"more than {MAX_WAITING_BYTES} bytes wait to be answered; slow down")
            link.viewer.end(Error.of(flood), CLOSE_POLICY, "too many bytes waiting")
        else:
            link.waiting_bytes += len(body)
            link.heard = True
            content = {"text": body.decode()} if header.get("text") else {"bytes": body}
            link.inbox.put_nowait({**content, "size": len(body)})

    def _open(self, link_id: str, header: dict[str, Any]) -> None:
        state = self._app.state
        socket = BusSocket(self._node, header["channel"])
        viewer = Viewer(socket, state.clock)  # type: ignore[arg-type]
        task = asyncio.create_task(viewer.send_loop())
        try:
            session = state.sessions.get(header["session"])
            if session.audience.count >= state.settings.max_viewers:
                raise LimitReached(f"this session has its maximum of {state.settings.max_viewers} viewers")
        except (NotFound, LimitReached) as exc:
            code = CLOSE_NOT_FOUND if isinstance(exc, NotFound) else CLOSE_TRY_LATER
            viewer.end(Error.of(exc), code, exc.message[:100])
            return
        per_second = state.settings.max_messages_per_s
        conn = Connection(viewer.ws, state.settings, state.hosts, state.sessions, state.rooms, state.clock)
        rate = TokenBucket(per_second, 2 * per_second, state.clock)
        link = Link(session, viewer, socket, conn, header["worker"], rate, not session.control.room_open)
        link.tasks = [task, asyncio.create_task(self._serve(link_id, link))]
        if link.knocking:
            link.tasks.append(asyncio.create_task(_knock_deadline(link)))
        self._links[link_id] = link
        if session.id not in self._watchers:
            self._watchers[session.id] = asyncio.create_task(self._watch_room(session))
        session.audience.came()
        state.rooms.count_changed(session)  # coalesced with the local viewers' comings and goings

    async def _serve(self, link_id: str, link: Link) -> None:
        try:
            while (message := await link.inbox.get()) is not None:
                link.waiting_bytes -= message["size"]
                if link.viewer.ending:
                    continue
                if link.knocking and not _is_auth(message):
                    link.viewer.end(ROOM_CLOSED, CLOSE_SESSION_ENDED, "the presenter closed the room")
                    continue
                if "bytes" in message and _starts_publishing(link):
                    # Told before the frame is relayed: its connection's worker must not send it back.
                    link.viewer.publishes = True
                    await link.socket.mark_publisher()
                await answer(message, link.conn, link.session, link.viewer, link.rate)
                if link.knocking and link.session.control.number_of(link.viewer) is None:
                    link.viewer.end(ROOM_CLOSED, CLOSE_SESSION_ENDED, "the presenter closed the room")
                link.knocking = False
        finally:
            self._links.pop(link_id, None)
            link.session.control.leave(link.viewer)
            link.session.audience.went()
            rooms = self._app.state.rooms
            rooms.count_changed(link.session)
            for task in (link.tasks[0], *link.tasks[2:]):  # its send loop and knock deadline, not this
                task.cancel()
            if not any(x.session is link.session for x in self._links.values()):
                if not rooms.has_viewers(link.session):
                    rooms.counts_settled(link.session)
                watcher = self._watchers.pop(link.session.id, None)
                if watcher is not None:
                    watcher.cancel()

    async def _watch_room(self, session: Session) -> None:
        """When the room closes, its viewers on other workers are dismissed as the owner's own are."""
        async with self._node.bus.subscribe(channel(session.id, "state")) as states:
            self._dismiss_viewers(session)  # a room closed before this listened
            async for message in states:
                state = read_server_message(message)
                if isinstance(state, State) and state.room != "open":
                    self._dismiss_viewers(session)

    def _dismiss_viewers(self, session: Session) -> None:
        """If the room is closed, end the links of ``session`` that are neither presenters nor knocking."""
        if session.control.room_open:
            return
        for link in [x for x in self._links.values() if x.session is session]:
            if not link.knocking and session.control.number_of(link.viewer) is None:
                link.viewer.end(ROOM_CLOSED, CLOSE_SESSION_ENDED, "the presenter closed the room")

    async def _sweep_forever(self) -> None:
        while True:
            await asyncio.sleep(LEASE_S)
            for worker in {link.worker for link in self._links.values()}:
                with contextlib.suppress(Exception):  # Redis away: try again next time
                    if not await self._node.registry.owner_alive(worker):
                        log.info("cluster: worker %s is gone; closing its connections", worker)
                        for link in [x for x in self._links.values() if x.worker == worker]:
                            link.inbox.put_nowait(None)

    async def close(self) -> None:
        """End every link (shutdown)."""
        tasks = [t for link in self._links.values() for t in link.tasks] + list(self._watchers.values())
        if self._sweeper is not None:
            tasks.append(self._sweeper)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


async def _knock_deadline(link: Link) -> None:
    """A link opened while the room was closed has ``KNOCK_S`` to present ``auth``, as a connection to this
    worker has: one that sent nothing by then is dismissed, unless the room opened meanwhile. (Its worker
    let it in without a knock when its snapshot still showed the room open.)"""
    await asyncio.sleep(KNOCK_S)
    if link.heard or link.viewer.ending:
        return  # it knocked: its first message says whether it may stay
    if link.session.control.room_open:
        link.knocking = False
    else:
        link.viewer.end(ROOM_CLOSED, CLOSE_SESSION_ENDED, "the presenter closed the room")


def _starts_publishing(link: Link) -> bool:
    """Whether the link's client becomes the one that sends the session's frames (the driver of a run that
    relays them) with this frame, as ``answer`` will find."""
    session, viewer = link.session, link.viewer
    return not viewer.publishes and session.spec.relayed and session.control.holds(viewer)


def _is_auth(message: dict[str, Any]) -> bool:
    """Whether a received message is a well-formed ``auth`` (what a closed room lets knock)."""
    try:
        return isinstance(parse_message(message.get("text") or ""), Auth)
    except (MessageError, NnliveError):
        return False
