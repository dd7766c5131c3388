"""The training queue of a whole deployment, in Redis: at most ``slots`` sessions train across every
worker; the others wait, first come, first served, wherever they run.

Redis holds the slot holders and the line (sorted sets) and one lease per session (a sorted set by
expiry time, Redis's time: ``RedisClock``). Each worker runs one script every ``SYNC_S`` seconds, and at
once when one of its sessions enters or leaves: it drops the sessions that left and those whose lease
lapsed (a dead worker's), renews its own sessions' leases, puts the new ones at the end of the line, fills
the free slots from the head of the line and answers each of its sessions' places. A session is told its
place (``tell``, as by ``TrainingQueue``) from that answer, so a slot freed on one worker reaches a
session waiting on another within a sync. While Redis is away, sessions that hold a slot keep it and new
ones wait.
"""

import asyncio
import contextlib
import logging
import threading

import redis.asyncio as redis
from redis.exceptions import RedisError

from app.cluster.redis_clock import RedisClock
from app.cluster.registry import LEASE_S, PREFIX
from app.sessions.training_queue import Tell, tell_safely
from app.throttled_log import ThrottledWarning

log = logging.getLogger(__name__)
SYNC_S = 0.5  # a slot freed elsewhere reaches a waiting session of this worker within this
KEEP_MS = int(2 * LEASE_S * 1000)  # the queue's keys vanish when no worker synced for two leases
KEYS = [f"{PREFIX}training:{name}" for name in ("holders", "line", "leases", "arrivals")]

# KEYS: holders, line, leases, arrivals. ARGV: now, lease end, the keys' lifetime in ms, slots, n,
# n keys leaving, then the keys here.
SYNC = """
local now, lease_end, keep_ms = tonumber(ARGV[1]), ARGV[2], ARGV[3]
local slots, first_here = tonumber(ARGV[4]), 6 + tonumber(ARGV[5])
local function drop(key)
  redis.call('ZREM', KEYS[1], key)
  redis.call('ZREM', KEYS[2], key)
  redis.call('ZREM', KEYS[3], key)
end
for i = 6, first_here - 1 do drop(ARGV[i]) end
for _, key in ipairs(redis.call('ZRANGEBYSCORE', KEYS[3], '-inf', now)) do drop(key) end
for i = first_here, #ARGV do
  local key = ARGV[i]
  redis.call('ZADD', KEYS[3], lease_end, key)
  if not redis.call('ZSCORE', KEYS[1], key) and not redis.call('ZSCORE', KEYS[2], key) then
    redis.call('ZADD', KEYS[2], redis.call('INCR', KEYS[4]), key)
  end
end
while redis.call('ZCARD', KEYS[1]) < slots do
  local first = redis.call('ZPOPMIN', KEYS[2])
  if #first == 0 then break end
  redis.call('ZADD', KEYS[1], 0, first[1])
end
local places = {}
for i = first_here, #ARGV do
  local rank = redis.call('ZRANK', KEYS[2], ARGV[i])
  places[#places + 1] = rank and rank + 1 or 0
end
for _, key in ipairs(KEYS) do redis.call('PEXPIRE', key, keep_ms) end
return {redis.call('ZCARD', KEYS[1]), redis.call('ZCARD', KEYS[2]), places}
"""


class SharedTrainingQueue:
    """This worker's door to the deployment's training queue (an ``Admission``)."""

    def __init__(self, url: str, slots: int) -> None:
        self.slots = slots
        self._redis = redis.from_url(url, socket_connect_timeout=2.0, socket_timeout=5.0)
        self._clock = RedisClock()  # the leases are compared across hosts: Redis's time
        self._sync_script = self._redis.register_script(SYNC)
        self._lock = threading.Lock()
        self._tells: dict[str, Tell] = {}  # this worker's sessions training or waiting
        self._places: dict[str, int] = {}  # the place each was told last
        self._leaving: set[str] = set()  # left since the last sync
        self._counts = {"training": 0, "queued": 0, "slots": slots}
        self._loop: asyncio.AbstractEventLoop | None = None
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._closing = False
        self._sync_failed = ThrottledWarning(log)  # twice a second while Redis is away

    def start(self) -> None:
        """Sync with Redis from now on (on the running event loop)."""
        self._loop = asyncio.get_running_loop()
        self._task = asyncio.create_task(self._sync_forever())

    def enter(self, key: str, tell: Tell) -> None:
        """Ask to train; ``tell`` learns the place (0: train now) from the next sync, at once after it."""
        with self._lock:
            known = self._places.get(key) if key in self._tells else None
            self._tells[key] = tell
            if known is not None:  # asking again keeps its place
                tell_safely(tell, known)
        self._poke()

    def leave(self, key: str) -> None:
        """Stop training or waiting (idempotent); no ``tell`` reaches ``key`` after this returns."""
        with self._lock:
            if self._tells.pop(key, None) is None:
                return
            self._places.pop(key, None)
            self._leaving.add(key)
        self._poke()

    def counts(self) -> dict[str, int]:
        """How many sessions of the deployment train and wait, as of the last sync."""
        with self._lock:
            return dict(self._counts)

    async def close(self) -> None:
        """Give up this worker's slots and places now (its sessions ended), then close the connection."""
        self._closing = True  # the loop ends even where wait_for swallows the cancellation (Python 3.11)
        if self._task is not None:
            self._task.cancel()
            await asyncio.wait([self._task], timeout=LEASE_S / 3)  # a sync under way puts back what it took
        with self._lock:
            self._leaving.update(self._tells)
            self._tells.clear()
        with contextlib.suppress(RedisError, OSError, TimeoutError):
            await asyncio.wait_for(self._sync(), LEASE_S / 3)
        await self._redis.aclose()

    def _poke(self) -> None:
        """Sync soon (from any thread)."""
        if self._loop is not None:
            with contextlib.suppress(RuntimeError):  # the loop has closed: the process is ending
                self._loop.call_soon_threadsafe(self._wake.set)

    async def _sync_forever(self) -> None:
        while not self._closing:
            self._wake.clear()
            try:
                await self._sync()
            except (RedisError, OSError) as error:
                self._sync_failed.warning("training queue: Redis unavailable (%s); new sessions wait", error)
                self._wait_unanswered()
            else:
                self._sync_failed.cleared()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), SYNC_S)

    async def _sync(self) -> None:
        """Run the script once and tell this worker's sessions whose place changed."""
        with self._lock:
            leaving, here = sorted(self._leaving), list(self._tells)
            self._leaving.clear()
        try:
            now = await self._clock.now(self._redis)
            args = [now, now + LEASE_S, KEEP_MS, self.slots, len(leaving), *leaving, *here]
            training, queued, places = await self._sync_script(keys=KEYS, args=args)
        except BaseException:
            with self._lock:
                self._leaving.update(key for key in leaving if key not in self._tells)
            raise
        with self._lock:
            self._counts = {"training": int(training), "queued": int(queued), "slots": self.slots}
            for key, place in zip(here, places, strict=True):
                tell = self._tells.get(key)
                if tell is not None and self._places.get(key) != place:
                    self._places[key] = int(place)
                    tell_safely(tell, int(place))

    def _wait_unanswered(self) -> None:
        """Without Redis, a session that asked to train and got no answer yet waits, told so."""
        with self._lock:
            unanswered = [key for key in self._tells if key not in self._places]
            for place, key in enumerate(unanswered, start=self._counts["queued"] + 1):
                self._places[key] = place
                tell_safely(self._tells[key], place)
