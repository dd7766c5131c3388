"""When a session nobody needs may be ended: a page that went away asked for it (``release``), or its
client reached its session limit and needs room (eviction of its oldest unneeded session).

A session is needed while anyone watches it (viewers or other presenters: it is shared, recorded or
simply open), while it trains or waits in the training queue, and for ``UNWATCHED_GRACE_S`` after its
last viewer left (a page that reloads comes back within it).
"""

import math
from collections.abc import Iterable

from app.sessions.session import Session

UNWATCHED_GRACE_S = 10.0
BUSY_STATES = frozenset({"training", "queued"})


def unneeded(session: Session, now: float) -> bool:
    """Nobody watches it, it neither trains nor waits to, and its last viewer left a while ago."""
    quiet = now - session.last_active >= UNWATCHED_GRACE_S
    return session.viewers == 0 and session.state not in BUSY_STATES and quiet


def oldest_unneeded(sessions: Iterable[Session], now: float, count: int) -> list[Session]:
    """The ``count`` oldest of ``sessions`` that may be ended to make room (fewer when fewer may)."""
    return sorted((s for s in sessions if unneeded(s, now)), key=lambda s: s.created)[:count]


def seconds_until_room(sessions: Iterable[Session], now: float, idle_s: float) -> int | None:
    """When one of ``sessions`` (a client's) may be ended at the earliest, in whole seconds; None when
    all are watched, so that nothing frees up on its own."""
    waits = []
    for session in sessions:
        if session.viewers:
            continue
        grace = idle_s if session.state in BUSY_STATES else UNWATCHED_GRACE_S
        waits.append(session.last_active + grace - now)
    return max(1, math.ceil(min(waits))) if waits else None
