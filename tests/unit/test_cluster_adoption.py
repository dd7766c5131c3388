"""A session whose worker went is adopted by another from its snapshot on a real redis-server, judged
on Redis's clock: a worker whose own wall clock is an hour off neither deletes a session that is still
within its idle limit nor brings back one that is past it."""

import math
import time
from types import SimpleNamespace

import torch
from clock import ManualClock

from app.bus.memory import MemoryBus
from app.cluster.manager import ClusterSessionManager
from app.cluster.redis_clock import RedisClock
from app.cluster.registry import Registry
from app.config import Settings
from app.errors import NotFound
from app.sessions import session as session_module
from app.sessions.release import UNWATCHED_GRACE_S
from app.sessions.snapshot_store import DirectoryStore
from app.sessions.snapshots import Snapshotter

HOUR_S = 3600.0
IDLE_S = 1800.0  # NNLIVE_SESSION_IDLE_S
CLIENT = "203.0.113.7"


def _worker(url: str, store: DirectoryStore, clock: ManualClock, name: str, skew_s: float, **limits: int):
    """One worker (not started) on the Redis at ``url`` and the shared snapshot ``store``, whose host's wall
    clock is ``skew_s`` off; its leases are Redis's time read once, moved on by ``clock``."""
    settings = Settings(device="cpu", torch_threads=1, bus_url=url, session_idle_s=IDLE_S, **limits)
    snapshots = Snapshotter(store, 10.0, clock, wall=lambda: time.time() + skew_s)
    registry = Registry(url, clock=RedisClock(clock, resync_s=math.inf))
    return ClusterSessionManager(
        settings, MemoryBus(), torch.device("cpu"), clock, snapshots, registry=registry, worker=name
    )


async def _running(worker: ClusterSessionManager) -> ClusterSessionManager:
    """``worker`` as it is after its first refresh: it read Redis's time (then moved on by its clock)."""
    await worker.registry.now()
    return worker


async def _left_behind(worker: ClusterSessionManager) -> str:
    """The id of a session of ``worker`` that it snapshotted, then went away from (the session's lease
    gone, its snapshot left to adopt)."""
    session = await worker.create("mlp", {}, 0, None, CLIENT)
    await worker.close()  # a shutdown keeps the snapshot (written now) and drops the lease
    await worker.registry.close()
    return session.id


async def _adopted(worker: ClusterSessionManager, session_id: str) -> bool:
    try:
        await worker.adopt(session_id)
    except NotFound:
        return False
    finally:
        await worker.close()
        await worker.registry.close()
    return True


def test_a_worker_whose_clock_is_an_hour_ahead_adopts_a_session_within_its_idle_limit(
    redis_server, tmp_path, run_async
):
    clock, store = ManualClock(), DirectoryStore(tmp_path)

    async def scenario() -> tuple[bool, list[str]]:
        b = await _running(_worker(redis_server.url, store, clock, "b", HOUR_S))
        session_id = await _left_behind(_worker(redis_server.url, store, clock, "a", 0.0))
        clock.advance(60.0)  # idle a minute
        adopted = await _adopted(b, session_id)
        return adopted, store.ids()

    adopted, left = run_async(scenario())
    assert adopted
    assert len(left) == 1  # its snapshot kept, not deleted as expired


def test_a_session_past_its_idle_limit_is_not_adopted_after_a_worker_whose_clock_is_an_hour_ahead_saved_it(
    redis_server, tmp_path, run_async
):
    clock, store = ManualClock(), DirectoryStore(tmp_path)

    async def scenario() -> tuple[bool, list[str]]:
        b = await _running(_worker(redis_server.url, store, clock, "b", 0.0))
        session_id = await _left_behind(_worker(redis_server.url, store, clock, "a", HOUR_S))
        clock.advance(IDLE_S + 60.0)  # idle past the limit, on every clock
        adopted = await _adopted(b, session_id)
        return adopted, store.ids()

    adopted, left = run_async(scenario())
    assert not adopted
    assert left == []  # the expired snapshot is deleted


def test_a_client_at_its_limit_loses_its_oldest_session_even_one_adopted_from_a_host_an_hour_ahead(
    redis_server, tmp_path, run_async, monkeypatch
):
    clock, store, ahead = ManualClock(), DirectoryStore(tmp_path), [HOUR_S]
    host = SimpleNamespace(**{name: getattr(time, name) for name in ("monotonic", "sleep", "thread_time")})
    host.time = lambda: time.time() + ahead[0]  # the wall clock of the host a session is made on
    monkeypatch.setattr(session_module, "time", host)

    async def scenario() -> tuple[list[str], str]:
        b = await _running(_worker(redis_server.url, store, clock, "b", 0.0, max_sessions_per_client=2))
        oldest = await _left_behind(_worker(redis_server.url, store, clock, "a", HOUR_S))
        await b.adopt(oldest)
        ahead[0] = 0.0
        clock.advance(60.0)
        newer = await b.create("mlp", {}, 0, None, CLIENT)
        clock.advance(UNWATCHED_GRACE_S)  # nobody watches either
        await b.create("mlp", {}, 0, None, CLIENT)  # the client's third: its oldest unneeded one ends
        ended = [s for s in (oldest, newer.id) if b.ended_reason(s) == "evicted"]
        await b.close()
        await b.registry.close()
        return ended, oldest

    ended, oldest = run_async(scenario())
    assert ended == [oldest]
