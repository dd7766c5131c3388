"""A token bucket: how often a client may do something, with a burst allowance."""

import time
from collections.abc import Callable


class TokenBucket:
    """``rate`` tokens a second, at most ``burst`` saved up; ``take(n)`` spends n if they are there."""

    def __init__(self, rate: float, burst: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.rate, self.burst, self._clock = rate, burst, clock
        self._tokens, self._last = burst, clock()

    def take(self, n: float = 1.0) -> bool:
        """Spend ``n`` tokens and return True, or return False (and spend nothing) when too few are left."""
        now = self._clock()
        self._tokens = min(self.burst, self._tokens + (now - self._last) * self.rate)
        self._last = now
        if n > self._tokens:
            return False
        self._tokens -= n
        return True

    def wait_s(self, n: float = 1.0) -> float:
        """Seconds until ``n`` tokens will be there."""
        return max(0.0, (n - self._tokens) / self.rate)
