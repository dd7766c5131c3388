"""The bus: carries encoded frames and state between processes, behind a URL."""

from abc import ABC, abstractmethod
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager

EVERY_MESSAGE = 1 << 16  # unread messages kept by a subscriber that must get each one (``depth``)


class Bus(ABC):
    """Publish bytes on a channel; every current subscriber of it receives them in order.

    A subscriber that falls behind may lose messages (the oldest first), never block a publisher: on a
    channel of snapshots (a session's frames, state, view) the newest is what counts. A channel of
    messages that must each arrive (a worker's inbox, a connection's answers) is subscribed with
    ``depth=EVERY_MESSAGE``: such a subscriber keeps what a burst brings until it reads it.
    """

    @abstractmethod
    def publish_nowait(self, channel: str, message: bytes) -> None:
        """Send ``message`` to the subscribers of ``channel`` without waiting for any of them (nor for
        another process: a bus across processes queues it)."""

    async def publish(self, channel: str, message: bytes) -> None:
        """``publish_nowait``, for callers that await."""
        self.publish_nowait(channel, message)

    @abstractmethod
    def subscribe(
        self, channel: str, depth: int | None = None
    ) -> AbstractAsyncContextManager[AsyncIterator[bytes]]:
        """``async with bus.subscribe(ch) as messages: async for m in messages: ...``; ``depth``: how many
        unread messages this subscriber keeps before the oldest is dropped (default: the bus's)."""

    async def close(self) -> None:  # noqa: B027 - optional hook
        """Release connections."""
