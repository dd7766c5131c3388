"""The session limits of a deployment on a real redis-server: two workers (two ClusterSessionManagers on one
Redis) creating at the same moment never exceed a client's limit nor the deployment's maximum, a
reservation whose worker died lapses after its lease, a failed build gives its place back at once, and
with Redis away each worker keeps its own limits."""

import asyncio
import dataclasses
import logging
import math

import pytest
import redis.asyncio as redis
import torch
from clock import ManualClock
from redis_server import RedisServer, free_port

from app.bus.memory import MemoryBus
from app.cluster.manager import REFRESH_S, ClusterSessionManager
from app.cluster.redis_clock import RedisClock
from app.cluster.registry import LEASE_S, Registry
from app.config import Settings
from app.engine import pretrained
from app.engine.catalog import CATALOG
from app.errors import LimitReached, NotFound, Unavailable
from app.sessions.release import UNWATCHED_GRACE_S

CLIENT = "203.0.113.7"


def _worker(url: str, clock: ManualClock, name: str, **limits: int) -> ClusterSessionManager:
    """One worker's session manager (not started: no refresher, no training) on the Redis at ``url``."""
    settings = Settings(device="cpu", torch_threads=1, bus_url=url, **limits)
    registry = _registry(url, clock)
    return ClusterSessionManager(
        settings, MemoryBus(), torch.device("cpu"), clock, registry=registry, worker=name
    )


def _registry(url: str, clock: ManualClock) -> Registry:
    """A registry whose leases are in Redis's time, read once (its first call) and moved on by ``clock``."""
    return Registry(url, clock=RedisClock(clock, resync_s=math.inf))


async def _two_workers(url: str, clock: ManualClock, **limits: int) -> list[ClusterSessionManager]:
    """Workers ``a`` and ``b`` on an emptied Redis."""
    await _fresh(url)
    return [_worker(url, clock, name, **limits) for name in "ab"]


async def _fresh(url: str) -> None:
    client = redis.from_url(url)
    await client.flushdb()  # only this test's sessions and reservations
    await client.aclose()


async def _close(*workers: ClusterSessionManager) -> None:
    for worker in workers:
        await worker.close()
        await worker.registry.close()


async def _create(worker: ClusterSessionManager, client: str = CLIENT) -> str:
    """The id of a new MLP session of ``client`` on ``worker``, or ``"limit"`` when it was refused."""
    try:
        session = await worker.create("mlp", {}, 0, None, client)
    except LimitReached:
        return "limit"
    return session.id


def test_two_workers_creating_at_once_give_a_client_one_place_left_only_once(redis_server, run_async):
    clock = ManualClock(1_000_000.0)

    async def scenario() -> tuple:
        a, b = await _two_workers(redis_server.url, clock, max_sessions_per_client=2)
        first = await _create(a)  # the client is at its limit minus one; nobody may evict it (fresh)
        results = await asyncio.gather(_create(a), _create(b))
        live = [s.id for s in a.all() + b.all() if s.client == CLIENT]
        counts = await a.registry.counts(CLIENT)
        await _close(a, b)
        return first, results, live, counts

    first, results, live, counts = run_async(scenario())
    assert first != "limit"
    assert sorted(r == "limit" for r in results) == [False, True]  # exactly one of the two got the place
    assert len(live) == 2
    assert counts == (2, 2)  # the refused create left no reservation behind


def test_the_worker_that_lost_the_place_evicts_its_unneeded_session_of_the_client_instead(
    redis_server, run_async
):
    clock = ManualClock(1_000_000.0)

    async def scenario() -> tuple:
        a, b = await _two_workers(redis_server.url, clock, max_sessions_per_client=3)
        old = await _create(a), await _create(b)
        clock.advance(UNWATCHED_GRACE_S)  # nobody watched them since: either may be evicted
        results = await asyncio.gather(_create(a), _create(b))
        live = [s.id for s in a.all() + b.all() if s.client == CLIENT]
        counts = await a.registry.counts(CLIENT)
        ended = [a.ended_reason(old[0]), b.ended_reason(old[1])]
        await _close(a, b)
        return results, live, counts, ended

    results, live, counts, ended = run_async(scenario())
    assert "limit" not in results  # the winner took the last place, the other made room on its worker
    assert sorted(ended, key=str) == [None, "evicted"]  # one of the old sessions ended, the other runs
    assert len(live) == 3
    assert counts == (3, 3)


def test_two_workers_creating_at_once_never_exceed_the_deployments_maximum(redis_server, run_async):
    clock = ManualClock(1_000_000.0)

    async def scenario() -> tuple:
        a, b = await _two_workers(redis_server.url, clock, max_sessions=3)
        await _create(a, "198.51.100.1")
        await _create(b, "198.51.100.2")
        results = await asyncio.gather(
            _create(a, "198.51.100.3"), _create(b, "198.51.100.4"), _create(a, "198.51.100.5")
        )
        running = len(a) + len(b)
        counts = await a.registry.counts("198.51.100.3")
        await _close(a, b)
        return results, running, counts

    results, running, counts = run_async(scenario())
    assert sum(r != "limit" for r in results) == 1
    assert running == 3
    assert counts[0] == 3


def test_a_reservation_whose_worker_died_lapses_after_its_lease(redis_server, run_async):
    clock = ManualClock(1_000_000.0)

    async def scenario() -> tuple:
        await _fresh(redis_server.url)
        a = _worker(redis_server.url, clock, "a", max_sessions_per_client=1)
        dead = _registry(redis_server.url, clock)  # its worker reserved, then died mid-build
        reserved = await dead.reserve("never-built", CLIENT, (100, 1))
        await dead.close()
        held = await _create(a)
        clock.advance(LEASE_S - 1)
        still_held = await _create(a)
        clock.advance(2)
        after = await _create(a)
        counts = await a.registry.counts(CLIENT)
        await _close(a)
        return reserved, held, still_held, after, counts

    reserved, held, still_held, after, counts = run_async(scenario())
    assert reserved is True
    assert (held, still_held) == ("limit", "limit")
    assert after != "limit"
    assert counts == (1, 1)  # the session that replaced the lapsed reservation, and nothing else


def test_a_failed_build_gives_its_reserved_place_back_at_once(redis_server, run_async, monkeypatch):
    monkeypatch.setattr(pretrained, "pretrained_available", lambda: False)  # the build raises Unavailable
    clock = ManualClock(1_000_000.0)

    async def scenario() -> tuple:
        await _fresh(redis_server.url)
        a = _worker(redis_server.url, clock, "a", max_sessions_per_client=1)
        with pytest.raises(Unavailable):
            await a.create("transformer", {}, 0, None, CLIENT)
        counts = await a.registry.counts(CLIENT)  # no time passed
        reserved = dict(a._reserved)
        after = await _create(a)
        await _close(a)
        return counts, reserved, after

    counts, reserved, after = run_async(scenario())
    assert counts == (0, 0)
    assert reserved == {}
    assert after != "limit"


def test_a_build_under_way_keeps_its_place_past_a_lease_while_its_worker_renews_it(redis_server, run_async):
    clock = ManualClock(1_000_000.0)

    async def scenario() -> tuple:
        await _fresh(redis_server.url)
        a = _worker(redis_server.url, clock, "a", max_sessions_per_client=1)
        assert await a._reserve(CLIENT, "building")
        for _ in range(3):  # three refresh rounds, each over half a lease apart
            clock.advance(LEASE_S * 0.6)
            await a._renew_reservations()
        held = await a.registry.counts(CLIENT)
        await a._build_ended(CLIENT, "building", built=False)
        freed = await a.registry.counts(CLIENT)
        await _close(a)
        return held, freed

    held, freed = run_async(scenario())
    assert held == (1, 1)
    assert freed == (0, 0)


def test_with_redis_away_a_worker_keeps_its_own_limits_and_warns_once(run_async, caplog):
    clock = ManualClock(1_000_000.0)
    nowhere = f"redis://127.0.0.1:{free_port()}/0"  # nothing listens there

    async def scenario() -> tuple:
        a = _worker(nowhere, clock, "a", max_sessions_per_client=1)
        first, second = await _create(a), await _create(a)
        await _close(a)
        return first, second

    with caplog.at_level(logging.WARNING, logger="app.cluster.manager"):
        first, second = run_async(scenario())
    assert first != "limit"
    assert second == "limit"
    warnings = [r for r in caplog.records if "session counts unavailable" in r.getMessage()]
    assert len(warnings) == 1


def test_a_renewal_that_fails_every_second_while_redis_is_away_logs_one_line_a_minute(run_async, caplog):
    clock = ManualClock(1_000_000.0)
    server = RedisServer().start()  # this test's own: it goes away

    async def scenario() -> bool:
        a = _worker(server.url, clock, "a", max_sessions_per_client=1)
        reserved = await a._reserve(CLIENT, "building")
        server.stop()
        for _ in range(120):  # two minutes of refresh rounds
            await a._renew_reservations()
            clock.advance(REFRESH_S)
        await _close(a)
        return reserved

    with caplog.at_level(logging.WARNING, logger="app.cluster.manager"):
        reserved = run_async(scenario())
    lines = [r.getMessage() for r in caplog.records if "could not renew reservations" in r.getMessage()]
    assert reserved is True
    assert len(lines) == 2
    assert lines[1].endswith("(and 59 more like it in the last 60 s)")


def test_a_second_outage_of_redis_within_the_minute_is_logged_at_once(run_async, caplog):
    clock = ManualClock(1_000_000.0)
    server = RedisServer().start()  # this test's own: it goes away twice

    async def scenario() -> None:
        a = _worker(server.url, clock, "a", max_sessions_per_client=1)
        await a._reserve(CLIENT, "building")
        for _ in range(2):  # two outages, ten seconds apart
            server.stop()
            await a._renew_reservations()
            clock.advance(REFRESH_S)
            server.start()  # back (empty: the renewal succeeds and adds nothing)
            await a._renew_reservations()
            clock.advance(10 * REFRESH_S)
        await _close(a)

    with caplog.at_level(logging.WARNING, logger="app.cluster.manager"):
        run_async(scenario())
    server.stop()
    lines = [r.getMessage() for r in caplog.records if "could not renew reservations" in r.getMessage()]
    assert len(lines) == 2


def test_a_replacement_whose_room_closed_during_its_build_leaves_no_session_and_frees_its_place(
    redis_server, run_async, monkeypatch
):
    clock = ManualClock(1_000_000.0)
    mlp = CATALOG["mlp"]

    async def scenario() -> tuple:
        await _fresh(redis_server.url)
        a = _worker(redis_server.url, clock, "a", max_sessions_per_client=2)
        shown = await a.create("mlp", {}, 0, None, CLIENT)
        room = shown.control.lecture
        loop = asyncio.get_running_loop()

        def build_while_the_room_closes(*args: object) -> object:
            ending = a.end(shown.id, "deleted")  # its page closed: the room closes with it
            asyncio.run_coroutine_threadsafe(ending, loop).result()
            return mlp.build(*args)

        monkeypatch.setitem(CATALOG, "mlp", dataclasses.replace(mlp, build=build_while_the_room_closes))
        with pytest.raises(NotFound):
            await a.create("mlp", {}, 0, None, CLIENT, lecture=(room, a.lectures.key(room)))
        left = (len(a), a._per_client[CLIENT], dict(a._reserved), await a.registry.counts(CLIENT))
        await _close(a)
        return left

    sessions, counted, reserved, counts = run_async(scenario())
    assert (sessions, counted, reserved) == (0, 0, {})  # nothing runs that no page can reach
    assert counts == (0, 0)  # its reservation went at once, not after a lease
