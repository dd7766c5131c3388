"""``redis://host:port/db``: the bus across worker processes and hosts, on Redis pub/sub.

Each process hands a message to its own subscribers itself (as ``MemoryBus`` does) and publishes it once
to Redis, tagged with the process's origin; the process's one Redis subscription (one connection) brings
the other processes' messages, which it hands to its subscribers, and skips its own. So a worker's own
viewers keep their frames while Redis is away, and Redis carries a message once per process, not once
per viewer.

Redis closes the connection of a subscriber that falls behind (``client-output-buffer-limit``) without
any other sign, and a restarted Redis has forgotten every subscription. Either way the listener sees its
connection end, connects again with backoff and subscribes to every channel this process still listens
to. What was published in between is lost, as the bus allows for snapshots. A Redis that stops answering
without closing anything is given up in bounded time: commands time out (``COMMAND_TIMEOUT_S``), and the
listener, whose reads wait as long as nothing is published, pings after ``SILENCE_S`` of silence.

Publishing never waits on Redis: a message is handed to this process's subscribers at once and queued for
Redis, and one sender task writes the queue in pipelines, in order (several messages a round trip). A
worker's own viewers do not wait for Redis round trips, and a slow Redis costs the other workers only the
oldest queued messages (beyond ``MAX_QUEUED_BYTES``), never this one's event loop.
"""

import asyncio
import contextlib
import logging
import os
import random
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import redis.asyncio as redis
from redis.exceptions import RedisError

from app.bus.memory import MemoryBus

log = logging.getLogger("nnlive.bus")

ORIGIN_BYTES = 16
SUBSCRIBE_TIMEOUT_S = 2.0
PUBLISH_RETRY_S = 1.0  # after a failed publish, only local subscribers get messages for this long
MAX_QUEUED_BYTES = 32 << 20  # messages waiting for Redis beyond this: the oldest are dropped
CLOSE_FLUSH_S = 2.0  # at close, how long what is queued may take to reach Redis
COMMAND_TIMEOUT_S = 5.0  # a command Redis does not answer in this long fails (a frozen Redis, a dead link)
SILENCE_S = 5.0  # the listener pings Redis after this long without a message; as long again: it reconnects


def client_name(pid: int) -> str:
    """The name of the bus's Redis connections in process ``pid``."""
    return f"nnlive-bus-{pid}"


@dataclass(frozen=True)
class Backoff:
    """Waits between reconnection attempts: ``first`` doubling up to ``most``, with ±20 % jitter."""

    first: float = 0.2
    most: float = 5.0
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep

    def delays(self):
        """An endless series of delays (restart it after a success)."""
        delay = self.first
        while True:
            yield delay * random.uniform(0.8, 1.2)
            delay = min(delay * 2, self.most)


class RedisBus(MemoryBus):
    """Local fan-out plus one Redis pub/sub connection per process; publishing never waits on a reader."""

    def __init__(self, url: str, depth: int = 8, backoff: Backoff = Backoff()) -> None:
        super().__init__(depth)
        # The timeout bounds every command and write; the listener reads with timeouts of its own. The
        # name tells this process's connections apart in Redis's CLIENT LIST (bench/fanout.py reads it).
        self._client = redis.from_url(
            url,
            socket_connect_timeout=2.0,
            socket_timeout=COMMAND_TIMEOUT_S,
            socket_keepalive=True,
            client_name=client_name(os.getpid()),
        )
        self._origin = os.urandom(ORIGIN_BYTES)
        self._control = f"nnlive:bus:{self._origin.hex()}"  # keeps the subscription open with no channel
        self._backoff = backoff
        self._pubsub: redis.client.PubSub | None = None
        self._confirmed: dict[str, asyncio.Event] = {}
        self._listener: asyncio.Task | None = None
        self.online = asyncio.Event()  # set while Redis confirms every channel of this process
        self.offline = asyncio.Event()  # set while the listener has no connection
        self.offline.set()
        self._quiet_until = 0.0
        self._failing = 0  # messages dropped since publishing to Redis last failed (0: it works)
        self._tried = asyncio.Event()  # the listener's first connection succeeded or failed
        self.connections = 0  # how many times the listener (re)connected
        self._queued: deque[tuple[str, bytes]] = deque()  # for Redis, oldest first
        self._queued_bytes = 0
        self._has_queued = asyncio.Event()
        self._sent = asyncio.Event()  # set while nothing waits for Redis or is on its way
        self._sent.set()
        self._sender: asyncio.Task | None = None

    def publish_nowait(self, channel: str, message: bytes) -> None:
        """Hand ``message`` to this process's subscribers, and queue it for the other processes."""
        self._start()
        self.deliver(channel, message)
        if asyncio.get_running_loop().time() < self._quiet_until:
            self._failing += 1
            return  # Redis failed us a moment ago: local viewers only for now
        self._queued.append((channel, self._origin + message))
        self._queued_bytes += len(message)
        while self._queued_bytes > MAX_QUEUED_BYTES:
            self._queued_bytes -= len(self._queued.popleft()[1]) - ORIGIN_BYTES
        self._has_queued.set()
        self._sent.clear()

    async def _send_forever(self) -> None:
        """Write what is queued to Redis, in order, a pipeline (one round trip) at a time."""
        while True:
            await self._has_queued.wait()
            self._has_queued.clear()
            batch, self._queued, self._queued_bytes = self._queued, deque(), 0
            if batch:  # (none when a failure dropped what was queued meanwhile)
                await self._send(batch)
            if not self._queued:
                self._sent.set()

    async def _send(self, batch: deque[tuple[str, bytes]]) -> None:
        """Publish ``batch`` in one pipeline. When Redis fails, this process's messages stay local for
        ``PUBLISH_RETRY_S`` (logged once per outage, and once when it works again); any other failure is
        logged and costs this batch only: the sender goes on."""
        try:
            async with self._client.pipeline(transaction=False) as pipe:
                for channel, data in batch:
                    pipe.publish(channel, data)
                await pipe.execute()
        except (RedisError, OSError) as error:
            self._quiet_until = asyncio.get_running_loop().time() + PUBLISH_RETRY_S
            if not self._failing:
                log.warning("bus: publishing to Redis failed (%s); serving local viewers only", error)
            self._failing += len(batch) + len(self._queued)
            self._queued.clear()
            self._queued_bytes = 0
            return
        except Exception:
            log.exception("bus: publishing %d messages to Redis failed; they are dropped", len(batch))
            return
        if self._failing:
            log.warning("bus: publishing to Redis again (%d messages stayed local)", self._failing)
            self._failing = 0

    async def _listen(self, channel: str) -> None:
        """Subscribe in Redis and wait for the confirmation (not at all while Redis is away)."""
        self._start()
        with contextlib.suppress(TimeoutError):  # a new bus: its first connection may be under way
            await asyncio.wait_for(self._tried.wait(), SUBSCRIBE_TIMEOUT_S)
        if not self.online.is_set() or self._pubsub is None:
            return  # Redis is away or confirming: the listener subscribes to it once it is online
        self._confirmed[channel] = confirmed = asyncio.Event()
        try:
            await self._pubsub.subscribe(channel)
        except (RedisError, OSError) as error:
            log.warning("bus: subscribing to %s failed (%s); will retry on reconnect", channel, error)
            return
        try:
            await asyncio.wait_for(confirmed.wait(), SUBSCRIBE_TIMEOUT_S)
        except TimeoutError:  # asked: Redis confirms it late (a busy listener) or on the next connection
            log.warning("bus: Redis has not confirmed %s within %g s; going on", channel, SUBSCRIBE_TIMEOUT_S)

    async def _unlisten(self, channel: str) -> None:
        self._confirmed.pop(channel, None)
        if self._pubsub is not None and self.online.is_set():
            with contextlib.suppress(RedisError, OSError):
                await self._pubsub.unsubscribe(channel)

    def _start(self) -> None:
        if self._listener is None:
            self._listener = asyncio.create_task(self._listen_forever())
            self._sender = asyncio.create_task(self._send_forever())

    async def _listen_forever(self) -> None:
        """Stay subscribed: connect, subscribe to this process's channels, relay; again after a cut."""
        delays = self._backoff.delays()
        while True:
            pubsub = self._client.pubsub()
            try:
                # Redis confirms in order: the control channel's confirmation, last, means all are in.
                asked = set(self.channels)
                await pubsub.subscribe(*asked, self._control)
                self._pubsub = pubsub
                self.connections += 1
                delays = self._backoff.delays()
                await self._relay(pubsub, asked)
            except (RedisError, OSError) as error:
                if self.online.is_set():
                    log.warning("bus: Redis connection lost (%s); reconnecting", error)
            except Exception:
                log.exception("bus: listening on Redis failed; reconnecting")
            finally:
                self._tried.set()
                self.online.clear()
                self.offline.set()
                self._pubsub = None
                with contextlib.suppress(RedisError, OSError):
                    await pubsub.aclose()
            await self._backoff.sleep(next(delays))

    async def _relay(self, pubsub: redis.client.PubSub, asked: set[str]) -> None:
        """Take what the connection brings until it ends. Pub/sub reads wait for as long as no message
        comes, so silence is checked: after ``SILENCE_S`` a ping, and when as long again brings nothing
        (not even its pong) the connection is given up (a frozen Redis, a link gone without a reset)."""
        pinged, settled = False, False
        while True:
            message = await pubsub.get_message(timeout=SILENCE_S)
            if message is not None:
                pinged = False
                self._take(message)
                if self.online.is_set() and not settled:
                    settled = True
                    await self._settle(pubsub, asked)
            elif not pinged:
                await pubsub.ping()
                pinged = True
            else:
                raise ConnectionError(f"Redis did not answer a ping in {SILENCE_S:g} s")

    async def _settle(self, pubsub: redis.client.PubSub, asked: set[str]) -> None:
        """Online: the channels this process began or stopped listening to while the subscription was
        being confirmed (``_listen`` and ``_unlisten`` leave them to the listener then) are (un)subscribed."""
        wanted = set(self.channels)
        if wanted - asked:
            await pubsub.subscribe(*(wanted - asked))
        if asked - wanted:
            await pubsub.unsubscribe(*(asked - wanted))

    def _take(self, message: dict) -> None:
        """One pub/sub message: another process's payload is handed on, a confirmation noted."""
        if message["type"] not in ("subscribe", "message"):
            return  # a pong, an unsubscription
        channel = message["channel"].decode()
        if message["type"] == "subscribe":
            if channel == self._control and not self.online.is_set():
                self.offline.clear()
                self.online.set()
                self._quiet_until = 0.0  # Redis is back: publish to it again at once
                self._tried.set()
                log.info("bus: listening on Redis (%d channels)", len(self.channels))
            elif channel in self._confirmed:
                self._confirmed[channel].set()
            return
        data: bytes = message["data"]
        if data[:ORIGIN_BYTES] != self._origin:
            self.deliver(channel, data[ORIGIN_BYTES:])

    async def close(self) -> None:
        """Send what is queued (for a moment at most), stop listening and close the connections."""
        if self._listener is not None:
            self._listener.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._listener
        if self._sender is not None:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._sent.wait(), CLOSE_FLUSH_S)
            self._sender.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._sender
        await self._client.aclose()
