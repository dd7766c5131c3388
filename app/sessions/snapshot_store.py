"""Where session snapshots are kept: one opaque blob per session id, written whole or not at all.

``DirectoryStore`` (the default: a file per session under ``NNLIVE_DATA_DIR``) and ``RedisStore`` (a key per
session, when ``NNLIVE_SNAPSHOT_URL`` names a Redis) share the four calls below, so any process that reaches
the same store can load any session by its id. Calls block (they run in a thread, off the event loop).
"""

import logging
import os
import re
import secrets
from pathlib import Path
from typing import Protocol

log = logging.getLogger(__name__)
SESSION_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")  # what secrets.token_urlsafe makes; never a path
SUFFIX = ".snapshot"
REDIS_PREFIX = "nnlive:snapshot:"


class SnapshotStore(Protocol):
    """Blobs by session id."""

    def save(self, session_id: str, data: bytes) -> None:
        """Keep ``data`` as the snapshot of ``session_id``, replacing the previous one atomically."""

    def load(self, session_id: str) -> bytes | None:
        """The snapshot of ``session_id``, or None if there is none."""

    def ids(self) -> list[str]:
        """Every session id with a snapshot."""

    def delete(self, session_id: str) -> None:
        """Forget the snapshot of ``session_id`` (nothing if there is none)."""


def checked_id(session_id: str) -> str:
    """``session_id`` if it is a session id, else ValueError (it becomes a file name or a key)."""
    if not SESSION_ID.match(session_id):
        raise ValueError(f"not a session id: {session_id!r}")
    return session_id


class DirectoryStore:
    """``<root>/<id>.snapshot`` files, each written to a temporary name, flushed to disk, then renamed."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, session_id: str) -> Path:
        return self.root / f"{checked_id(session_id)}{SUFFIX}"

    def save(self, session_id: str, data: bytes) -> None:
        """Write atomically: a reader sees the old snapshot or the new one, never part of one."""
        path = self._path(session_id)
        self.root.mkdir(parents=True, exist_ok=True, mode=0o700)  # client addresses, model state
        temporary = self.root / f".{path.name}.{secrets.token_hex(4)}.tmp"
        try:
            with open(temporary, "wb") as file:
                file.write(data)
                file.flush()
                os.fsync(file.fileno())
            os.replace(temporary, path)
        finally:
            temporary.unlink(missing_ok=True)

    def load(self, session_id: str) -> bytes | None:
        """The file's bytes, or None."""
        try:
            return self._path(session_id).read_bytes()
        except FileNotFoundError:
            return None

    def ids(self) -> list[str]:
        """The ids of the snapshot files (temporary files left by a crash are not snapshots)."""
        if not self.root.is_dir():
            return []
        names = (p.name[: -len(SUFFIX)] for p in self.root.glob(f"*{SUFFIX}"))
        return sorted(name for name in names if SESSION_ID.match(name))

    def delete(self, session_id: str) -> None:
        """Remove the file if it is there."""
        self._path(session_id).unlink(missing_ok=True)


class RedisStore:
    """``nnlive:snapshot:<id>`` keys in a Redis (a SET replaces a value atomically)."""

    def __init__(self, url: str) -> None:
        import redis  # only where snapshots go to Redis: memory:// and directories never load it

        self._redis = redis.Redis.from_url(url)

    def save(self, session_id: str, data: bytes) -> None:
        """SET the key."""
        self._redis.set(REDIS_PREFIX + checked_id(session_id), data)

    def load(self, session_id: str) -> bytes | None:
        """GET the key."""
        value = self._redis.get(REDIS_PREFIX + checked_id(session_id))
        return bytes(value) if value is not None else None  # type: ignore[arg-type]

    def ids(self) -> list[str]:
        """The ids of every snapshot key."""
        keys = (k.decode()[len(REDIS_PREFIX) :] for k in self._redis.scan_iter(match=REDIS_PREFIX + "*"))
        return sorted(key for key in keys if SESSION_ID.match(key))

    def delete(self, session_id: str) -> None:
        """DEL the key."""
        self._redis.delete(REDIS_PREFIX + checked_id(session_id))


def make_store(data_dir: str, snapshot_url: str) -> SnapshotStore | None:
    """The store the settings name: Redis if ``snapshot_url`` is set, else ``data_dir`` (None: neither, no
    snapshots)."""
    if snapshot_url:
        return RedisStore(snapshot_url)
    if data_dir:
        return DirectoryStore(Path(data_dir).expanduser() / "sessions")
    return None
