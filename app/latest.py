"""Newest-wins mailboxes: a slow reader costs bounded memory and never slows the writer."""

import asyncio
from collections.abc import Hashable
from typing import Any


class LatestSlots:
    """One slot per stream; a new value replaces an unread older one. Read in first-written order."""

    def __init__(self) -> None:
        self._slots: dict[Hashable, Any] = {}
        self._ready = asyncio.Event()

    def put(self, stream: Hashable, value: Any) -> None:
        """Store ``value`` as the newest of ``stream`` (dropping an unread older value)."""
        self._slots.pop(stream, None)
        self._slots[stream] = value
        self._ready.set()

    async def get(self) -> tuple[Hashable, Any]:
        """Wait for and take the oldest waiting (stream, value)."""
        while not self._slots:
            self._ready.clear()
            await self._ready.wait()
        stream = next(iter(self._slots))
        return stream, self._slots.pop(stream)

    def __len__(self) -> int:
        return len(self._slots)
