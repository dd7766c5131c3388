"""Pick the bus implementation from its URL."""

from app.bus.base import Bus
from app.bus.memory import MemoryBus


def make_bus(url: str) -> Bus:
    """``memory://`` → MemoryBus; other schemes are refused with a clear message."""
    if url.startswith("memory://"):
        return MemoryBus()
    raise ValueError(f"unsupported bus URL {url!r}: only memory:// is available in this version")
