"""Admission to training: at most ``slots`` sessions train at once; the others wait first come, first served.

Sessions enter and leave from their own worker threads (and the event loop's helper threads), so every
change happens under one lock. A waiting session is told of each move with ``tell(place)``: a place of 1
or more while it waits, 0 when its turn has come (it then holds a slot). ``tell`` runs under the lock and
must only set flags and hand work on — never wait.
"""

import logging
import threading
from collections.abc import Callable
from typing import Protocol

Tell = Callable[[int], None]
log = logging.getLogger(__name__)


class Admission(Protocol):
    """What a session needs of a training queue: this process's (``TrainingQueue``) or a deployment's
    on Redis (app/cluster/training_slots.py)."""

    def enter(self, key: str, tell: Tell) -> None: ...

    def leave(self, key: str) -> None: ...

    def counts(self) -> dict[str, int]: ...


class TrainingQueue:
    """The sessions training now and, in order, those waiting for a slot."""

    def __init__(self, slots: int) -> None:
        self.slots = slots
        self._lock = threading.Lock()
        self._training: set[str] = set()
        self._waiting: dict[str, Tell] = {}  # insertion order is the line

    def enter(self, key: str, tell: Tell) -> None:
        """Ask to train: ``tell(0)`` at once when a slot is free, else ``tell(place)`` (1 is next).

        The answer is given under the lock, so no later move can reach ``tell`` before it.
        """
        with self._lock:
            if key not in self._training and key not in self._waiting:
                if len(self._training) < self.slots and not self._waiting:
                    self._training.add(key)
                else:
                    self._waiting[key] = tell
            tell_safely(tell, 0 if key in self._training else list(self._waiting).index(key) + 1)

    def leave(self, key: str) -> None:
        """Stop training or waiting (idempotent); those behind move up and the first may start."""
        with self._lock:
            if key in self._training:
                self._training.discard(key)
            elif self._waiting.pop(key, None) is None:
                return
            while self._waiting and len(self._training) < self.slots:
                first = next(iter(self._waiting))
                self._training.add(first)
                tell_safely(self._waiting.pop(first), 0)
            for place, tell in enumerate(self._waiting.values(), start=1):
                tell_safely(tell, place)

    def counts(self) -> dict[str, int]:
        """How many sessions train and how many wait."""
        with self._lock:
            return {"training": len(self._training), "queued": len(self._waiting), "slots": self.slots}


def tell_safely(tell: Tell, place: int) -> None:
    """Tell one session its place; its failure must not keep the others from moving up."""
    try:
        tell(place)
    except Exception:
        log.exception("telling a session its place %d in the training queue failed", place)
