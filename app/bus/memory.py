"""``memory://``: the bus inside one process, nothing to install."""

import asyncio
from collections import defaultdict
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from app.bus.base import Bus


class MemoryBus(Bus):
    """Fan-out to per-subscriber queues of ``depth`` messages; when one is full its oldest is dropped."""

    def __init__(self, depth: int = 8) -> None:
        self._depth = depth
        self._subscribers: defaultdict[str, set[asyncio.Queue]] = defaultdict(set)

    async def publish(self, channel: str, message: bytes) -> None:
        """Deliver to every subscriber of ``channel`` without waiting for any of them."""
        for q in self._subscribers.get(channel, ()):
            if q.full():
                q.get_nowait()
            q.put_nowait(message)

    @asynccontextmanager
    async def subscribe(self, channel: str) -> AsyncIterator[AsyncIterator[bytes]]:
        """Receive what is published on ``channel`` from now until the block ends."""
        q: asyncio.Queue = asyncio.Queue(self._depth)
        self._subscribers[channel].add(q)
        try:
            yield _drain(q)
        finally:
            self._subscribers[channel].discard(q)
            if not self._subscribers[channel]:
                del self._subscribers[channel]


async def _drain(q: asyncio.Queue) -> AsyncIterator[bytes]:
    while True:
        yield await q.get()
