"""One viewer's mailbox: what it has yet to be sent, in the order it was queued.

Frames, the bulk of the traffic, wait in a deque of the newest ``frame_depth`` (a new one beyond that drops
the oldest, in C); everything else (a snapshot per stream, newest wins; replies; the end) waits in an
ordered dict, each entry marked with how many frames had been queued before it, so that a frame queued
earlier still goes first. Putting a frame costs an append, a count and at most one wake-up.
"""

import asyncio
from collections import deque
from collections.abc import Hashable
from typing import Any


class Mailbox:
    """Frames (ASGI messages) and other messages by key, taken in first-queued order.

    ``parked`` is True while the sender waits on ``arrival`` with nothing queued: from ``arrival`` until
    the next put or ``wake``. A cancelled sender calls ``wake`` as it stops, at its next step, not at
    ``cancel()``: in between ``parked`` still says True (app/realtime/viewer.py closes a send begun then).
    It is a plain attribute, read for every viewer on every frame."""

    __slots__ = ("_framed", "_loop", "_others", "_waiter", "frames", "parked")

    def __init__(self, frame_depth: int) -> None:
        self.frames: deque[dict[str, Any]] = deque(maxlen=frame_depth)
        self._framed = 0  # frames ever queued (sent, waiting or dropped)
        self._others: dict[
            Hashable, tuple[int, Hashable, Any]
        ] = {}  # key -> (frames before it, stream, value)
        self._waiter: asyncio.Future[None] | None = None  # the sender waiting for something to send
        self.parked = False
        self._loop: asyncio.AbstractEventLoop | None = None

    def put_frame(self, message: dict[str, Any]) -> None:
        """Queue a frame; beyond the depth the oldest waiting one is dropped."""
        self.frames.append(message)
        self._framed += 1
        if self._waiter is not None:
            self.wake()

    def put(self, key: Hashable, stream: Hashable, value: Any) -> None:
        """Queue ``value`` of ``stream`` under ``key``; a waiting value of the same key is dropped."""
        self._others.pop(key, None)
        self._others[key] = (self._framed, stream, value)
        if self._waiter is not None:
            self.wake()

    def due_other(self) -> tuple[Hashable, Any] | None:
        """Take the oldest non-frame (stream, value) if no waiting frame was queued before it, else None."""
        if not self._others:
            return None
        key = next(iter(self._others))
        before, stream, value = self._others[key]
        if before > self._framed - len(self.frames):  # an older frame still waits
            return None
        del self._others[key]
        return stream, value

    def arrival(self) -> asyncio.Future[None]:
        """A future done when something is next queued (await it when nothing waits). A plain future, not a
        coroutine: the sender resumes without a frame of ours in between."""
        if self._loop is None:  # looked up once: on Python 3.11 each look-up costs a getpid() call
            self._loop = asyncio.get_running_loop()
        self._waiter = self._loop.create_future()
        self.parked = True
        return self._waiter

    def __len__(self) -> int:
        return len(self.frames) + len(self._others)

    def wake(self) -> None:
        """Un-park: wake the waiting sender, if one waits (something was queued, or it has something to do
        that is not in the mailbox), or mark a stopping sender as no longer waiting."""
        waiter, self._waiter = self._waiter, None
        self.parked = False
        if waiter is not None and not waiter.done():  # (done if its sender was cancelled)
            waiter.set_result(None)
