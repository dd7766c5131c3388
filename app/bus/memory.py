"""``memory://``: the bus inside one process, nothing to install."""

import asyncio
from collections import defaultdict, deque
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from app.bus.base import Bus


class MemoryBus(Bus):
    """Fan-out to per-subscriber queues of ``depth`` messages; when one is full its oldest is dropped."""

    def __init__(self, depth: int = 8) -> None:
        self._depth = depth
        self._subscribers: defaultdict[str, set[SubscriberQueue]] = defaultdict(set)

    def publish_nowait(self, channel: str, message: bytes) -> None:
        """In one process publishing is a hand-off to each subscriber's queue."""
        self.deliver(channel, message)

    def deliver(self, channel: str, message: bytes) -> None:
        """Put ``message`` in the queue of every subscriber of ``channel`` in this process."""
        for queue in self._subscribers.get(channel, ()):
            queue.put(message)

    @asynccontextmanager
    async def subscribe(self, channel: str, depth: int | None = None) -> AsyncIterator[AsyncIterator[bytes]]:
        """Receive what is published on ``channel`` from now until the block ends."""
        queue = SubscriberQueue(depth or self._depth)
        first = channel not in self._subscribers
        self._subscribers[channel].add(queue)
        try:
            if first:
                await self._listen(channel)
            yield queue
        finally:
            self._subscribers[channel].discard(queue)
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


class SubscriberQueue:
    """One subscriber's newest ``depth`` messages, read with ``async for`` by one task.

    A bounded deque drops the oldest by itself, and reading takes a message without suspending while one
    is there: lighter than an ``asyncio.Queue``, which counts unfinished tasks and wakes putters on
    every message.
    """

    __slots__ = ("_messages", "_waiter")

    def __init__(self, depth: int) -> None:
        self._messages: deque[bytes] = deque(maxlen=depth)
        self._waiter: asyncio.Future[None] | None = None

    def put(self, message: bytes) -> None:
        """Keep ``message`` (dropping the oldest when full) and wake the reader if it waits."""
        self._messages.append(message)
        waiter = self._waiter
        if waiter is not None:
            self._waiter = None
            if not waiter.done():
                waiter.set_result(None)

    def __aiter__(self) -> "SubscriberQueue":
        return self

    async def __anext__(self) -> bytes:
        while not self._messages:
            self._waiter = asyncio.get_running_loop().create_future()
            await self._waiter
        return self._messages.popleft()
