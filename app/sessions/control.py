"""Who drives a session: among the connections that authenticated with its token (its presenters), one
holds control at a time; the holder may hand it to another; when the holder leaves, control is free
until a presenter claims it (the next one to authenticate, or the same one reconnecting)."""

import itertools
import time
from collections.abc import Callable
from typing import Any

from app.errors import BadRequest, Forbidden


class Control:
    """The presenters of one session, numbered 1, 2… in the order they authenticated, and the holder.

    A presenter is an opaque owner object (a connection); ``join`` may resume a number whose
    connection dropped, so a page that reconnects keeps its number, and its control if it held it.
    ``seq`` counts the changes, so a client can tell a ``state`` older than its ``auth`` reply.
    """

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._owners: dict[int, object] = {}  # presenter number → its connection
        self._numbers = itertools.count(1)
        self.holder: int | None = None
        self.away_since = clock()  # when control was last free (or the session began)
        self.room_open = True
        self._paused_while_away = False  # the presenter grace paused training; resume on return
        self.seq = 0
        self.lecture: str | None = None  # the room (app/sessions/lectures.py) whose link shows this session

    def join(self, owner: object, resume: int | None = None) -> int:
        """Register ``owner`` as a presenter (taking over number ``resume`` when it is still known)."""
        number = resume if resume in self._owners else next(self._numbers)
        self._owners[number] = owner
        self.seq += 1
        return number

    def claim(self, owner: object) -> bool:
        """Take control if nobody holds it; True when ``owner`` holds it now."""
        number = self.number_of(owner)
        if number is not None and self.holder is None:
            self.holder = number
            self.seq += 1
        return number is not None and self.holder == number

    def holds(self, owner: object) -> bool:
        """Whether ``owner`` is the presenter in control."""
        return self.holder is not None and self._owners.get(self.holder) is owner

    def number_of(self, owner: object) -> int | None:
        """The presenter number of ``owner`` (None for a viewer)."""
        return next((n for n, o in self._owners.items() if o is owner), None)

    def require(self, owner: object) -> None:
        """Raise Forbidden, saying who holds control, unless ``owner`` holds it."""
        if self.holds(owner):
            return
        if self.number_of(owner) is None:
            raise Forbidden("only the driver may do this: send auth with the session's control token")
        who = f"presenter {self.holder} holds control" if self.holder else "nobody holds control"
        raise Forbidden(f"{who}; send auth again to take it when it is free, or ask for a handoff")

    def hand(self, owner: object, to: int) -> None:
        """The holder gives control to presenter ``to``."""
        self.require(owner)
        if to not in self._owners:
            raise BadRequest(f"no connected presenter {to}; presenters: {sorted(self._owners)}", "to")
        self.holder = to
        self.seq += 1

    def set_room(self, open_: bool) -> None:
        """Open or close the room to viewers."""
        self.room_open = open_
        self.seq += 1

    def leave(self, owner: object) -> None:
        """Forget a presenter's connection (unless another took its number over); control goes free."""
        number = self.number_of(owner)
        if number is None:
            return
        del self._owners[number]
        self.seq += 1
        if self.holder == number:
            self.holder = None
            self.away_since = self._clock()

    def paused_for_absence(self) -> None:
        """Remember that training was paused because no presenter held control for too long."""
        self._paused_while_away = True

    def resume_due(self) -> bool:
        """Whether training should resume now that a presenter holds control again (asked once)."""
        due, self._paused_while_away = self._paused_while_away, False
        return due

    @property
    def presenting(self) -> int:
        """How many presenters are connected."""
        return len(self._owners)

    def describe(self) -> dict[str, Any]:
        """The fields of the ``state`` message about the presenters and the room."""
        return {
            "presenter": "connected" if self.holder is not None else "away",
            "holder": self.holder,
            "presenters": sorted(self._owners),
            "room": "open" if self.room_open else "closed",
            "control_seq": self.seq,
            "lecture": self.lecture,
        }
