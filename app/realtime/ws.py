"""The session websocket: anyone may watch; a client that sends ``auth`` with the control token becomes a
presenter, and the presenter holding control drives (app/sessions/control.py)."""

import asyncio
import contextlib
import logging
from typing import Any

from fastapi import APIRouter, WebSocket, WebSocketDisconnect

from app.errors import BadRequest, Busy, Internal, LimitReached, NnliveError, NotFound
from app.protocol.messages import (
    AnyClientMessage,
    Auth,
    Handoff,
    InputMessage,
    MessageError,
    MessageId,
    Pause,
    Ping,
    Reset,
    Room,
    Set,
    Step,
    Train,
    View,
    parse_message,
)
from app.protocol.server import Closed, Error, Ok, Pong, SharedView
from app.rate import TokenBucket
from app.realtime.connection import Connection, connection
from app.realtime.origin import page_may_connect
from app.realtime.relay import frame_too_long, relay_frame
from app.realtime.viewer import CLOSE_POLICY, CLOSE_SESSION_ENDED, Viewer, close_code
from app.sessions.session import Session

router = APIRouter()
log = logging.getLogger(__name__)
CLOSE_NOT_FOUND = 4404
CLOSE_TRY_LATER = 1013
MAX_VIEW_CHARS = 16 * 1024
KNOCK_S = 10.0  # how long a connection to a closed room has to present the token
ROOM_CLOSED = Closed(reason="room_closed")


@router.websocket_route("/ws/sessions/{session_id}")  # a plain route: no dependencies to solve per join
async def session_socket(ws: WebSocket) -> None:
    """Watch (and, with the token, drive) one session."""
    conn, session_id = connection(ws), ws.path_params["session_id"]
    if not page_may_connect(conn):
        await ws.close(CLOSE_POLICY, "origin not allowed")  # before accepting: the handshake gets 403
        return
    await ws.accept()
    try:
        session = conn.sessions.get(session_id)
    except NotFound as exc:
        cluster = getattr(ws.app.state, "cluster", None)  # several workers (app/cluster): ask the others
        if cluster is not None and await cluster.serve_socket(conn, session_id):
            return
        if reason := conn.sessions.ended_reason(session_id):  # a page coming back learns why it ended
            closed = Closed(reason=reason)
            await ws.send_text(closed.encoded.decode())
            await ws.close(close_code(closed), "session ended")
            return
        await ws.send_text(Error.of(exc).encoded.decode())
        await ws.close(CLOSE_NOT_FOUND, "no such session")
        return
    knock = None
    if not session.control.room_open:
        admitted, knock = await _knock(conn, session)
        if not admitted:
            return
    viewer = Viewer(ws, conn.clock)
    sender: asyncio.Task | None = None
    try:
        try:
            await conn.rooms.join(session, viewer)
        except (LimitReached, Busy) as exc:  # too many viewers, or the bus did not subscribe in time
            await try_later(ws, exc)
            return
        if knock is not None:
            await _dispatch(knock, conn, session, viewer)
        sender = asyncio.create_task(viewer.send_loop())
        await _receive_while_sending(conn, session, viewer, sender)
    finally:
        try:
            if sender is not None:
                sender.cancel()
                await asyncio.gather(sender, return_exceptions=True)
        finally:  # (also when cancelled again while waiting: the viewer never stays counted)
            session.control.leave(viewer)
            await conn.rooms.leave(session, viewer)


async def try_later(ws: WebSocket, refusal: NnliveError) -> None:
    """Refuse a joining connection for now: an ``error`` with ``refusal``, then close 1013 (try again
    later). A client that already left is not told."""
    with contextlib.suppress(RuntimeError, WebSocketDisconnect):
        await ws.send_text(Error.of(refusal).encoded.decode())
        await ws.close(CLOSE_TRY_LATER, refusal.message[:100])


async def _knock(conn: Connection, session: Session) -> tuple[bool, Auth | None]:
    """A closed room admits presenters only: the first message must be ``auth`` with the token (the
    page's socket sends it first). Returns whether the connection may join and the ``auth`` to answer
    once it joined (None for a viewer let in because the room reopened while it waited)."""
    ws, limit = conn.ws, conn.settings.max_message_bytes
    try:
        msg = _parse(await asyncio.wait_for(ws.receive(), KNOCK_S), limit)
        if isinstance(msg, Auth):
            conn.sessions.authorize(session.id, msg.token)
            return True, msg
    except TimeoutError:
        if session.control.room_open:
            return True, None
    except (WebSocketDisconnect, NnliveError, MessageError):
        pass
    with contextlib.suppress(RuntimeError, WebSocketDisconnect):
        await ws.send_text(ROOM_CLOSED.encoded.decode())
        await ws.close(CLOSE_SESSION_ENDED, "the presenter closed the room")
    return False, None


async def _receive_while_sending(
    conn: Connection, session: Session, viewer: Viewer, sender: asyncio.Task
) -> None:
    """Read the client's messages in this task until the client leaves or ``sender`` (the viewer's send
    loop) ends, whichever comes first: the sender's end cancels the reading. (One more task and
    ``asyncio.wait`` did the same at about twice the cost per join.)"""
    this, receiving, stopped = asyncio.current_task(), True, False

    def stop(_sender: asyncio.Task) -> None:
        nonlocal stopped
        if receiving and this is not None:
            stopped = True
            this.cancel()

    sender.add_done_callback(stop)
    try:
        await _receive(conn, session, viewer)
    except asyncio.CancelledError:
        if not stopped or (this is not None and this.uncancel() > 0):  # cancelled from outside too
            raise
    finally:
        receiving = False
        sender.remove_done_callback(stop)


async def _receive(conn: Connection, session: Session, viewer: Viewer) -> None:
    ws, per_second = conn.ws, conn.settings.max_messages_per_s
    rate = TokenBucket(per_second, 2 * per_second, conn.clock)  # two seconds' worth may come at once
    with contextlib.suppress(WebSocketDisconnect):
        while True:
            message = await ws.receive()
            if message["type"] == "websocket.disconnect":
                return
            if viewer.ending:  # its last reply and close are queued: the rest is not read
                continue
            await answer(message, conn, session, viewer, rate)
            await asyncio.sleep(0)  # the send task writes the reply before the next message is read


async def answer(
    message: dict[str, Any], conn: Connection, session: Session, viewer: Viewer, rate: TokenBucket
) -> None:
    """Do what one received websocket message asks; a refusal is answered with an ``error`` (and too many
    close the connection). Also called for a connection on another worker (app/cluster/links.py)."""
    msg_id = None
    try:
        if message.get("bytes") is not None:  # a frame from an external run's driver
            driver = session.control.holds(viewer)
            max_frame, per_s = conn.settings.max_frame_bytes, conn.settings.max_frame_bytes_per_s
            relay_frame(session, driver, message["bytes"], max_frame, per_s)
            viewer.publishes = True
            return
        msg = _parse(message, conn.settings.max_message_bytes)
        msg_id = msg.id
        if not rate.take():  # after parsing: the refusal carries the message's id
            raise LimitReached(f"at most {rate.rate:g} messages a second; slow down")
        await _dispatch(msg, conn, session, viewer)
        return
    except MessageError as exc:
        error, msg_id = BadRequest(exc.message, exc.field), exc.id
    except NnliveError as exc:
        error = exc
    except Exception:  # a bug: the client hears of it, the log has the traceback
        log.exception("message on session %s failed", session.id)
        error = Internal("the server failed on this message; it was logged")
    refuse(viewer, error, msg_id)


def refuse(viewer: Viewer, error: NnliveError, msg_id: MessageId = None) -> None:
    """Answer a refused message with an ``error``; too many close the connection."""
    viewer.reply(Error.of(error, msg_id))
    if viewer.misbehaving():
        viewer.end(None, CLOSE_POLICY, "too many bad messages")  # after the queued replies


def too_long(message: dict[str, Any], max_text: int, max_frame: int) -> LimitReached | None:
    """Why a received message is refused for its length alone (a text over ``max_text`` characters, a
    binary frame over ``max_frame`` bytes), or None."""
    text = message.get("text")
    if text is not None:
        if len(text) > max_text:
            return LimitReached(f"message of {len(text)} characters exceeds the limit of {max_text}")
        return None
    return frame_too_long(len(message.get("bytes") or b""), max_frame)


def _parse(message: dict[str, Any], limit: int) -> AnyClientMessage:
    text = message.get("text")
    if text is None:
        raise MessageError("send JSON text messages; binary messages are not accepted")
    if error := too_long(message, limit, 0):
        raise error
    return parse_message(text)


async def _dispatch(msg: AnyClientMessage, conn: Connection, session: Session, viewer: Viewer) -> None:
    """Do what one parsed message asks, chosen by its class."""
    if isinstance(msg, Ping):
        viewer.reply(Pong(id=msg.id))
        return
    if isinstance(msg, Auth):
        conn.sessions.authorize(session.id, msg.token)
        number, driving = await _present(session, viewer, msg.presenter)
        role = "driver" if driving else "presenter"
        viewer.reply(
            Ok(id=msg.id, for_=msg.type, role=role, presenter=number, control_seq=session.control.seq)
        )
        return
    session.control.require(viewer)
    if isinstance(msg, Handoff | Room):
        await _steer(msg, conn, session, viewer)
    elif isinstance(msg, View):
        view = SharedView(state=msg.state)  # its JSON, made once, is both measured and sent
        if len(view.encoded) > MAX_VIEW_CHARS:
            raise LimitReached(f"a view state may take at most {MAX_VIEW_CHARS} characters", "state")
        session.publish_view(view)  # no reply: pages send these as the presenter moves
    elif isinstance(msg, InputMessage):
        await session.run(session.apply, msg)
    else:
        await _lifecycle(msg, session)
        viewer.reply(Ok(id=msg.id, for_=msg.type))


async def _present(session: Session, viewer: Viewer, resume: int | None) -> tuple[int, bool]:
    """Make an authenticated connection a presenter; it drives if control is free. Training that the
    presenter grace paused resumes when a presenter takes control again."""
    control = session.control
    number = control.number_of(viewer)
    if number is None:
        number = control.join(viewer, resume)
    driving = control.claim(viewer)
    if driving and control.resume_due():
        with contextlib.suppress(NnliveError):  # a busy worker: the presenter presses Train itself
            await session.run(session.train)
    session.publish_state()
    return number, driving


async def _steer(msg: Handoff | Room, conn: Connection, session: Session, viewer: Viewer) -> None:
    """``handoff`` (control to another presenter) or ``room`` (open or close it to viewers)."""
    if isinstance(msg, Handoff):
        session.control.hand(viewer, msg.to)
    else:
        session.control.set_room(msg.open)
        if not msg.open:
            conn.rooms.dismiss_viewers(session, ROOM_CLOSED)
    session.publish_state()
    viewer.reply(Ok(id=msg.id, for_=msg.type))


async def _lifecycle(msg: Train | Pause | Step | Set | Reset, session: Session) -> None:
    """Train, pause, step, set or reset, on the session's worker."""
    if isinstance(msg, Train | Pause | Step) and not session.spec.trains:
        raise BadRequest(f"model {session.spec.name!r} does not train", "type")
    if isinstance(msg, Train):
        await session.run(session.train)
    elif isinstance(msg, Pause):
        await session.run(session.pause)
    elif isinstance(msg, Step):
        session.charge_steps(msg.count)
        await session.run(session.step_batches, msg.count)
    elif isinstance(msg, Set):
        await session.run(session.set_controls, msg.values)
    else:
        await session.run(session.reset)
