"""Who watches a session in this process: written by the rooms only, read by the session and the reaper."""

import time
from collections.abc import Callable


class Audience:
    """The number of connections watching one session, and when it last changed (on ``clock``)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self.count = 0
        self.changed = clock()

    def came(self) -> None:
        """A viewer joined."""
        self.count += 1
        self.changed = self._clock()

    def went(self) -> None:
        """A viewer left."""
        self.count -= 1
        self.changed = self._clock()
