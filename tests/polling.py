"""Waiting for a condition that sends no event (a server's state seen from outside): asked again every
50 ms until it holds, for at most ``WAIT_S``; the one place tests poll."""

import time
from collections.abc import Callable
from typing import TypeVar

WAIT_S = 30.0
T = TypeVar("T")


def wait_until(
    condition: Callable[[], T], what: str = "the condition did not come true", wait_s: float = WAIT_S
) -> T:
    """The first truthy value of ``condition()``; fails with ``what`` when none comes in ``wait_s``."""
    deadline = time.monotonic() + wait_s
    while not (value := condition()):
        assert time.monotonic() < deadline, what
        time.sleep(0.05)
    return value
