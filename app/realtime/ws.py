"""The session websocket: anyone may watch; a client that sends ``auth`` with the control token becomes a
presenter, and the presenter holding control drives (app/sessions/control.py)."""

import asyncio
import contextlib
import json
import logging
from typing import Any

from fastapi import APIRouter, WebSocket, WebSocketDisconnect

from app.errors import BadRequest, Internal, LimitReached, NnliveError, NotFound
from app.protocol.messages import INPUTS, TRAINING, MessageError, parse_message
from app.rate import TokenBucket
from app.realtime.origin import page_may_connect
from app.realtime.relay import relay_frame
from app.realtime.viewer import CLOSE_POLICY, CLOSE_SESSION_ENDED, Viewer
from app.sessions.session import Session

router = APIRouter()
log = logging.getLogger(__name__)
CLOSE_NOT_FOUND = 4404
CLOSE_TRY_LATER = 1013
MAX_VIEW_CHARS = 16 * 1024
KNOCK_S = 10.0  # how long a connection to a closed room has to present the token
ROOM_CLOSED = json.dumps({"type": "closed", "reason": "room_closed"}, separators=(",", ":")).encode()


@router.websocket("/ws/sessions/{session_id}")
async def session_socket(ws: WebSocket, session_id: str) -> None:
    """Watch (and, with the token, drive) one session."""
    if not page_may_connect(ws):
        await ws.close(CLOSE_POLICY, "origin not allowed")  # before accepting: the handshake gets 403
        return
    await ws.accept()
    manager, rooms = ws.app.state.sessions, ws.app.state.rooms
    try:
        session = manager.get(session_id)
    except NotFound as exc:
        if reason := manager.ended_reason(session_id):  # a page coming back learns why it ended
            await ws.send_json({"type": "closed", "reason": reason})
            await ws.close(CLOSE_SESSION_ENDED, "session ended")
            return
        await ws.send_json({"type": "error", **exc.body()})
        await ws.close(CLOSE_NOT_FOUND, "no such session")
        return
    knock = None
    if not session.control.room_open:
        admitted, knock = await _knock(ws, session)
        if not admitted:
            return
    viewer = Viewer(ws)
    tasks: list[asyncio.Task] = []
    try:
        try:
            await rooms.join(session, viewer)
        except LimitReached as exc:
            await ws.send_json({"type": "error", **exc.body()})
            await ws.close(CLOSE_TRY_LATER, "too many viewers")
            return
        if knock is not None:
            await _dispatch(knock, session, viewer)
        tasks = [asyncio.create_task(viewer.send_loop()), asyncio.create_task(_receive(ws, session, viewer))]
        await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        session.control.leave(viewer)
        await rooms.leave(session, viewer)


async def _knock(ws: WebSocket, session: Session) -> tuple[bool, Any]:
    """A closed room admits presenters only: the first message must be ``auth`` with the token (the
    page's socket sends it first). Returns whether the connection may join and the ``auth`` to answer
    once it joined (None for a viewer let in because the room reopened while it waited)."""
    limit = ws.app.state.settings.max_message_bytes
    try:
        msg = _parse(await asyncio.wait_for(ws.receive(), KNOCK_S), limit)
        if msg.type == "auth":
            ws.app.state.sessions.authorize(session.id, msg.token)
            return True, msg
    except TimeoutError:
        if session.control.room_open:
            return True, None
    except (WebSocketDisconnect, NnliveError, MessageError):
        pass
    with contextlib.suppress(RuntimeError, WebSocketDisconnect):
        await ws.send_text(ROOM_CLOSED.decode())
        await ws.close(CLOSE_SESSION_ENDED, "the presenter closed the room")
    return False, None


async def _receive(ws: WebSocket, session: Session, viewer: Viewer) -> None:
    limit = ws.app.state.settings.max_message_bytes
    per_second = ws.app.state.settings.max_messages_per_s
    rate = TokenBucket(per_second, burst=2 * per_second)  # two seconds' worth may come at once
    with contextlib.suppress(WebSocketDisconnect):
        while True:
            message = await ws.receive()
            if message["type"] == "websocket.disconnect":
                return
            if viewer.ending:  # its last reply and close are queued: the rest is not read
                continue
            msg_id = None
            try:
                if message.get("bytes") is not None:  # a frame from an external run's driver
                    settings = ws.app.state.settings
                    driver = session.control.holds(viewer)
                    max_frame, per_s = settings.max_frame_bytes, settings.max_frame_bytes_per_s
                    relay_frame(session, driver, message["bytes"], max_frame, per_s)
                    viewer.publishes = True
                    continue
                msg = _parse(message, limit)
                msg_id = msg.id
                if not rate.take():  # after parsing: the refusal carries the message's id
                    raise LimitReached(f"at most {rate.rate:g} messages a second; slow down")
                await _dispatch(msg, session, viewer)
                continue
            except MessageError as exc:
                error, msg_id = BadRequest(exc.message, exc.field), exc.id
            except NnliveError as exc:
                error = exc
            except Exception:  # a bug: the client hears of it, the log has the traceback
                log.exception("message on session %s failed", session.id)
                error = Internal("the server failed on this message; it was logged")
            viewer.reply({"type": "error", **error.body(), "id": msg_id})
            if viewer.misbehaving():
                viewer.end(None, CLOSE_POLICY, "too many bad messages")  # after the queued replies


def _parse(message: dict, limit: int) -> Any:
    text = message.get("text")
    if text is None:
        raise MessageError("send JSON text messages; binary messages are not accepted")
    if len(text) > limit:
        raise LimitReached(f"message of {len(text)} characters exceeds the limit of {limit}")
    return parse_message(text)


async def _dispatch(msg: Any, session: Session, viewer: Viewer) -> None:
    kind = msg.type
    if kind == "ping":
        viewer.reply({"type": "pong", "id": msg.id})
        return
    if kind == "auth":
        viewer.ws.app.state.sessions.authorize(session.id, msg.token)
        number, driving = await _present(session, viewer, msg.presenter)
        role = "driver" if driving else "presenter"
        control = {"role": role, "presenter": number, "control_seq": session.control.seq}
        viewer.reply({"type": "ok", "id": msg.id, "for": kind, **control})
        return
    session.control.require(viewer)
    if kind in ("handoff", "room"):
        await _steer(msg, session, viewer)
        return
    if kind == "view":
        if len(json.dumps(msg.state)) > MAX_VIEW_CHARS:
            raise LimitReached(f"a view state may take at most {MAX_VIEW_CHARS} characters", "state")
        session.publish_view(msg.state)  # no reply: pages send these as the presenter moves
        return
    if kind in INPUTS:
        await session.run(session.apply, msg.model_dump())
        return
    if kind in TRAINING and not session.spec.trains:
        raise BadRequest(f"model {session.spec.name!r} does not train", "type")
    if kind == "step":
        session.charge_steps(msg.count)
    await session.run(*_lifecycle(msg, session))
    viewer.reply({"type": "ok", "id": msg.id, "for": kind})


async def _present(session: Session, viewer: Viewer, resume: int | None) -> tuple[int, bool]:
    """Make an authenticated connection a presenter; it drives if control is free. Training that the
    presenter grace paused resumes when a presenter takes control again."""
    control = session.control
    number = control.number_of(viewer)
    if number is None:
        number = control.join(viewer, resume)
    driving = control.claim(viewer)
    if driving and control.paused_while_away:
        control.paused_while_away = False
        with contextlib.suppress(NnliveError):  # a busy worker: the presenter presses Train itself
            await session.run(session.train)
    session.publish_state()
    return number, driving


async def _steer(msg: Any, session: Session, viewer: Viewer) -> None:
    """``handoff`` (control to another presenter) or ``room`` (open or close it to viewers)."""
    if msg.type == "handoff":
        session.control.hand(viewer, msg.to)
    else:
        session.control.set_room(msg.open)
        if not msg.open:
            viewer.ws.app.state.rooms.dismiss_viewers(session, ROOM_CLOSED)
    session.publish_state()
    viewer.reply({"type": "ok", "id": msg.id, "for": msg.type})


def _lifecycle(msg: Any, session: Session) -> tuple:
    """The session method and arguments for train, pause, step, set or reset."""
    return {
        "train": lambda: (session.train,),
        "pause": lambda: (session.pause,),
        "step": lambda: (session.step_batches, msg.count),
        "set": lambda: (session.set_controls, msg.values),
        "reset": lambda: (session.reset,),
    }[msg.type]()
