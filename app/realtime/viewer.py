"""One websocket connection: a newest-wins mailbox and the loop that sends it."""

import itertools
import time
from collections import deque
from collections.abc import Callable
from typing import Any

from fastapi import WebSocket

from app.protocol.server import Closed, Error, ServerMessage
from app.realtime.asgi_send import asgi_send_of
from app.realtime.mailbox import Mailbox
from app.realtime.prepared import prepared_frame, wire_writer_of
from app.realtime.send_now import SendNow, Unfinished

MAX_PENDING_REPLIES = 64
ERROR_WINDOW_S = 10.0
MAX_ERRORS_IN_WINDOW = 30
CLOSE_SESSION_ENDED = 4410
CLOSE_RESTARTING = 1012  # the server stops (``shutdown``): pages reconnect, a restart may bring it back


def close_code(closed: Closed) -> int:
    """The websocket close code after ``closed``: final (4410), or 1012 when the server shuts down."""
    return CLOSE_RESTARTING if closed.reason == "shutdown" else CLOSE_SESSION_ENDED


CLOSE_POLICY = 1008
FRAME_DEPTH = 3  # frames a viewer may have unsent: a momentary lag loses none, a stalled viewer holds 3


class Viewer:
    """What one client is sent: snapshots (newest wins per stream) and replies to its own messages."""

    __slots__ = (
        "_asgi_send",
        "_clock",
        "_errors",
        "_mailbox",
        "_reply_ids",
        "_send_now",
        "_unfinished",
        "_wire",
        "ending",
        "publishes",
        "ws",
    )  # (read for every viewer on every frame: fixed places, no instance dict)

    def __init__(self, ws: WebSocket, clock: Callable[[], float] = time.monotonic) -> None:
        self.ws, self._clock = ws, clock
        self._asgi_send = asgi_send_of(ws)  # frames go straight to the server's send when it is known
        self._mailbox = Mailbox(FRAME_DEPTH)
        self._send_now = SendNow(self._asgi_send) if self._asgi_send else None  # frames sent while idle
        self._wire = wire_writer_of(self._asgi_send)  # prepared frames written straight to the socket
        self._unfinished: Unfinished | None = None  # a frame's send begun at once that its sender finishes
        self._reply_ids = itertools.count()
        self._errors: deque[float] = deque()
        self.publishes = False  # it sends the session's frames itself (an SDK run): none come back
        self.ending = False  # a last message and a close are queued: nothing more is answered

    def offer(self, stream: str, payload: ServerMessage | bytes) -> None:
        """Queue a snapshot (a ``state``, ``view`` or ``closed`` message, or a binary frame); an unsent older
        one of that stream is dropped (of frames, the oldest beyond ``FRAME_DEPTH`` unsent ones)."""
        if isinstance(payload, bytes):  # a frame
            self.offer_frame(*prepared_frame(payload))
        else:
            self._mailbox.put(stream, stream, payload)

    def offer_frame(self, message: dict[str, Any], wire: bytes) -> None:
        """Send or queue a frame, given as its ``PreparedFrame`` (app/realtime/prepared.py), which a room
        builds once per frame for all its viewers. While the sender idles (nothing queued, no send in
        flight) the frame is sent right here: its prepared bytes written straight to the socket when
        uvicorn could write them at once itself, else the kept ASGI ``send`` begun
        (app/realtime/send_now.py), which nearly always completes at once, with no task woken; if it waits
        (the client reads slowly) or fails (the client went), the sender finishes it, and frames offered
        meanwhile are queued."""
        if self.publishes:
            return
        mailbox = self._mailbox
        if mailbox.parked:
            if self._wire is not None and self._wire.write(wire):
                return
            if self._send_now is not None:
                unfinished = self._send_now.send(message)
                if unfinished is not None:
                    self._unfinished = unfinished
                    mailbox.wake()
                return
        mailbox.put_frame(message)

    def waiting_frames(self) -> list[bytes]:
        """The frames queued and not yet sent, oldest first."""
        return [message["bytes"] for message in self._mailbox.frames]

    def pending(self) -> int:
        """How many messages wait to be sent."""
        return len(self._mailbox)

    def reply(self, message: ServerMessage) -> None:
        """Queue a reply to this client's own message; replies are never replaced by newer ones. A client
        with too many unsent replies gets one ``limit`` error after them and a 1008 close."""
        if self.ending:
            return
        if len(self._mailbox) >= MAX_PENDING_REPLIES:
            text = f"more than {MAX_PENDING_REPLIES} replies wait to be read; read them before sending more"
            error = Error(code="limit", message=text, id=getattr(message, "id", None))
            self.end(error, CLOSE_POLICY, "client is not reading its replies")
            return
        self._mailbox.put(("reply", next(self._reply_ids)), "reply", message)

    def end(self, last: ServerMessage | None, code: int, reason: str) -> None:
        """Send what is queued, then ``last`` (if any), then close with ``code``: no reply is lost."""
        if not self.ending:
            self.ending = True
            self._mailbox.put("end", "end", (last, code, reason))

    def misbehaving(self) -> bool:
        """Record one refused message; True once there are too many within the window."""
        now = self._clock()
        self._errors.append(now)
        while self._errors and now - self._errors[0] > ERROR_WINDOW_S:
            self._errors.popleft()
        return len(self._errors) > MAX_ERRORS_IN_WINDOW

    async def send_loop(self) -> None:
        """Send queued messages until the connection ends (or the session does). A frame's send begun at
        once that had to wait is finished first; whatever is queued is sent without waiting again; a frame
        goes to the server's ASGI ``send`` when it is known."""
        mailbox, frames, asgi_send = self._mailbox, self._mailbox.frames, self._asgi_send
        try:
            while True:
                if self._unfinished is not None:  # begun before anything now queued: it goes first
                    unfinished, self._unfinished = self._unfinished, None
                    await unfinished
                other = mailbox.due_other()
                if other is not None:
                    if await self._send_other(*other):
                        return
                elif frames:
                    message = frames.popleft()
                    await (asgi_send(message) if asgi_send else self.ws.send_bytes(message["bytes"]))
                else:
                    await mailbox.arrival()
        finally:
            mailbox.wake()  # (no longer parked: frames offered from now on are queued, not begun here)
            if self._unfinished is not None:  # begun as this sender was cancelled: nobody finishes it
                self._unfinished.close()

    async def _send_other(self, stream: object, payload: Any) -> bool:
        """Send a reply, a snapshot or the end; True once the connection is closed."""
        if stream == "end":
            last, code, reason = payload
            if last is not None:
                await self.ws.send_text(last.encoded.decode())
            await self.ws.close(code, reason)
            return True
        await self.ws.send_text(payload.encoded.decode())
        if isinstance(payload, Closed):
            await self.ws.close(close_code(payload), "session ended")
            return True
        return False
