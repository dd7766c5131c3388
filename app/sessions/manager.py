"""Creates, finds and ends sessions; owns the limits and each session's publisher task."""

import asyncio
import contextlib
import logging
import secrets
import time
from collections import Counter
from collections.abc import Callable
from typing import Any

import torch

from app.bus.base import Bus
from app.config import Settings
from app.engine.catalog import CATALOG
from app.engine.live.weights import import_weights, load_optimizer_state
from app.engine.params import ParamError, validate
from app.errors import BadRequest, Forbidden, LimitReached, NnliveError, NotFound
from app.latest import LatestSlots
from app.protocol.server import Closed
from app.sessions.lectures import Lectures
from app.sessions.release import oldest_unneeded, seconds_until_room, unneeded
from app.sessions.session import PRECISIONS, Progress, Session
from app.sessions.snapshots import Snapshot, Snapshotter, apply
from app.sessions.training_queue import Admission, TrainingQueue

log = logging.getLogger(__name__)
MAX_ENDED_REMEMBERED = 10_000
OUTBOX_FRAMES = 4  # frames a session may have made before the event loop publishes them: a lag loses none
UNWATCHED_PAUSE_S = 30.0  # training that nobody watches pauses after this long
ATTENDANCE_CHECK_S = 10.0  # how often training is checked for a presenter and viewers


def _start_from(live: Any, start: Progress) -> None:
    """A fork's fresh live model takes the weights and optimizer state of the session it copies."""
    try:
        import_weights(live, start.weights, "session")
    except ParamError as exc:
        raise BadRequest(f"this session cannot be copied: {exc.message}", exc.field) from None
    load_optimizer_state(live, start.optimizer)


def channel(session_id: str, stream: str) -> str:
    """The bus channel of one session's stream (``state`` or ``frame``)."""
    return f"session:{session_id}:{stream}"


class SessionManager:
    """All sessions of this process."""

    def __init__(
        self,
        settings: Settings,
        bus: Bus,
        device: torch.device,
        clock: Callable[[], float] = time.monotonic,
        snapshots: Snapshotter | None = None,
    ) -> None:
        self.settings, self.bus, self.device = settings, bus, device
        self._clock = clock  # the sessions' clock: rates and idleness
        self._sessions: dict[str, Session] = {}
        self._publishers: dict[str, asyncio.Task[None]] = {}
        self._building = 0
        self._per_client: Counter[str] = Counter()  # sessions and builds under way per client address
        self._admitting = asyncio.Lock()  # one create at a time from its limit check to its held place
        self._reaper: asyncio.Task[None] | None = None
        self._grace: asyncio.Task[None] | None = None
        self._releaser: asyncio.Task[None] | None = None
        self._released: set[str] = set()  # sessions whose page went away: end them once unneeded
        self._ended: dict[str, str] = {}  # why the latest sessions ended, for pages that come back
        self.training_queue: Admission = TrainingQueue(settings.max_training)
        self.snapshots = snapshots  # None: sessions end with the process
        self._snapshotting: asyncio.Task[None] | None = None
        self.lectures = Lectures()  # rooms that follow their presenter's current session

    def __len__(self) -> int:
        return len(self._sessions)

    def start(self) -> None:
        """Begin ending sessions that nobody has watched for ``session_idle_s``."""
        self._reaper = asyncio.create_task(self._reap_idle())
        self._grace = asyncio.create_task(self._pause_unpresented())
        self._releaser = asyncio.create_task(self._end_released())
        if self.snapshots is not None:
            self._snapshotting = asyncio.create_task(self._snapshot_changed(self.snapshots))

    async def create(
        self,
        model: str,
        config: Any,
        seed: int,
        precision: str | None,
        client: str = "",
        *,
        controls: dict[str, Any] | None = None,
        start: Progress | None = None,
        lecture: tuple[str, str | None] | None = None,
    ) -> Session:
        """Validate everything, then build the model off the event loop (a fork passes the already
        validated ``controls`` and the ``start``: weights, step and curves of the session it copies).
        The session opens a lecture room of its own, or joins ``lecture`` = (room, its presenter key):
        the room shows it from then on (its presenter replaced the session it showed)."""
        spec = CATALOG.get(model)
        if spec is None:
            raise BadRequest(f"unknown model {model!r}; see GET /api/models", "model")
        precision = precision or spec.precision
        if precision not in PRECISIONS:
            raise BadRequest(f"must be one of {', '.join(PRECISIONS)}", "precision")
        try:
            config = spec.validate_config(config)
        except ParamError as exc:
            raise BadRequest(exc.message, exc.field) from None
        if lecture is not None:
            self.lectures.authorize(*lecture)
        controls = {p.name: p.default for p in spec.controls} | (controls or {})
        session_id = secrets.token_urlsafe(9)
        await self._hold_place(client, session_id)
        built = False
        try:
            live = await asyncio.to_thread(spec.build, config, controls, seed, self.device)
            if start is not None:
                await asyncio.to_thread(_start_from, live, start)
            if lecture is not None:
                self.lectures.current(lecture[0])  # it may have closed during the build: open nothing then
            built = True
        except BaseException:
            self._per_client[client] -= 1
            raise
        finally:
            self._building -= 1
            await self._build_ended(client, session_id, built)
        ids = session_id, secrets.token_urlsafe(32), ""
        parts = {"spec": spec, "config": config, "controls": controls, "seed": seed, "precision": precision}
        session = self._open(ids, live, {**parts, "client": client})
        if start is not None:
            session.resume_from(start)
        self._join_lecture(session, lecture[0] if lecture else None)
        await session.run(session._publish_frame)
        return session

    def _open(self, ids: tuple[str, str, str], live: Any, parts: dict[str, Any]) -> Session:
        """Register a session around a built live model and start its publisher (before its first frame);
        ``ids`` are its id, control token and the token's hash (a restored session knows only the hash),
        ``parts`` its spec, config, controls, seed, precision and client."""
        session_id, token, token_hash = ids
        outbox = LatestSlots({"frame": OUTBOX_FRAMES})
        session = Session(
            session_id=session_id,
            token=token,
            token_hash=token_hash,
            live=live,
            emit=outbox.putter(
                lambda stream, payload: stream == "frame" and self._publish_now(session_id, "frame", payload)
            ),
            frame_interval=1.0 / self.settings.frame_rate,
            frame_budget=self.settings.frame_budget,
            training_queue=self.training_queue,
            max_steps_per_s=self.settings.max_steps_per_s,
            clock=self._clock,
            **parts,
        )
        self._sessions[session_id] = session
        self._publishers[session_id] = asyncio.create_task(self._publish(session_id, outbox))
        return session

    def _join_lecture(self, session: Session, room: str | None) -> None:
        """The new session shows in ``room`` (still open: ``create`` checked it after the build) or a new
        one."""
        if room is not None:
            self.lectures.move(room, session.id)
        else:
            room, _ = self.lectures.open(session.id)
        session.control.lecture = room

    async def fork(self, session_id: str, client: str = "") -> Session:
        """A new session of the same model, config, controls, seed and precision, starting from this
        one's current weights, optimizer state, step and curves; counts toward the limits."""
        source = self.get(session_id)
        await self._make_room(client, keep=source)  # before the copy: a refused fork costs the source nothing
        start = await source.run(source.progress)
        model, seed, precision = source.spec.name, source.seed, source.precision
        return await self.create(
            model, source.config, seed, precision, client, controls=source.controls, start=start
        )

    async def _hold_place(self, client: str, place: str) -> None:
        """Make room for one more session of ``client`` and hold its place (``place``: the id the session
        will have) while the model builds, so that concurrent creates count. No other create checks the
        limits in between: one waiting for the end of a session it evicts would otherwise see the place it
        made and take it too."""
        async with self._admitting:
            await self._make_room(client)
            self._building += 1
            self._per_client[client] += 1

    async def _make_room(self, client: str, keep: Session | None = None) -> None:
        """Refuse one more session beyond the server's limit. A client at its limit, or over it (sessions
        restored or adopted are all counted), gets room by ending as many of its oldest sessions that
        nobody needs (app/sessions/release.py) as it takes to be under it, never ``keep`` (the session a
        fork copies); or, when that is not enough, it is refused, saying when to retry, and nothing ends."""
        total, count = await self._counts(client)
        if total >= self.settings.max_sessions:
            full = "the server is running as many sessions as it allows; try later"
            raise LimitReached(full, retry_after=None)  # nobody can tell when one ends
        excess = count - self.settings.max_sessions_per_client + 1
        if excess <= 0:
            return
        now, own = self._clock(), [s for s in self._sessions.values() if s.client == client and s is not keep]
        evicted = oldest_unneeded(own, now, excess)
        if len(evicted) == excess:
            for session in evicted:
                log.info("ending session %s: its client needs room for a new one", session.id)
                await self._end(session, "evicted")
            return
        raise LimitReached(
            f"{count} sessions from your address are in use (open in a page, training or queued): close a"
            " page you no longer need or pause its training, then try again",
            retry_after=seconds_until_room(own, now, self.settings.session_idle_s),
        )

    async def _build_ended(self, client: str, place: str, built: bool) -> None:
        """The build that holds ``place`` for ``client`` ended (``built``: the model is ready). Nothing to
        do in one process: ``_building`` and ``_per_client`` count its place (a cluster frees its
        reservation)."""

    async def _counts(self, client: str) -> tuple[int, int]:
        """The sessions the limits count: all (with those being built) and ``client``'s."""
        return len(self._sessions) + self._building, self._per_client[client]

    def get(self, session_id: str) -> Session:
        """The session with this id, or NotFound."""
        session = self._sessions.get(session_id)
        if session is None:
            raise NotFound(f"no session {session_id!r}")
        return session

    def ended_reason(self, session_id: str) -> str | None:
        """Why session ``session_id`` ended (``evicted``, ``released``, ``idle``…), if it did lately."""
        return self._ended.get(session_id)

    def all(self) -> list[Session]:
        """Every session, oldest first."""
        return list(self._sessions.values())

    async def end(self, session_id: str, reason: str) -> None:
        """End a session without its token (the admin view); its viewers are told ``reason``."""
        await self._end(self.get(session_id), reason)

    def authorize(self, session_id: str, token: str | None) -> Session:
        """The session, if ``token`` is its control token (compared in constant time)."""
        session = self.get(session_id)
        if not session.accepts(token):
            raise Forbidden("a valid control token for this session is required")
        self._released.discard(session.id)  # its page is back (or deleting it: no matter)
        return session

    def release(self, session_id: str, token: str | None) -> None:
        """The page that drove the session went away: end it once nobody needs it (app/sessions/release.py),
        unless a presenter with the token comes back first."""
        if session_id in self._ended and session_id not in self._sessions:
            return  # it ended already (replaced, evicted…): nothing left to release
        self._released.add(self.authorize(session_id, token).id)

    async def delete(self, session_id: str, token: str | None, successor: str | None = None) -> None:
        """End a session: its viewers are told (and where to follow, if it has a ``successor``),
        its worker stops, its memory is freed."""
        session = self.authorize(session_id, token)
        if successor is not None:
            self.get(successor)
        await self._end(session, "deleted", successor)

    async def close(self) -> None:
        """End every session (server shutdown)."""
        for task in (self._reaper, self._grace, self._releaser, self._snapshotting):
            if task:
                task.cancel()
        if self.snapshots is not None:  # before they end: the next start carries on from here
            await self.snapshots.save_due(list(self._sessions.values()), self.lectures, force=True)
        for session in list(self._sessions.values()):
            await self._end(session, "shutdown")

    async def _end(self, session: Session, reason: str = "deleted", successor: str | None = None) -> None:
        if self._sessions.pop(session.id, None) is None:
            return
        self._released.discard(session.id)
        room = session.control.lecture
        if room is not None:
            heir = self._sessions.get(successor or "")
            self.lectures.ended(room, session.id, heir.id if heir and heir.control.lecture == room else None)
        self._ended[session.id] = reason
        if len(self._ended) > MAX_ENDED_REMEMBERED:
            del self._ended[next(iter(self._ended))]
        self._per_client[session.client] -= 1
        publisher = self._publishers.pop(session.id, None)
        if publisher:
            publisher.cancel()
        if self.snapshots is not None and reason != "shutdown":  # it ended for good
            await self.snapshots.forget(session.id)
        closed = Closed(reason=reason, successor=successor)
        await self.bus.publish(channel(session.id, "state"), closed.encoded)
        await asyncio.to_thread(session.close)

    async def _reap_idle(self) -> None:
        idle = self.settings.session_idle_s
        while True:
            await asyncio.sleep(min(30.0, idle / 4))
            await self.end_idle(idle)  # a call of its own: no reference to a session outlives the pass

    async def end_idle(self, idle: float) -> None:
        """End, with reason ``idle``, every session nobody watches that was inactive for over ``idle`` s."""
        for session in list(self._sessions.values()):
            if session.viewers == 0 and session.idle_s() > idle:
                log.info("ending session %s: nobody watched it for %.0f s", session.id, idle)
                await self._end(session, "idle")

    async def _end_released(self) -> None:
        """End the sessions whose page went away once nobody needs them (checked every second)."""
        while True:
            await asyncio.sleep(1.0)
            now = self._clock()
            for session_id in list(self._released):
                session = self._sessions.get(session_id)
                if session is None:
                    self._released.discard(session_id)
                elif unneeded(session, now):
                    log.info("ending session %s: its page went away and nobody needs it", session_id)
                    await self._end(session, "released")

    async def _pause_unpresented(self) -> None:
        """Pause unattended training every few seconds (``pause_unattended``)."""
        grace = self.settings.presenter_grace_s
        while True:
            await asyncio.sleep(min(ATTENDANCE_CHECK_S, grace / 4))
            await self.pause_unattended()

    async def pause_unattended(self) -> None:
        """Pause training (or waiting in line for it) that no presenter has controlled for
        ``presenter_grace_s``, or that nobody at all (no presenter, no viewer) has watched for
        ``UNWATCHED_PAUSE_S``: a closed tab burns no CPU. It resumes (or queues again) when a presenter
        takes control again."""
        grace, now = self.settings.presenter_grace_s, self._clock()
        for session in list(self._sessions.values()):
            control = session.control
            away = control.holder is None and now - control.away_since > grace
            unwatched = session.viewers == 0 and now - session.last_active >= UNWATCHED_PAUSE_S
            if session.state in ("training", "queued") and (away or unwatched):
                why = "nobody watches it" if unwatched else "no presenter"
                log.info("pausing session %s: %s", session.id, why)
                control.paused_for_absence()
                with contextlib.suppress(NnliveError):
                    await session.run(session.pause)

    async def _publish(self, session_id: str, outbox: LatestSlots) -> None:
        """Publish what the session emits, in order. A frame emitted on the loop's thread (relayed) while
        this waits with nothing unread skips the outbox (``_publish_now``): one task step less per frame.
        Other streams keep the hop: a joiner's sender starts before the viewer count that its join
        published reaches the room and replaces the joiner's unsent ``state`` (hello, state, frame)."""
        while True:
            stream, payload = await outbox.get()
            self._publish_now(session_id, str(stream), payload)

    def _publish_now(self, session_id: str, stream: str, payload: bytes) -> bool:
        """Publish (no bus waits to take a message); an error is logged, the next snapshot follows. True:
        the payload was dealt with (what ``LatestSlots.putter``'s ``at_once`` returns)."""
        try:
            self.bus.publish_nowait(channel(session_id, stream), payload)
        except Exception:  # a bus hiccup loses a snapshot; the next one follows
            log.exception("publishing %s of session %s failed", stream, session_id)
        return True

    async def _snapshot_changed(self, snapshots: Snapshotter) -> None:
        """Snapshot the sessions that changed, each at most every ``snapshot_interval_s``."""
        while True:
            await asyncio.sleep(min(1.0, snapshots.interval_s))
            await snapshots.save_due(list(self._sessions.values()), self.lectures)

    async def restore_all(self) -> None:
        """Bring back every session the snapshot store holds that has not expired (server start)."""
        if self.snapshots is None:
            return
        for session_id in await self.snapshots.ids():
            with contextlib.suppress(NotFound):
                await self.adopt(session_id)

    async def adopt(self, session_id: str) -> Session:
        """Run session ``session_id`` here from its latest snapshot: same id and token, paused; NotFound
        (with a log line saying why) when there is no usable snapshot."""
        if session_id in self._sessions:
            return self._sessions[session_id]
        snapshot = (
            None
            if self.snapshots is None
            else await self.snapshots.load(session_id, self.settings.session_idle_s)
        )
        if snapshot is None:
            raise NotFound(f"no session {session_id!r}")
        try:
            return await self._restore(snapshot)
        except Exception as exc:
            log.warning(
                "snapshot of session %s skipped: it does not restore (%s: %s)",
                session_id,
                type(exc).__name__,
                exc,
            )
            raise NotFound(f"no session {session_id!r}") from None

    async def _restore(self, snapshot: Snapshot) -> Session:
        meta = snapshot.meta
        spec = CATALOG.get(meta["model"])
        if spec is None:
            raise ValueError(f"this server has no model {meta['model']!r}")
        if len(self._sessions) + self._building >= self.settings.max_sessions:
            raise ValueError("the server runs as many sessions as it allows")
        # Checked as a request's would be; a field or control added since the snapshot takes its default.
        config = spec.validate_config(meta["config"])
        controls = validate(spec.controls, meta["controls"], "controls")
        live = await asyncio.to_thread(spec.build, config, controls, int(meta["seed"]), self.device)
        ids = snapshot.session_id, "", str(meta["token_sha256"])
        saved = {key: meta[key] for key in ("seed", "precision", "client")}
        session = self._open(ids, live, {"spec": spec, "config": config, "controls": controls, **saved})
        room = self.lectures.reopen(meta.get("lecture"), session.id)  # its link and key work again
        session.control.lecture = room if room is not None else self.lectures.open(session.id)[0]
        self._per_client[session.client] += 1
        session.created = float(meta["created"])
        try:
            await session.run(apply, snapshot, session)
            await session.run(session._publish_frame)
        except BaseException:
            await self._end(session, "shutdown")  # keeps the snapshot: a later start may read it
            raise
        log.info("session %s restored at step %d", session.id, session.step)
        return session
