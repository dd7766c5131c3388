"""The bus: carries encoded frames and state between processes, behind a URL."""

from abc import ABC, abstractmethod
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager


class Bus(ABC):
    """Publish bytes on a channel; every current subscriber of it receives them in order.

    A subscriber that falls behind may lose messages (the oldest first), never block a publisher:
    everything sent on a channel is a complete snapshot, so the newest is what counts.
    """

    @abstractmethod
    def publish_nowait(self, channel: str, message: bytes) -> None:
        """Send ``message`` to the subscribers of ``channel`` without waiting for any of them (nor for
        another process: a bus across processes queues it)."""

    async def publish(self, channel: str, message: bytes) -> None:
        """``publish_nowait``, for callers that await."""
        self.publish_nowait(channel, message)

    @abstractmethod
    def subscribe(self, channel: str) -> AbstractAsyncContextManager[AsyncIterator[bytes]]:
        """``async with bus.subscribe(ch) as messages: async for m in messages: ...``"""

    async def close(self) -> None:  # noqa: B027 - optional hook
        """Release connections."""
