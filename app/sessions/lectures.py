"""Lectures: a room with a stable id that follows its presenter's current session, so that a projected
link or QR code never goes stale when a setting change replaces the session. Each room has a secret
presenter key: a presenter who lost the tab claims the current session's control token with it, and a
new session joins the room only with it. A room is kept as its session and its key's SHA-256; the key
itself only in memory, for the reply to the presenter whose session opened the room. The owner of the key
invites co-presenters: each invite is a second key (kept as its hash too, under an id) that claims the room
as the owner's does until the owner revokes it. A session's snapshot keeps its room (id, key hash and invite
hashes), so the link, the presenter key and the invites outlive a restart."""

import hashlib
import hmac
import secrets
from typing import Any

from app.errors import Forbidden, NotFound

MAX_ROOMS = 10_000
MAX_INVITES = 20  # per room: a presenter's handful of colleagues


def hash_key(key: str) -> str:
    """What a room keeps (and a snapshot holds) of its presenter key."""
    return hashlib.sha256(key.encode()).hexdigest()


def _invite_hashes(saved: Any) -> dict[str, str]:
    """A snapshot's invites ({id: key hash}); none when absent or not such a record."""
    if not isinstance(saved, dict) or len(saved) > MAX_INVITES:
        return {}
    return {k: v for k, v in saved.items() if isinstance(k, str) and isinstance(v, str)}


class Lectures:
    """Every room of this process: its current session, its presenter key's hash and its invites'."""

    def __init__(self) -> None:
        self._rooms: dict[str, dict[str, str]] = {}  # room → {"session": id, "key_sha256": hash}
        self._invites: dict[str, dict[str, str]] = {}  # room → {invite id: its key's hash}
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
        """Room ``saved`` (a snapshot's {"room", "key_sha256", "invites"}) showing ``session_id`` again;
        None when ``saved`` is not such a record or that room is open already."""
        if not isinstance(saved, dict):
            return None
        room, key_hash = saved.get("room"), saved.get("key_sha256")
        if not isinstance(room, str) or not isinstance(key_hash, str) or room in self._rooms:
            return None
        self._rooms[room] = {"session": session_id, "key_sha256": key_hash}
        self._invites[room] = _invite_hashes(saved.get("invites"))
        return room

    def saved(self, room: str | None, session_id: str) -> dict[str, Any] | None:
        """What a snapshot of ``session_id`` keeps of ``room``: its id, key hash and invites' hashes, if it
        shows it."""
        record = self._rooms.get(room or "")
        if record is None or record["session"] != session_id:
            return None
        invites = dict(self._invites.get(room or "", {}))
        return {"room": room or "", "key_sha256": record["key_sha256"], "invites": invites}

    def current(self, room: str) -> str:
        """The session room ``room`` shows now, or NotFound."""
        record = self._rooms.get(room)
        if record is None:
            raise NotFound(f"no lecture {room!r}: it ended, or the link is mistyped")
        return record["session"]

    def authorize(self, room: str, key: str | None, invited: bool = True) -> str:
        """The current session of ``room`` if ``key`` is its presenter key or (``invited``) one of its
        invites' keys; each hash compared in constant time."""
        session_id = self.current(room)
        invites = self._invites.get(room, {}).values() if invited else ()
        given = hash_key(key or "")
        matches = [hmac.compare_digest(given, h) for h in (self._rooms[room]["key_sha256"], *invites)]  # all
        if not key or not any(matches):
            raise Forbidden("a valid presenter key for this lecture is required")
        return session_id

    def invite(self, room: str, owner_key: str | None) -> tuple[str, str]:
        """A new co-presenter invite to ``room`` made with its owner's key: the invite's id and key."""
        self.authorize(room, owner_key, invited=False)
        invites = self._invites.setdefault(room, {})
        if len(invites) >= MAX_INVITES:
            raise Forbidden(f"a lecture has at most {MAX_INVITES} invites: revoke one first")
        invite_id, key = secrets.token_urlsafe(6), secrets.token_urlsafe(24)
        invites[invite_id] = hash_key(key)
        return invite_id, key

    def revoke(self, room: str, owner_key: str | None, invite_id: str) -> None:
        """Invite ``invite_id`` of ``room`` claims no more (its owner's key revokes it; the owner's stays)."""
        self.authorize(room, owner_key, invited=False)
        if self._invites.get(room, {}).pop(invite_id, None) is None:
            raise NotFound(f"no invite {invite_id!r} in this lecture")

    def move(self, room: str, session_id: str) -> None:
        """Room ``room`` shows ``session_id`` from now on (its presenter replaced the session)."""
        self._rooms[room]["session"] = session_id

    def ended(self, room: str, session_id: str, heir: str | None = None) -> None:
        """Session ``session_id`` ended: if its room still showed it, the room shows ``heir`` (a session
        of that room named as its successor: a replacement taken back) or closes."""
        if self._rooms.get(room, {}).get("session") != session_id:
            return
        if heir is None:
            self._close(room)
        else:
            self.move(room, heir)

    def _close(self, room: str) -> None:
        self._rooms.pop(room, None)
        self._invites.pop(room, None)
        self._keys.pop(room, None)

    def key(self, room: str) -> str | None:
        """The presenter key of ``room`` if this process opened it (a restored room keeps only its hash)."""
        return self._keys.get(room)
