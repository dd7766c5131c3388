"""Lectures: a room with a stable id that follows its presenter's current session, so that a projected
link or QR code never goes stale when a setting change replaces the session. Each room has a secret
presenter key: a presenter who lost the tab claims the current session's control token with it, and a
new session joins the room only with it. A room is kept as its session and its key's SHA-256; the key
itself only in memory, for the reply to the presenter whose session opened the room. A session's snapshot
keeps its room (id and key hash), so the link and the presenter key outlive a restart."""

import hashlib
import hmac
import secrets
from typing import Any

from app.errors import Forbidden, NotFound

MAX_ROOMS = 10_000


def hash_key(key: str) -> str:
    """What a room keeps (and a snapshot holds) of its presenter key."""
    return hashlib.sha256(key.encode()).hexdigest()


class Lectures:
    """Every room of this process: its current session and its presenter key's hash."""

    def __init__(self) -> None:
        self._rooms: dict[str, dict[str, str]] = {}  # room → {"session": id, "key_sha256": hash}
        self._keys: dict[str, str] = {}  # room → key, for the rooms opened by this process

    def open(self, session_id: str) -> tuple[str, str]:
        """A new room showing ``session_id``: its id and presenter key."""
        room, key = secrets.token_urlsafe(6), secrets.token_urlsafe(24)
        self._rooms[room] = {"session": session_id, "key_sha256": hash_key(key)}
        self._keys[room] = key
        if len(self._rooms) > MAX_ROOMS:  # a room closes with its session: only with more sessions than this
            self._close(next(iter(self._rooms)))
        return room, key

    def reopen(self, saved: Any, session_id: str) -> str | None:
        """Room ``saved`` (a snapshot's {"room", "key_sha256"}) showing ``session_id`` again; None when
        ``saved`` is not such a record or that room is open already."""
        if not isinstance(saved, dict):
            return None
        room, key_hash = saved.get("room"), saved.get("key_sha256")
        if not isinstance(room, str) or not isinstance(key_hash, str) or room in self._rooms:
            return None
        self._rooms[room] = {"session": session_id, "key_sha256": key_hash}
        return room

    def saved(self, room: str | None, session_id: str) -> dict[str, str] | None:
        """What a snapshot of ``session_id`` keeps of ``room``: its id and key hash, if it shows it."""
        record = self._rooms.get(room or "")
        if record is None or record["session"] != session_id:
            return None
        return {"room": room or "", "key_sha256": record["key_sha256"]}

    def current(self, room: str) -> str:
        """The session room ``room`` shows now, or NotFound."""
        record = self._rooms.get(room)
        if record is None:
            raise NotFound(f"no lecture {room!r}: it ended, or the link is mistyped")
        return record["session"]

    def authorize(self, room: str, key: str | None) -> str:
        """The current session of ``room`` if ``key`` is its presenter key (compared in constant time)."""
        session_id = self.current(room)
        if not key or not hmac.compare_digest(hash_key(key), self._rooms[room]["key_sha256"]):
            raise Forbidden("a valid presenter key for this lecture is required")
        return session_id

    def move(self, room: str, session_id: str) -> None:
        """Room ``room`` shows ``session_id`` from now on (its presenter replaced the session)."""
        self._rooms[room]["session"] = session_id

    def ended(self, room: str, session_id: str) -> None:
        """Session ``session_id`` ended with no successor: its room closes if it still showed it."""
        if self._rooms.get(room, {}).get("session") == session_id:
            self._close(room)

    def _close(self, room: str) -> None:
        self._rooms.pop(room, None)
        self._keys.pop(room, None)

    def key(self, room: str) -> str | None:
        """The presenter key of ``room`` if this process opened it (a restored room keeps only its hash)."""
        return self._keys.get(room)
