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
    async def publish(self, channel: str, message: bytes) -> None:
        """Send ``message`` to the subscribers of ``channel``."""

    def publish_nowait(self, channel: str, message: bytes) -> bool:
        """Publish at once if this bus can without waiting (the memory bus; Redis's, which queues for
        Redis); False: nothing was sent, the caller awaits ``publish``."""
        return False

    @abstractmethod
    def subscribe(self, channel: str) -> AbstractAsyncContextManager[AsyncIterator[bytes]]:
        """``async with bus.subscribe(ch) as messages: async for m in messages: ...``"""

    async def close(self) -> None:  # noqa: B027 - optional hook
        """Release connections."""
