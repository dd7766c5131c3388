"""Pick the bus implementation from its URL."""

from app.bus.base import Bus
from app.bus.memory import MemoryBus


def make_bus(url: str) -> Bus:
    """``memory://`` → MemoryBus (one process); ``redis://`` or ``rediss://`` → RedisBus (many)."""
    if url.startswith("memory://"):
        return MemoryBus()
    if url.startswith(("redis://", "rediss://")):
        from app.bus.redis import RedisBus  # only a Redis deployment needs the client

        return RedisBus(url)
    raise ValueError(f"unsupported bus URL {url!r}: use memory:// or redis://host:port/db")
