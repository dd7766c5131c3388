"""``memory://``: the bus inside one process, nothing to install."""

import asyncio
from collections import defaultdict
from collections.abc import AsyncIterator, Awaitable
from contextlib import asynccontextmanager

from app.bus.base import Bus


class MemoryBus(Bus):
    """Fan-out to per-subscriber queues of ``depth`` messages; when one is full its oldest is dropped."""

    def __init__(self, depth: int = 8) -> None:
        self._depth = depth
        self._subscribers: defaultdict[str, set[asyncio.Queue]] = defaultdict(set)

    async def publish(self, channel: str, message: bytes) -> None:
        """Deliver to every subscriber of ``channel`` without waiting for any of them."""
        self.deliver(channel, message)

    def deliver(self, channel: str, message: bytes) -> None:
        """Put ``message`` in the queue of every subscriber of ``channel`` in this process."""
        for q in self._subscribers.get(channel, ()):
            if q.full():
                q.get_nowait()
            q.put_nowait(message)

    @asynccontextmanager
    async def subscribe(self, channel: str) -> AsyncIterator[AsyncIterator[bytes]]:
        """Receive what is published on ``channel`` from now until the block ends."""
        q: asyncio.Queue = asyncio.Queue(self._depth)
        first = channel not in self._subscribers
        self._subscribers[channel].add(q)
        try:
            if first:
                await self._listen(channel)
            yield _Drain(q)
        finally:
            self._subscribers[channel].discard(q)
            if not self._subscribers[channel]:
                del self._subscribers[channel]
                await self._unlisten(channel)

    async def _listen(self, channel: str) -> None:
        """Hook: this process has its first subscriber of ``channel`` (other buses listen elsewhere)."""

    async def _unlisten(self, channel: str) -> None:
        """Hook: the last subscriber of ``channel`` in this process left."""

    @property
    def channels(self) -> list[str]:
        """The channels this process has subscribers of."""
        return list(self._subscribers)


class _Drain:
    """The messages of one subscriber's queue, for ``async for`` (without an async generator's frame)."""

    def __init__(self, q: asyncio.Queue) -> None:
        self._q = q

    def __aiter__(self) -> "_Drain":
        return self

    def __anext__(self) -> Awaitable[bytes]:
        return self._q.get()
