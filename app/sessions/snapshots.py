"""Sessions that survive a restart: a session's whole state as one safetensors file (the model's tensors;
everything else as JSON in the file's metadata — never pickle), written to a store at a bounded rate while
the session changes and on shutdown, and read back when the server starts.

A snapshot that cannot be read (corrupt, truncated, another format version, a model this server lacks) is
skipped with a log line; one older than the idle time after which the session would have ended is deleted.
"""

import asyncio
import json
import logging
import struct
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import torch
from safetensors import SafetensorError
from safetensors.torch import load, save

from app.engine.live import state as live_state
from app.protocol.server import SharedView
from app.sessions.history import History
from app.sessions.lectures import Lectures
from app.sessions.session import Progress, Session
from app.sessions.snapshot_store import SnapshotStore

log = logging.getLogger(__name__)
VERSION = 1
META_KEY = "nnlive.session"


class SnapshotError(ValueError):
    """A snapshot this server cannot restore (the message says why)."""


@dataclass(frozen=True)
class Snapshot:
    """One session as it was saved: ``meta`` (JSON) and the live model's tensors."""

    meta: dict[str, Any]
    tensors: dict[str, torch.Tensor]

    @property
    def session_id(self) -> str:
        return str(self.meta["id"])


def capture(session: Session, wall: float, lecture: dict[str, Any] | None = None) -> bytes:
    """The session's state now, as snapshot bytes (run it on the session's worker: between two steps);
    ``lecture``: the room that shows it (its id, key hash and invites' hashes, never a key)."""
    tensors, model_state = live_state.capture(session.live)
    meta = {
        "version": VERSION,
        "id": session.id,
        "token_sha256": session.token_hash,
        "model": session.spec.name,
        "config": session.config,
        "controls": session.controls,
        "seed": session.seed,
        "precision": session.precision,
        "client": session.client,
        "created": session.created,
        "step": session.step,
        "history": {"train": session.train_history.points(), "val": session.val_history.points()},
        "view": session.view.state if session.view is not None else None,
        "room_open": session.control.room_open,
        "lecture": lecture,
        "saved_at": wall,
        "idle_s": session.idle_s(),
        "model_state": model_state,
    }
    text = json.dumps(meta, allow_nan=True)  # a diverged loss is NaN; Python's json reads it back
    return save(tensors, metadata={META_KEY: text})


def parse(data: bytes) -> Snapshot:
    """The snapshot in ``data``, or SnapshotError (truncated, corrupt, another version)."""
    try:
        tensors = load(data)
        (length,) = struct.unpack_from("<Q", data)
        header = json.loads(data[8 : 8 + length])
        meta = json.loads(header["__metadata__"][META_KEY])
    except (SafetensorError, struct.error, ValueError, KeyError, TypeError) as exc:
        raise SnapshotError(f"not a readable snapshot ({type(exc).__name__}: {exc})") from None
    if not isinstance(meta, dict) or meta.get("version") != VERSION:
        version = meta.get("version") if isinstance(meta, dict) else None
        raise SnapshotError(f"snapshot format version {version!r}; this server reads version {VERSION}")
    _check_fields(meta)
    return Snapshot(meta, tensors)


Number = (int, float)
FIELDS: dict[str, tuple[type, ...]] = {  # what each metadata field must be (JSON read from a file or Redis)
    "id": (str,),
    "token_sha256": (str,),
    "model": (str,),
    "config": (dict,),
    "controls": (dict,),
    "seed": (int,),
    "precision": (str,),
    "client": (str,),
    "created": Number,
    "step": (int,),
    "history": (dict,),
    "view": (dict, type(None)),
    "room_open": (bool,),
    "saved_at": Number,
    "idle_s": Number,
    "model_state": (dict,),
}


def _check_fields(meta: dict[str, Any]) -> None:
    """SnapshotError unless every field is there with its type (a boolean is no number here)."""
    for name, types in FIELDS.items():
        value = meta.get(name)
        if not isinstance(value, types) or (isinstance(value, bool) and bool not in types):
            expected = "/".join(t.__name__ for t in types)
            raise SnapshotError(f"field {name!r} is missing or not of type {expected}")
    history = meta["history"]
    if not all(isinstance(history.get(curve), list) for curve in ("train", "val")):
        raise SnapshotError("field 'history' must hold the lists 'train' and 'val'")


def expired(snapshot: Snapshot, idle_limit_s: float, wall: float) -> bool:
    """Whether the session would have ended for idleness by ``wall`` (seconds since the epoch)."""
    return wall - float(snapshot.meta["saved_at"]) + float(snapshot.meta["idle_s"]) > idle_limit_s


def apply(snapshot: Snapshot, session: Session) -> None:
    """Give a session freshly built from the snapshot's model, config, controls and seed everything
    else it had: the model's state, step, curves, shared view and room (run it before its first frame)."""
    meta = snapshot.meta
    live_state.restore(session.live, snapshot.tensors, meta["model_state"])
    train, val = History(), History()
    train.extend(meta["history"]["train"])
    val.extend(meta["history"]["val"])
    session.resume_from(Progress(b"", None, int(meta["step"]), train, val))
    if meta["view"] is not None:
        session.view = SharedView(state=meta["view"])
    if not meta["room_open"]:
        session.control.set_room(False)


class Snapshotter:
    """Writes a session's snapshot when it changed, at most once every ``interval_s`` (on ``clock``)."""

    def __init__(
        self,
        store: SnapshotStore,
        interval_s: float,
        clock: Callable[[], float] = time.monotonic,
        wall: Callable[[], float] = time.time,
    ) -> None:
        self.store, self.interval_s = store, interval_s
        self._clock = clock
        self.wall = wall  # what snapshots are dated by, in seconds since the epoch (a cluster's: Redis's)
        self._written: dict[
            str, tuple[float, tuple[object, ...]]
        ] = {}  # session id → (when, what it looked like)

    @staticmethod
    def _looks(session: Session) -> tuple[object, ...]:
        """What changes whenever the session does: its newest frame (each step, input or control
        change makes one), state, step, shared view and room."""
        return (session.last_frame, session.state, session.step, session.view, session.control.seq)

    def due(self, session: Session) -> bool:
        """Whether ``session`` changed since its last snapshot, which is ``interval_s`` old or more."""
        written = self._written.get(session.id)
        if written is None:
            return True
        when, looks = written
        unchanged = all(a is b or a == b for a, b in zip(looks, self._looks(session), strict=True))
        return not unchanged and self._clock() - when >= self.interval_s

    async def save(self, session: Session, lectures: Lectures | None = None) -> None:
        """Snapshot ``session`` (with its lecture room in ``lectures``) now, on its worker, without counting
        as activity, then store it; a failure counts as a write (it is tried again once the session
        changed and the interval passed)."""
        self._written[session.id] = (self._clock(), self._looks(session))
        lecture = None if lectures is None else lectures.saved(session.control.lecture, session.id)
        data = await session.worker.call(capture, session, self.wall(), lecture)
        await asyncio.to_thread(self.store.save, session.id, data)

    async def save_due(
        self, sessions: list[Session], lectures: Lectures | None = None, force: bool = False
    ) -> None:
        """Snapshot each session that is due (every one if ``force``: shutdown); one that fails is logged.
        Sessions relayed from an SDK run are not kept: their model lives in the script that drives them."""
        for session in sessions:
            if not session.spec.relayed and (force or self.due(session)):
                try:
                    await self.save(session, lectures)
                except Exception:
                    log.exception("snapshot of session %s failed", session.id)

    async def forget(self, session_id: str) -> None:
        """The session ended for good: its snapshot goes."""
        self._written.pop(session_id, None)
        try:
            await asyncio.to_thread(self.store.delete, session_id)
        except Exception:
            log.exception("deleting the snapshot of session %s failed", session_id)

    async def load(self, session_id: str, idle_limit_s: float) -> Snapshot | None:
        """The session's snapshot if it is readable and not expired; else None, with a log line (an
        expired one is deleted, and while the store is unreachable)."""
        try:
            data = await asyncio.to_thread(self.store.load, session_id)
        except Exception as exc:  # Redis away: no crash at start, no dead refresh loop
            log.warning("snapshot of session %s unavailable: %s: %s", session_id, type(exc).__name__, exc)
            return None
        if data is None:
            return None
        try:
            snapshot = parse(data)
        except SnapshotError as exc:
            log.warning("snapshot of session %s skipped: %s", session_id, exc)
            return None
        if snapshot.session_id != session_id:
            log.warning(
                "snapshot of session %s skipped: it holds session %s", session_id, snapshot.session_id
            )
            return None
        if expired(snapshot, idle_limit_s, self.wall()):
            log.info("snapshot of session %s deleted: the session expired", session_id)
            await self.forget(session_id)
            return None
        return snapshot

    async def ids(self) -> list[str]:
        """Every session id the store holds a snapshot of (none while the store is unreachable)."""
        try:
            return await asyncio.to_thread(self.store.ids)
        except Exception as exc:
            log.warning("snapshots unavailable: %s: %s", type(exc).__name__, exc)
            return []
