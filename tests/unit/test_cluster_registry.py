"""The shared session registry on a real redis-server: records, leases, deployment-wide counts."""

import hashlib
import math
import subprocess
import sys
from pathlib import Path

import pytest
import redis.asyncio as redis
from clock import ManualClock
from restored_session import restored_session

from app.cluster.manager import entry_of
from app.cluster.redis_clock import RedisClock
from app.cluster.registry import LEASE_S, Entry, Registry, token_hash

ROOT = Path(__file__).resolve().parents[2]


def _registry(url: str, clock: ManualClock) -> Registry:
    """A registry whose leases are in Redis's time read once (at its first call), then moved on by ``clock``
    (a worker's own clock, stepped by the test)."""
    return Registry(url, clock=RedisClock(clock, resync_s=math.inf))


async def _fresh(url: str) -> None:
    client = redis.from_url(url)
    await client.flushdb()
    await client.aclose()


def _entry(session_id: str, client: str = "10.0.0.1", owner: str = "w1") -> Entry:
    return Entry(
        session_id, owner, client, token_hash("secret"), b'{"type":"hello"}', b"{}", b"", b"\x01\x02"
    )


def test_a_record_comes_back_as_written_and_the_token_is_kept_only_as_a_hash(redis_server, run_async):
    async def scenario():
        registry = Registry(redis_server.url)
        await registry.put(_entry("s1"), snapshot=True)
        got = await registry.get("s1")
        client = redis.from_url(redis_server.url)
        raw = await client.hgetall("nnlive:session:s1")
        await client.aclose()
        await registry.close()
        return got, raw

    got, raw = run_async(scenario())
    assert got == _entry("s1")
    assert raw[b"token_hash"] == hashlib.sha256(b"secret").hexdigest().encode()
    assert b"secret" not in b"".join(raw.values())


def test_records_and_workers_hold_a_lease_that_lapses(redis_server, run_async):
    async def scenario():
        registry = Registry(redis_server.url)
        await registry.put(_entry("s2"), snapshot=False)
        await registry.heartbeat("w1")
        client = redis.from_url(redis_server.url)
        ttls = await client.pttl("nnlive:session:s2"), await client.pttl("nnlive:worker:w1")
        alive = await registry.owner_alive("w1"), await registry.owner_alive("never-started")
        await client.aclose()
        await registry.close()
        return ttls, alive

    ttls, alive = run_async(scenario())
    assert all(0 < ttl <= LEASE_S * 1000 for ttl in ttls)
    assert alive == (True, False)


def test_counts_cover_every_worker_and_drop_lapsed_leases_and_ended_sessions(redis_server, run_async):
    clock = ManualClock(1_000_000.0)

    async def scenario():
        registry = _registry(redis_server.url, clock)
        await _fresh(redis_server.url)  # only this test's sessions
        await registry.put(_entry("c1", client="1.1.1.1", owner="a"), snapshot=False)
        await registry.put(_entry("c2", client="1.1.1.1", owner="b"), snapshot=False)
        await registry.put(_entry("c3", client="2.2.2.2", owner="b"), snapshot=False)
        both = await registry.counts("1.1.1.1")
        await registry.remove("c2", "1.1.1.1", "deleted")
        after_end = await registry.counts("1.1.1.1")
        reason = await registry.ended_reason("c2")
        clock.advance(LEASE_S + 1)  # no worker renewed: their leases lapsed
        lapsed = await registry.counts("1.1.1.1")
        await registry.close()
        return both, after_end, reason, lapsed

    both, after_end, reason, lapsed = run_async(scenario())
    assert both == (3, 2)
    assert after_end == (2, 1)
    assert reason == "deleted"
    assert lapsed == (0, 0)


def test_the_redis_clock_reads_redis_time_whatever_the_workers_clock_and_reads_it_again_each_resync(
    redis_server, run_async
):
    local = ManualClock(5.0)  # this host's clock: nowhere near the epoch

    async def scenario():
        clock, client = RedisClock(local, resync_s=1.0), redis.from_url(redis_server.url)
        first = await clock.now(client)
        seconds, micros = await client.time()
        local.advance(0.5)  # within a resync: carried forward by the local clock
        carried = await clock.now(client)
        local.advance(100.0)  # past it: read again (only milliseconds passed on Redis)
        again = await clock.now(client)
        await client.aclose()
        return first, seconds + micros / 1e6, carried, again

    first, redis_now, carried, again = run_async(scenario())
    assert abs(first - redis_now) < 1.0
    assert carried - first == pytest.approx(0.5)
    assert 0 <= again - first < 1.0


def test_workers_whose_clocks_differ_by_a_minute_keep_each_others_leases_and_a_dead_ones_lapse(
    redis_server, run_async
):
    a_clock, b_clock = ManualClock(1000.0), ManualClock(1060.0)  # b's clock is a minute ahead of a's
    client = "10.9.9.9"

    async def scenario():
        await _fresh(redis_server.url)
        a, b = _registry(redis_server.url, a_clock), _registry(redis_server.url, b_clock)
        await a.put(_entry("sa", client, owner="a"), snapshot=False)
        await b.put(_entry("sb", client, owner="b"), snapshot=False)
        reserved = await a.reserve("pa", client, (4, 4)), await b.reserve("pb", client, (4, 4))
        seen = await a.counts(client), await b.counts(client)
        over = await b.reserve("extra", client, (4, 4)), await a.reserve("extra", client, (4, 4))
        await a.close()  # a dies: nobody renews its session nor its reservation
        b_clock.advance(LEASE_S - 1)
        await b.put(_entry("sb", client, owner="b"), snapshot=False)
        await b.renew({"pb": client})
        before_lapse = await b.counts(client)
        b_clock.advance(2)
        after_lapse = await b.counts(client)
        await b.close()
        return reserved, seen, over, before_lapse, after_lapse

    reserved, seen, over, before_lapse, after_lapse = run_async(scenario())
    assert reserved == (True, True)
    assert seen == ((4, 4), (4, 4))  # neither took the other's session or reservation for lapsed
    assert over == (False, False)  # so the limit holds on both
    assert before_lapse == (4, 4)  # a's leases run their full length on b's count
    assert after_lapse == (2, 2)  # then they lapse: b's own session and reservation are left


def test_the_memory_bus_runs_no_cluster_code():
    script = (
        "import sys\n"
        "from fastapi.testclient import TestClient\n"
        "from app.config import Settings\n"
        "from app.factory import create_app\n"
        "app = create_app(Settings(device='cpu'))\n"
        "with TestClient(app) as client:\n"
        "    assert client.get('/healthz').status_code == 200\n"
        "    assert app.state.cluster is None\n"
        "loaded = [m for m in sys.modules if m.startswith('app.cluster') or m == 'redis']\n"
        "assert not loaded, loaded\n"
    )
    subprocess.run([sys.executable, "-c", script], cwd=ROOT, check=True, timeout=120)


def test_a_restored_session_is_registered_with_its_tokens_hash():
    session = restored_session(token="secret")
    try:
        assert entry_of(session, "w1").token_hash == token_hash("secret") != token_hash("")
    finally:
        session.close()
