"""One suite for every bus: memory:// and redis:// (a real redis-server on a free port) behave alike."""

import asyncio
import contextlib
import logging
import signal
import threading
import time

import pytest
import redis.asyncio as redis
from redis_server import RedisServer

from app.bus import redis as redis_bus
from app.bus.base import EVERY_MESSAGE
from app.bus.factory import make_bus
from app.bus.redis import Backoff, RedisBus

FAST = Backoff(first=0.02, most=0.1)
WAIT_S = 10


@pytest.fixture(params=["memory", "redis"])
def make(request):
    """A function making a bus of the parametrised kind (``redis``: on the module's server)."""
    if request.param == "memory":
        return lambda: make_bus("memory://")
    server = request.getfixturevalue("redis_server")
    return lambda: RedisBus(server.url, backoff=FAST)


async def _receive(messages, n: int) -> list[bytes]:
    return [await asyncio.wait_for(anext(messages), WAIT_S) for _ in range(n)]


def test_every_subscriber_gets_every_message_in_order(make, run_async):
    async def scenario():
        bus = make()
        async with bus.subscribe("a") as first, bus.subscribe("a") as second, bus.subscribe("b") as other:
            for i in range(5):
                await bus.publish("a", bytes([i]))
            await bus.publish("b", b"elsewhere")
            got = await _receive(first, 5), await _receive(second, 5), await _receive(other, 1)
        await bus.close()
        return got

    first, second, other = run_async(scenario())
    assert first == second == [bytes([i]) for i in range(5)]
    assert other == [b"elsewhere"]


def test_a_laggard_keeps_the_newest_and_never_blocks_the_publisher(make, run_async):
    async def scenario():
        bus = make()
        async with bus.subscribe("ch") as slow:
            for i in range(100):
                await bus.publish("ch", bytes([i]))
            last = bytes([99])
            got = []
            while not got or got[-1] != last:  # the newest arrives (Redis: after its round trip)
                got.append(await asyncio.wait_for(anext(slow), WAIT_S))
        await bus.close()
        return got

    got = run_async(scenario())
    assert len(got) <= 8
    assert got == sorted(got)


def test_a_subscriber_of_every_message_keeps_a_whole_burst_from_another_process(redis_server, run_async):
    """A channel of messages (a worker's inbox, a connection's answers) loses none of a burst that another
    process sent in one pipeline and that is read late; a snapshot subscriber of it keeps the newest."""
    burst = [i.to_bytes(2, "big") for i in range(100)]

    async def scenario():
        a, b = RedisBus(redis_server.url, backoff=FAST), RedisBus(redis_server.url, backoff=FAST)
        async with b.subscribe("ch", depth=EVERY_MESSAGE) as every, b.subscribe("ch") as newest:
            for message in burst:
                a.publish_nowait("ch", message)
            kept = []
            while not kept or kept[-1] != burst[-1]:
                kept.append(await asyncio.wait_for(anext(newest), WAIT_S))
            got = await _receive(every, len(burst))
        for bus in (a, b):
            await bus.close()
        return got, kept

    got, kept = run_async(scenario())
    assert got == burst
    assert len(kept) <= 8


def test_publishing_with_no_subscriber_and_leaving_cleans_up(make, run_async):
    async def scenario():
        bus = make()
        await bus.publish("nobody", b"x")
        async with bus.subscribe("ch"):
            pass
        channels = bus.channels
        await bus.close()
        return channels

    assert run_async(scenario()) == []


def test_publish_nowait_wakes_a_waiting_reader_without_a_coroutine(make, run_async):
    """Publishing never waits, on either bus (Redis: the message is queued for the other processes)."""

    async def scenario():
        bus = make()
        async with bus.subscribe("ch") as messages:
            reader = asyncio.create_task(anext(messages))
            await asyncio.sleep(0)  # the reader waits on an empty mailbox
            bus.publish_nowait("ch", b"now")
            got = await asyncio.wait_for(reader, WAIT_S)
        await bus.close()
        return got

    assert run_async(scenario()) == b"now"


def test_redis_sends_what_is_published_at_once_in_order_in_few_round_trips(redis_server, run_async):
    """A burst published without waiting reaches the other process whole and in order; what is still
    queued when a bus closes is sent first."""

    async def scenario():
        a, b = RedisBus(redis_server.url, backoff=FAST), RedisBus(redis_server.url, backoff=FAST)
        async with b.subscribe("ch") as on_b:
            for i in range(5):  # not more than a subscriber keeps: each must arrive
                a.publish_nowait("ch", bytes([i]))
            got = await _receive(on_b, 5)
            a.publish_nowait("ch", b"last")
            await a.close()
            last = await _receive(on_b, 1)
        await b.close()
        return got, last

    got, last = run_async(scenario())
    assert got == [bytes([i]) for i in range(5)]
    assert last == [b"last"]


def test_a_reader_cancelled_while_waiting_leaves_cleanly(make, run_async):
    async def scenario():
        bus = make()
        async with bus.subscribe("ch") as messages:
            reader = asyncio.create_task(anext(messages))
            await asyncio.sleep(0)
            reader.cancel()
            await asyncio.gather(reader, return_exceptions=True)
            await bus.publish("ch", b"kept")  # the mailbox keeps it for the next read
            got = await _receive(messages, 1)
        channels = bus.channels
        await bus.close()
        return reader.cancelled(), got, channels

    assert run_async(scenario()) == (True, [b"kept"], [])


def test_redis_carries_messages_between_processes_once_each(redis_server, run_async):
    """Two buses stand for two worker processes: each subscriber gets each message exactly once.

    Order holds per publisher (a channel has one: the session's owner), not across publishers: a process
    hands its own message to its subscribers before Redis brings the other's."""

    async def scenario():
        a, b = RedisBus(redis_server.url, backoff=FAST), RedisBus(redis_server.url, backoff=FAST)
        async with a.subscribe("ch") as on_a, b.subscribe("ch") as on_b:
            await a.publish("ch", b"from a")
            await b.publish("ch", b"from b")
            got_a, got_b = await _receive(on_a, 2), await _receive(on_b, 2)
            await a.publish("ch", b"marker")
            after = await _receive(on_a, 1), await _receive(on_b, 1)
        await a.close()
        await b.close()
        return got_a, got_b, after

    got_a, got_b, after = run_async(scenario())
    assert sorted(got_a) == sorted(got_b) == [b"from a", b"from b"]
    assert after == ([b"marker"], [b"marker"])  # no duplicate of an own message came in between


def test_a_subscriber_redis_cut_off_subscribes_again(redis_server, run_async):
    """Redis drops a subscriber that falls behind by closing its connection: the bus comes back by itself."""

    async def scenario():
        a, b = RedisBus(redis_server.url, backoff=FAST), RedisBus(redis_server.url, backoff=FAST)
        admin = redis.from_url(redis_server.url)
        async with b.subscribe("ch") as on_b:
            await a.publish("ch", b"before")
            assert await _receive(on_b, 1) == [b"before"]
            await admin.execute_command("CLIENT", "KILL", "TYPE", "pubsub")
            await asyncio.wait_for(b.offline.wait(), WAIT_S)
            await asyncio.wait_for(b.online.wait(), WAIT_S)  # reconnected and confirmed
            await a.publish("ch", b"after")
            got = await _receive(on_b, 1)
        for bus in (a, b):
            await bus.close()
        await admin.aclose()
        return got

    assert run_async(scenario()) == [b"after"]


def test_without_redis_local_subscribers_go_on_and_others_resume_when_it_is_back(run_async):
    server = RedisServer().start()

    async def scenario():
        a, b = RedisBus(server.url, backoff=FAST), RedisBus(server.url, backoff=FAST)
        async with a.subscribe("ch") as on_a, b.subscribe("ch") as on_b:
            await a.publish("ch", b"1")
            assert await _receive(on_b, 1) == [b"1"]
            server.stop()
            await asyncio.wait_for(asyncio.gather(a.offline.wait(), b.offline.wait()), WAIT_S)
            await a.publish("ch", b"local only")
            local = await _receive(on_a, 2)
            server.start()
            await asyncio.wait_for(asyncio.gather(a.online.wait(), b.online.wait()), WAIT_S)
            await a.publish("ch", b"2")
            remote = await _receive(on_b, 1)
        for bus in (a, b):
            await bus.close()
        return local, remote

    try:
        local, remote = run_async(scenario())
    finally:
        server.stop()
    assert local == [b"1", b"local only"]
    assert remote == [b"2"]


def test_unknown_bus_urls_are_refused_clearly():
    with pytest.raises(ValueError, match="memory:// or redis://"):
        make_bus("kafka://somewhere")


def test_a_subscriber_that_falls_behind_is_cut_off_by_redis_and_comes_back(run_async):
    """A real client-output-buffer-limit cut: B's event loop is stalled while A publishes 32 MB."""
    server = RedisServer().start()
    ready, stall, release, done = (threading.Event() for _ in range(4))
    received: list[bytes] = []

    async def subscriber():
        bus = RedisBus(server.url, backoff=FAST)
        async with bus.subscribe("ch") as messages:
            ready.set()
            while not received or received[-1] != b"after":
                received.append(await anext(messages))
        await bus.close()
        done.set()

    async def publisher():
        admin = redis.from_url(server.url)
        await admin.config_set("client-output-buffer-limit", "pubsub 256kb 0 0")
        bus = RedisBus(server.url, backoff=FAST)
        stall.set()
        for _ in range(32):
            await bus.publish("ch", bytes(1 << 20))
        await _until(admin, subscribers=0)  # Redis dropped the laggard
        release.set()
        await _until(admin, subscribers=1)  # ... which subscribed again
        while not done.is_set():  # snapshots keep coming, as frames do
            await bus.publish("ch", b"after")
            await asyncio.sleep(0.02)
        await bus.close()
        await admin.aclose()

    def stall_subscriber(loop):
        stall.wait(WAIT_S)
        loop.call_soon_threadsafe(release.wait, WAIT_S)  # blocks B's whole event loop until released

    thread = threading.Thread(target=lambda: asyncio.run(_with_loop(subscriber, stall_subscriber)))
    thread.start()
    try:
        assert ready.wait(WAIT_S)
        run_async(asyncio.wait_for(publisher(), 4 * WAIT_S))
        thread.join(WAIT_S)
    finally:
        release.set()
        server.stop()
    assert received[-1] == b"after"
    assert len(received) < 32  # the backlog was cut, not delivered late


async def _until(admin, subscribers: int) -> None:
    """Poll Redis (it sends no event for this) until ``ch`` has that many subscribers."""
    for _ in range(WAIT_S * 100):
        if (await admin.pubsub_numsub("ch"))[0][1] == subscribers:
            return
        await asyncio.sleep(0.01)
    raise TimeoutError(f"ch never had {subscribers} subscribers")


async def _with_loop(main, before):
    """Run ``main()`` after handing its event loop to ``before`` in a helper thread."""
    threading.Thread(target=before, args=(asyncio.get_running_loop(),), daemon=True).start()
    await main()


def test_a_frozen_redis_holds_a_bounded_queue_that_is_sent_when_it_wakes_and_close_waits_briefly(
    monkeypatch, run_async
):
    """Redis stops answering (SIGSTOP: no error, no reset): publishing never waits, what waits for Redis
    stays within ``MAX_QUEUED_BYTES`` (the oldest dropped), the sender resumes when Redis wakes with the
    newest message last, and closing with Redis frozen takes ``CLOSE_FLUSH_S``, not longer."""
    monkeypatch.setattr(redis_bus, "MAX_QUEUED_BYTES", 1 << 20)
    monkeypatch.setattr(redis_bus, "CLOSE_FLUSH_S", 0.5)
    server = RedisServer().start()
    chunk = bytes(100_000)

    async def scenario():
        a, b = RedisBus(server.url, backoff=FAST), RedisBus(server.url, backoff=FAST)
        async with a.subscribe("ch") as on_a, b.subscribe("ch") as on_b:
            await a.publish("ch", b"first")
            assert await _receive(on_b, 1) == [b"first"]
            assert await _receive(on_a, 1) == [b"first"]
            server.process.send_signal(signal.SIGSTOP)
            most = 0
            for _ in range(20):  # 2 MB per round, far beyond the queue's 1 MB
                for _ in range(20):
                    a.publish_nowait("ch", chunk)
                most = max(most, a._queued_bytes)
                await asyncio.sleep(0.01)  # the sender takes a batch and waits on frozen Redis
            a.publish_nowait("ch", b"newest")
            local = (await _receive(on_a, 8))[-1]  # the local subscriber got every one at once
            server.process.send_signal(signal.SIGCONT)
            while (got := await _receive(on_b, 1)) != [b"newest"]:
                assert got == [chunk]
            server.process.send_signal(signal.SIGSTOP)
            a.publish_nowait("ch", b"never sent")
            started = time.monotonic()
            await a.close()
            closing = time.monotonic() - started
            server.process.send_signal(signal.SIGCONT)
        await b.close()
        return most, local, closing

    try:
        most, local, closing = run_async(scenario())
    finally:
        server.process.send_signal(signal.SIGCONT)
        server.stop()
    assert 0 < most <= 1 << 20
    assert local == b"newest"
    assert 0.5 <= closing < 2.0


def test_a_quiet_subscription_is_pinged_not_dropped(monkeypatch, redis_server, run_async):
    """Pub/sub reads wait for as long as nothing is published: silence alone never ends the connection."""
    monkeypatch.setattr(redis_bus, "SILENCE_S", 0.05)

    async def scenario():
        a, b = RedisBus(redis_server.url, backoff=FAST), RedisBus(redis_server.url, backoff=FAST)
        async with b.subscribe("ch") as on_b:
            await asyncio.sleep(0.5)  # ten silences: each answered by a pong
            await a.publish("ch", b"still here")
            got = await _receive(on_b, 1)
        connections = b.connections
        for bus in (a, b):
            await bus.close()
        return got, connections

    assert run_async(scenario()) == ([b"still here"], 1)


def test_a_frozen_redis_is_given_up_in_bounded_time_logged_once_and_used_again(
    monkeypatch, caplog, run_async
):
    """Redis stops answering (SIGSTOP: the connections stay open, nothing comes back). The sender's
    pipeline fails after ``COMMAND_TIMEOUT_S`` instead of waiting until TCP gives up, the listener gives up
    a connection whose ping goes unanswered, one warning says publishing failed however often it is
    retried, one says when it works again, and the other process gets messages again."""
    monkeypatch.setattr(redis_bus, "COMMAND_TIMEOUT_S", 0.3)
    monkeypatch.setattr(redis_bus, "SILENCE_S", 0.2)
    monkeypatch.setattr(redis_bus, "PUBLISH_RETRY_S", 0.05)
    server = RedisServer().start()

    async def scenario():
        a, b = RedisBus(server.url, backoff=FAST), RedisBus(server.url, backoff=FAST)
        async with a.subscribe("ch"), b.subscribe("ch") as on_b:
            await a.publish("ch", b"before")
            assert await _receive(on_b, 1) == [b"before"]
            server.process.send_signal(signal.SIGSTOP)
            started = time.monotonic()
            while not a.offline.is_set() or a._failing < 10:  # several tries over several timeouts
                a.publish_nowait("ch", b"while frozen")
                await asyncio.sleep(0.02)
                assert time.monotonic() - started < WAIT_S, "the frozen Redis held the bus"
            server.process.send_signal(signal.SIGCONT)
            await asyncio.wait_for(b.online.wait(), WAIT_S)
            while True:  # B listens again: what A publishes now reaches it
                a.publish_nowait("ch", b"after")
                with contextlib.suppress(TimeoutError):
                    if (got := await asyncio.wait_for(anext(on_b), 0.2)) == b"after":
                        break
        for bus in (a, b):
            await bus.close()
        return got

    caplog.set_level(logging.WARNING, logger="nnlive.bus")
    try:
        assert run_async(scenario()) == b"after"
    finally:
        server.process.send_signal(signal.SIGCONT)
        server.stop()
    said = [r.getMessage() for r in caplog.records]
    assert sum("publishing to Redis failed" in m for m in said) == 1, said
    assert sum("publishing to Redis again" in m for m in said) == 1, said


def test_the_sender_outlives_an_unexpected_error(redis_server, caplog, run_async):
    """A failure that is not Redis's (a bug) costs its batch and is logged; later messages still go."""

    async def scenario():
        a, b = RedisBus(redis_server.url, backoff=FAST), RedisBus(redis_server.url, backoff=FAST)
        pipeline = a._client.pipeline

        def broken(**kwargs):
            a._client.pipeline = pipeline  # once
            raise RuntimeError("a bug")

        async with b.subscribe("ch") as on_b:
            a._client.pipeline = broken
            a.publish_nowait("ch", b"lost")
            await asyncio.wait_for(a._sent.wait(), WAIT_S)
            a.publish_nowait("ch", b"next")
            got = await _receive(on_b, 1)
        for bus in (a, b):
            await bus.close()
        return got

    assert run_async(scenario()) == [b"next"]
    errors = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert len(errors) == 1
    assert "a bug" in str(errors[0].exc_info[1])


def test_a_channel_subscribed_while_redis_confirms_the_others_is_subscribed_once_online(
    monkeypatch, run_async
):
    """The listener asked Redis for this process's channels and waits for the confirmation (here: Redis is
    frozen as the bus first connects); a channel subscribed meanwhile gives up waiting after
    ``SUBSCRIBE_TIMEOUT_S`` and is left to the listener, which subscribes it once Redis confirms."""
    monkeypatch.setattr(redis_bus, "SUBSCRIBE_TIMEOUT_S", 0.2)
    server = RedisServer().start()

    async def scenario():
        a = RedisBus(server.url, backoff=FAST)
        server.process.send_signal(signal.SIGSTOP)  # (the kernel still accepts the connection)
        async with a.subscribe("early"):
            await asyncio.sleep(0.1)  # the listener's SUBSCRIBE waits in the frozen Redis
            async with a.subscribe("late") as late:
                server.process.send_signal(signal.SIGCONT)
                await asyncio.wait_for(a.online.wait(), WAIT_S)
                b = RedisBus(server.url, backoff=FAST)
                while True:  # until a's subscription is confirmed, a message may find nobody
                    await b.publish("late", b"reached")
                    with contextlib.suppress(TimeoutError):
                        got = await asyncio.wait_for(anext(late), 0.2)
                        break
        for bus in (a, b):
            await bus.close()
        return got

    try:
        assert run_async(asyncio.wait_for(scenario(), 2 * WAIT_S)) == b"reached"
    finally:
        server.process.send_signal(signal.SIGCONT)
        server.stop()
