"""Lectures: a room with a stable id that follows its presenter's current session, so that a projected
link or QR code never goes stale when a setting change replaces the session. Each room has a secret
presenter key: a presenter who lost the tab claims the current session's control token with it, and a
new session joins the room only with it. The record is plain JSON (id → {session, key})."""

import hmac
import secrets

from app.errors import Forbidden, NotFound

MAX_ROOMS = 10_000


class Lectures:
    """Every room of this process: its current session and its presenter key."""

    def __init__(self) -> None:
        self._rooms: dict[str, dict[str, str]] = {}

    def open(self, session_id: str) -> tuple[str, str]:
        """A new room showing ``session_id``: its id and presenter key."""
        room, key = secrets.token_urlsafe(6), secrets.token_urlsafe(24)
        self._rooms[room] = {"session": session_id, "key": key}
        if len(self._rooms) > MAX_ROOMS:
            del self._rooms[next(iter(self._rooms))]
        return room, key

    def current(self, room: str) -> str:
        """The session room ``room`` shows now, or NotFound."""
        record = self._rooms.get(room)
        if record is None:
            raise NotFound(f"no lecture {room!r}: it ended, or the link is mistyped")
        return record["session"]

    def authorize(self, room: str, key: str | None) -> str:
        """The current session of ``room`` if ``key`` is its presenter key (compared in constant time)."""
        session_id = self.current(room)
        if not key or not hmac.compare_digest(key.encode(), self._rooms[room]["key"].encode()):
            raise Forbidden("a valid presenter key for this lecture is required")
        return session_id

    def move(self, room: str, session_id: str) -> None:
        """Room ``room`` shows ``session_id`` from now on (its presenter replaced the session)."""
        self._rooms[room]["session"] = session_id

    def ended(self, room: str, session_id: str) -> None:
        """Session ``session_id`` ended with no successor: its room closes if it still showed it."""
        if self._rooms.get(room, {}).get("session") == session_id:
            del self._rooms[room]

    def key(self, room: str) -> str:
        """The presenter key of ``room`` (for the reply to the presenter who created its session)."""
        return self._rooms[room]["key"]
