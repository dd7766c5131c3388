"""Who watches a session in this process: written by the rooms only, read by the session and the reaper."""

import time


class Audience:
    """The number of connections watching one session, and when it last changed."""

    def __init__(self) -> None:
        self.count = 0
        self.changed = time.monotonic()

    def came(self) -> None:
        """A viewer joined."""
        self.count += 1
        self.changed = time.monotonic()

    def went(self) -> None:
        """A viewer left."""
        self.count -= 1
        self.changed = time.monotonic()
