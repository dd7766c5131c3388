"""Calls that may come in bursts (a viewer joined, one left…) turned into at most one per interval."""

import asyncio
import math
from collections.abc import Callable
from typing import Protocol


class Timer(Protocol):
    def cancel(self) -> None: ...


Schedule = Callable[[float, Callable[[], None]], Timer]  # (delay in seconds, callback) → a timer


class Coalesced:
    """``request()`` runs ``action`` at once if it has not run for ``interval`` seconds of ``clock``;
    otherwise once, when the interval is over, however many requests came meanwhile.

    The wait is measured on ``clock`` (the app's clock; tests step a ManualClock): a timer wakes after
    the time still due and runs ``action`` only once ``clock`` says it is due, else waits again.
    """

    def __init__(
        self,
        action: Callable[[], None],
        interval: float,
        clock: Callable[[], float],
        schedule: Schedule | None = None,
    ) -> None:
        self._action, self._interval, self._clock = action, interval, clock
        self._schedule = schedule or _call_later
        self._last = -math.inf
        self._timer: Timer | None = None

    @property
    def pending(self) -> bool:
        """A request waits for the interval to end."""
        return self._timer is not None

    def request(self) -> None:
        """Ask for ``action``: now, or at the end of the current interval."""
        if self._timer is None:
            self._run_when_due()

    def flush(self) -> None:
        """Run a waiting request now (the room closes)."""
        if self._timer is not None:
            self._timer.cancel()
            self._run()

    def cancel(self) -> None:
        """Drop a waiting request (the server shuts down)."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def _run_when_due(self) -> None:
        self._timer = None
        wait = self._last + self._interval - self._clock()
        if wait > 0:
            self._timer = self._schedule(min(wait, self._interval), self._run_when_due)
        else:
            self._run()

    def _run(self) -> None:
        self._timer = None
        self._last = self._clock()
        self._action()


def _call_later(delay: float, callback: Callable[[], None]) -> Timer:
    return asyncio.get_running_loop().call_later(delay, callback)
