"""The session manager of one worker among several: its sessions are registered in Redis while they run,
and the session limits count every worker's sessions."""

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from typing import Any

import torch
from redis.exceptions import RedisError

from app.bus.base import Bus
from app.cluster.registry import LEASE_S, Entry, Registry
from app.cluster.training_slots import SharedTrainingQueue
from app.config import Settings
from app.errors import LimitReached, NotFound
from app.sessions.manager import SessionManager
from app.sessions.session import Session
from app.sessions.snapshots import Snapshotter
from app.throttled_log import ThrottledWarning

log = logging.getLogger(__name__)
REFRESH_S = 1.0  # the owner's snapshots in Redis are at most this old
RENEW_S = LEASE_S / 3  # an unchanged session's lease is renewed this often
ADOPT_EVERY = round(LEASE_S / REFRESH_S)  # refresh rounds between two looks for orphaned sessions
RESERVE_TRIES = 3  # times a create checks the limits again after other workers took the place it saw


def entry_of(session: Session, worker: str, lecture: str = "") -> Entry:
    """The registry's record of a session of this worker (shown in room ``lecture``), with its snapshot
    encoded now."""
    hello = session.hello()
    return Entry(
        session.id,
        worker,
        session.client,
        session.token_hash,  # a restored session knows only this (its token is "")
        hello.encoded,
        session.state_message().encoded,
        session.view.encoded if session.view is not None else b"",
        session.last_frame or b"",
        lecture,
    )


def _signature(session: Session) -> tuple[Any, ...]:
    """What changes when a session's snapshot should be written again."""
    return (
        session.state,
        session.step,
        session.control.seq,
        session.viewers,
        session.last_frame,
        session.view,
    )


class ClusterSessionManager(SessionManager):
    """A SessionManager whose sessions are known to every worker through ``registry``, and whose sessions
    train in turn with every worker's (``NNLIVE_MAX_TRAINING`` holds for the deployment)."""

    def __init__(
        self,
        settings: Settings,
        bus: Bus,
        device: torch.device,
        clock: Callable[[], float],
        snapshots: Snapshotter | None = None,
        *,
        registry: Registry,
        worker: str,
    ) -> None:
        super().__init__(settings, bus, device, clock, snapshots)
        self.registry, self.worker = registry, worker
        if snapshots is not None:  # another worker judges their age: one clock for all, Redis's
            snapshots.wall = registry.clock.latest
        self._shared_queue = SharedTrainingQueue(settings.bus_url, settings.max_training)
        self.training_queue = self._shared_queue
        self._written: dict[str, tuple[tuple[Any, ...], float]] = {}  # signature and time of the last put
        self._refresher: asyncio.Task[None] | None = None
        self._reserved: dict[str, str] = {}  # places reserved in Redis while their model builds: client
        self._redis_away = False  # a warning was logged for this outage of Redis
        self._heartbeat_failed = ThrottledWarning(log, clock=clock)  # once a second while Redis is away
        self._renewal_failed = ThrottledWarning(log, clock=clock)

    def start(self) -> None:
        super().start()
        self._shared_queue.start()
        self._refresher = asyncio.create_task(self._refresh_forever())

    async def create(self, *args: Any, **kwargs: Any) -> Session:
        session = await super().create(*args, **kwargs)
        await self._put(session)  # other workers find it at once
        return session

    def _open(self, ids: tuple[str, str, str], live: Any, parts: dict[str, Any]) -> Session:
        session = super()._open(ids, live, parts)
        session.created = self.registry.clock.latest()  # older than one made later on any host
        return session

    async def adopt(self, session_id: str) -> Session:
        """Run a session from its snapshot, unless a live worker holds it or another worker claimed it
        first (the workers of a deployment share one snapshot store): at start, and for a session whose
        owner died, on the first request about it."""
        if session_id not in self._sessions:
            try:
                claimed = await self.registry.claim(session_id, self.worker)
                await self.registry.now()  # its snapshot's age is judged on Redis's clock: read it
            except (RedisError, OSError) as error:
                log.warning("session %s not adopted: the registry is unreachable (%s)", session_id, error)
                claimed = False
            if not claimed:
                raise NotFound(f"no session {session_id!r}")
        session = await super().adopt(session_id)
        await self._put(session)
        return session

    async def _hold_place(self, client: str, place: str) -> None:
        """Make room as a single process does, counting every worker's sessions and reservations, then
        reserve ``place`` in Redis within the limits in one atomic step; when another worker took the
        room in between, check again (evicting, or refusing) a few times, then refuse. Redis away: this
        worker's limits only."""
        async with self._admitting:
            for _ in range(RESERVE_TRIES):
                await self._make_room(client)
                if await self._reserve(client, place):
                    break
            else:
                raise LimitReached(
                    "other pages are opening sessions at the same moment; try again", retry_after=5
                )
            self._building += 1
            self._per_client[client] += 1

    async def _reserve(self, client: str, place: str) -> bool:
        """Whether ``place`` is reserved in Redis within the limits (True too when Redis is away)."""
        limits = self.settings.max_sessions, self.settings.max_sessions_per_client
        try:
            reserved = await self.registry.reserve(place, client, limits)
        except (RedisError, OSError) as error:
            self._unreachable(error)
            return True
        self._redis_away = False
        if reserved:
            self._reserved[place] = client
        return reserved

    async def _build_ended(self, client: str, place: str, built: bool) -> None:
        """A built session's entry replaces its reservation (``create``: ``_put``); a failed build's
        reservation goes at once."""
        if self._reserved.pop(place, None) is None or built:
            return
        try:
            await self.registry.unreserve(place, client)
        except (RedisError, OSError) as error:  # it lapses by itself
            self._unreachable(error)

    async def _counts(self, client: str) -> tuple[int, int]:
        """The deployment's counts (every worker's sessions and reservations, adopted sessions
        included), or this worker's when they are higher or Redis is away."""
        total, own = await super()._counts(client)
        try:
            shared_total, shared_own = await self.registry.counts(client)
        except (RedisError, OSError) as error:
            self._unreachable(error)
            return total, own
        self._redis_away = False
        return max(total, shared_total), max(own, shared_own)

    def _unreachable(self, error: Exception) -> None:
        """Redis did not answer about the limits: warn once per outage."""
        if not self._redis_away:
            log.warning("cluster: session counts unavailable (%s); this worker's limits only", error)
        self._redis_away = True

    async def _end(self, session: Session, reason: str = "deleted", successor: str | None = None) -> None:
        running = session in self.all()
        await super()._end(session, reason, successor)
        if running:
            self._written.pop(session.id, None)
            try:
                await self.registry.remove(session.id, session.client, reason)
            except (RedisError, OSError) as error:  # its lease lapses by itself
                log.warning("cluster: could not unregister session %s (%s)", session.id, error)

    async def close(self) -> None:
        if self._refresher is not None:
            self._refresher.cancel()
        await super().close()
        await self._shared_queue.close()  # the ended sessions' slots free at once, not when leases lapse

    async def _put(self, session: Session) -> None:
        signature, now = _signature(session), time.monotonic()
        last = self._written.get(session.id)
        changed = last is None or last[0] != signature
        if not changed and last is not None and now - last[1] < RENEW_S:
            return
        shown = self.lectures.saved(session.control.lecture, session.id)  # not a room that moved on
        try:
            await self.registry.put(entry_of(session, self.worker, shown["room"] if shown else ""), changed)
        except (RedisError, OSError) as error:
            log.warning("cluster: could not register session %s (%s)", session.id, error)
            return
        self._written[session.id] = (signature, now)

    async def _refresh_forever(self) -> None:
        """Renew this worker's lease and its sessions'; write the snapshots of those that changed; once a
        lease, adopt the snapshotted sessions whose owner died."""
        rounds = 0
        while True:
            try:
                await self.registry.heartbeat(self.worker)
            except (RedisError, OSError) as error:
                self._heartbeat_failed.warning("cluster: Redis unavailable (%s); sessions stay local", error)
            else:
                self._heartbeat_failed.cleared()
                for session in self.all():
                    await self._put(session)
                await self._renew_reservations()
                if rounds % ADOPT_EVERY == 0:
                    await self._adopt_orphans()
            rounds += 1
            await asyncio.sleep(REFRESH_S)

    async def _renew_reservations(self) -> None:
        """Places whose model still builds count for another lease (those of a worker that died lapse)."""
        if self._reserved:
            try:
                await self.registry.renew(dict(self._reserved))
            except (RedisError, OSError) as error:
                self._renewal_failed.warning("cluster: could not renew reservations (%s)", error)
            else:
                self._renewal_failed.cleared()

    async def _adopt_orphans(self) -> None:
        """Run here every snapshotted session that no live worker holds (its owner died or stopped)."""
        if self.snapshots is None:
            return
        for session_id in await self.snapshots.ids():
            if session_id not in self._sessions:
                with contextlib.suppress(NotFound):
                    await self.adopt(session_id)
