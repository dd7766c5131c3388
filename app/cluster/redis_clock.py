"""The one clock every worker of a deployment reads lease times from: the Redis server's (``TIME``).

The workers' own wall clocks may differ by seconds (no NTP, a VM that was paused); a lease written by one
and checked by another must not depend on that. So every lease score is Redis time: a worker reads
``TIME`` at most once per ``RESYNC_S`` and carries it forward on its own monotonic clock in between (one
round trip a second, not one per registry call; two monotonic clocks drift apart by far less than a
millisecond in a second).
"""

import time
from collections.abc import Callable

import redis.asyncio as redis

RESYNC_S = 1.0


class RedisClock:
    """Seconds on the clock of the Redis server that ``now`` is given a connection to."""

    def __init__(self, local: Callable[[], float] = time.monotonic, resync_s: float = RESYNC_S) -> None:
        self._local, self._resync_s = local, resync_s  # tests give a clock they step, and no resync
        self._offset: float | None = None  # Redis time minus local time, as of the last read
        self._read_at = 0.0  # local time of that read

    async def now(self, connection: redis.Redis) -> float:
        """Redis time now (may raise ``RedisError`` or ``OSError`` when it has to ask and cannot)."""
        if self._offset is None or self._local() - self._read_at >= self._resync_s:
            before = self._local()
            seconds, micros = await connection.time()
            after = self._local()
            self._offset = seconds + micros / 1e6 - (before + after) / 2  # the answer left Redis mid-way
            self._read_at = after
        return self._local() + self._offset

    def latest(self) -> float:
        """Redis time counted on from the last read, without asking (this host's wall clock before any)."""
        return time.time() if self._offset is None else self._local() + self._offset
