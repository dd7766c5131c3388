"""A warning that can repeat many times a second (one per refused viewer, one per second while Redis is
away), logged at most once per ``every_s``: the first at once, then the next one after ``every_s`` with
how many like it were left out since the last line (those left out after the last line are counted in
the next one, whenever it comes: nothing runs in between). Once the problem is ``cleared`` (Redis
answered again), its next warning is a new problem's first: logged at once."""

import logging
import math
import time
from collections.abc import Callable

EVERY_S = 60.0


class ThrottledWarning:
    """One kind of warning of ``log`` (one call site), rate-limited by ``clock``."""

    def __init__(
        self, log: logging.Logger, every_s: float = EVERY_S, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._log, self._every_s, self._clock = log, every_s, clock
        self._last = -math.inf  # when the last line was logged
        self._left_out = 0  # warnings since then
        self._cleared = False  # the problem went away since then: the next warning is logged at once

    def warning(self, message: str, *args: object) -> None:
        """Log ``message % args``, unless a line was logged less than ``every_s`` ago (then count it)."""
        now = self._clock()
        if now - self._last < self._every_s and not self._cleared:
            self._left_out += 1
            return
        if self._left_out:
            message += " (and %d more like it in the last %.0f s)"
            args = (*args, self._left_out, now - self._last)
        self._log.warning(message, *args, stacklevel=2)
        self._last, self._left_out, self._cleared = now, 0, False

    def cleared(self) -> None:
        """The problem went away (the call that warned succeeded): its next warning is logged at once."""
        self._cleared = True
