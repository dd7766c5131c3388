"""Newest-wins mailboxes: a slow reader costs bounded memory and never slows the writer."""

import asyncio
import itertools
import threading
from collections import deque
from collections.abc import Callable, Hashable, Mapping
from typing import Any

Put = Callable[[Hashable, Any], None]  # (stream, value)


class LatestSlots:
    """Values by stream, read in first-written order. A stream keeps its newest ``depth`` unread values
    (``depths[stream]``, 1 unless given): a new value beyond that drops the stream's oldest unread one.

    A depth of a few frames lets a reader that is only momentarily late (the event loop lagged one frame
    period) take every frame, while one that is really behind still holds no more than ``depth``.
    """

    def __init__(self, depths: Mapping[Hashable, int] | None = None) -> None:
        self._depths = dict(depths or {})
        self._slots: dict[Hashable, tuple[Hashable, Any]] = {}  # key -> (stream, value), oldest first
        self._queued: dict[Hashable, deque[Hashable]] = {}  # a deep stream's keys waiting, oldest first
        self._numbers = itertools.count()
        self._waiter: asyncio.Future[None] | None = None  # the reader waiting in ``get``

    def put(self, stream: Hashable, value: Any) -> None:
        """Store ``value`` as the newest of ``stream`` (dropping its oldest unread one beyond its depth)."""
        depth = self._depths.get(stream, 1)
        if depth == 1:
            key: Hashable = stream
            self._slots.pop(key, None)
        else:
            key = (stream, next(self._numbers))
            queued = self._queued.setdefault(stream, deque())
            if len(queued) >= depth:
                del self._slots[queued.popleft()]
            queued.append(key)
        self._slots[key] = (stream, value)
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    def putter(self, at_once: Callable[[Hashable, Any], bool] | None = None) -> Put:
        """``put`` callable from any thread; made on the reader's running event loop. From another thread
        it hands the put to the loop (``call_soon_threadsafe``); on the loop's own thread it puts at once
        (no callback, no wake-up of the loop), or, while the reader waits with nothing unread, offers the
        value to ``at_once`` first, which does the reader's work there and then (True) or declines (False).
        Puts from one thread keep their order, and nothing is handled before a value put earlier."""
        loop, loop_thread = asyncio.get_running_loop(), threading.get_ident()

        def put(stream: Hashable, value: Any) -> None:
            if threading.get_ident() != loop_thread:
                loop.call_soon_threadsafe(self.put, stream, value)
            elif at_once is None or not self._idle() or not at_once(stream, value):
                self.put(stream, value)

        return put

    def _idle(self) -> bool:
        """Whether the reader waits in ``get`` with nothing unread."""
        waiter = self._waiter
        return not self._slots and waiter is not None and not waiter.done()

    async def get(self) -> tuple[Hashable, Any]:
        """Wait for and take the oldest waiting (stream, value)."""
        while not self._slots:
            self._waiter = asyncio.get_running_loop().create_future()
            try:
                await self._waiter
            finally:
                self._waiter = None
        key = next(iter(self._slots))
        stream, value = self._slots.pop(key)
        if key is not stream:  # a deep stream's: it was the oldest of its queue
            self._queued[stream].popleft()
        return stream, value

    def waiting(self, stream: Hashable) -> list[Any]:
        """The unread values of ``stream``, oldest first."""
        return [value for s, value in self._slots.values() if s == stream]

    def __len__(self) -> int:
        return len(self._slots)
