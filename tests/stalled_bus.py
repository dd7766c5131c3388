"""A memory bus whose subscriptions to sessions' channels are not confirmed while it is ``stalled``: a
bus that Redis, away or slow, keeps from subscribing (the rooms' joins time out)."""

import asyncio

from app.bus.memory import MemoryBus


class StalledBus(MemoryBus):
    """While ``stalled``, a first subscription to a session's channel waits for ``confirm`` (or until it
    is cancelled: its room closed)."""

    def __init__(self) -> None:
        super().__init__()
        self.stalled = True  # set False (from any thread): later subscriptions are confirmed at once
        self._waiting: list[asyncio.Future[None]] = []

    async def _listen(self, channel: str) -> None:
        if self.stalled and channel.startswith("session:"):
            waiter = asyncio.get_running_loop().create_future()
            self._waiting.append(waiter)
            await waiter

    def confirm(self) -> None:
        """Confirm the waiting subscriptions and every later one (on the bus's own event loop)."""
        self.stalled = False
        for waiter in self._waiting:
            if not waiter.done():
                waiter.set_result(None)
        self._waiting.clear()
