"""A clock that tests step by hand, to give an app instead of sleeping until time passes."""

import threading


class ManualClock:
    """Seconds that move only when ``advance`` is called (safe from the test's and the server's threads)."""

    def __init__(self, start: float = 1000.0) -> None:
        self._now = start
        self._lock = threading.Lock()

    def __call__(self) -> float:
        with self._lock:
            return self._now

    def advance(self, seconds: float) -> None:
        """Let ``seconds`` pass."""
        with self._lock:
            self._now += seconds
