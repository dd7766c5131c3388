"""The sessions of every worker, in Redis: who owns each, its token's hash, its client, and the snapshot a
viewer on another worker starts from (hello, state, view, latest frame).

Every key the owner writes lapses after ``LEASE_S`` unless the owner refreshes it (``Cluster`` does, every
``REFRESH_S``): a worker that dies leaves no session behind for long, and ``owner_alive`` tells whether a
worker's lease still runs. The counts behind the deployment-wide limits are sorted sets (member: session
id, score: when its lease ends), so a dead worker's sessions stop counting when their leases end. A
create first reserves its place there (``reserve``: checked against the limits and added in one atomic
step, under the id the session will have), so creates on different workers cannot both take the last one;
the session's own entry replaces the reservation, and a reservation its worker never completes lapses.
The scores are Redis's time (``RedisClock``), not the worker's: every worker compares them by one clock.
"""

import hashlib
from dataclasses import dataclass

import redis.asyncio as redis

from app.cluster.redis_clock import RedisClock

LEASE_S = 15.0
ENDED_KEEP_S = 24 * 3600.0  # how long a page that comes back may learn why its session ended
PREFIX = "nnlive:"
ALL = f"{PREFIX}sessions"

# KEYS: all sessions, the client's. ARGV: place, now, its expiry, the deployment's limit, the client's, and
# the client set's time to live (ms). Lapsed entries go; the place is added only when both sets have room.
# Returns 1 when it was, 0 when not.
_RESERVE = """
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', ARGV[2])
local total, own = redis.call('ZCARD', KEYS[1]), redis.call('ZCARD', KEYS[2])
if total >= tonumber(ARGV[4]) or own >= tonumber(ARGV[5]) then
  return 0
end
redis.call('ZADD', KEYS[1], ARGV[3], ARGV[1])
redis.call('ZADD', KEYS[2], ARGV[3], ARGV[1])
redis.call('PEXPIRE', KEYS[2], ARGV[6])
return 1
"""


def _session_key(session_id: str) -> str:
    return f"{PREFIX}session:{session_id}"


def _client_key(client: str) -> str:
    return f"{PREFIX}client:{client}"


def _lecture_key(room: str) -> str:
    return f"{PREFIX}lecture:{room}"


def _worker_key(worker: str) -> str:
    return f"{PREFIX}worker:{worker}"


def token_hash(token: str) -> str:
    """What the registry keeps of a control token (never the token itself)."""
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class Entry:
    """One session as the registry knows it."""

    session_id: str
    owner: str
    client: str
    token_hash: str
    hello: bytes  # the encoded ``hello`` (session info and curves), at most a refresh old
    state: bytes
    view: bytes  # empty when the driver shared no view
    frame: bytes  # empty before the first frame
    lecture: str = ""  # the lecture room that shows this session now (empty: none)


class Registry:
    """Reads and writes the shared records; every call may raise ``RedisError`` or ``OSError``."""

    def __init__(self, url: str, clock: RedisClock | None = None) -> None:
        self._redis = redis.from_url(url, socket_connect_timeout=2.0, socket_timeout=5.0)
        self.clock = clock or RedisClock()  # the scores are compared across hosts: Redis's time
        self._reserve = self._redis.register_script(_RESERVE)

    async def heartbeat(self, worker: str) -> None:
        """This worker is alive for another lease."""
        await self._redis.set(_worker_key(worker), b"1", px=int(LEASE_S * 1000))

    async def owner_alive(self, worker: str) -> bool:
        """Whether ``worker`` renewed its lease within ``LEASE_S``."""
        return bool(await self._redis.exists(_worker_key(worker)))

    async def workers(self) -> list[str]:
        """Every worker whose lease runs."""
        prefix = _worker_key("")
        return [key.decode()[len(prefix) :] async for key in self._redis.scan_iter(match=f"{prefix}*")]

    async def put(self, entry: Entry, snapshot: bool) -> None:
        """Register or refresh one session for another lease; ``snapshot``: write its hello, state, view
        and frame too (otherwise only the lease is renewed)."""
        key, expires = _session_key(entry.session_id), await self.now() + LEASE_S
        async with self._redis.pipeline(transaction=False) as pipe:
            fields = {"owner": entry.owner, "client": entry.client, "token_hash": entry.token_hash}
            if snapshot:
                fields |= {
                    "hello": entry.hello,
                    "state": entry.state,
                    "view": entry.view,
                    "frame": entry.frame,
                }
            pipe.hset(key, mapping=fields)
            pipe.pexpire(key, int(LEASE_S * 1000))
            pipe.zadd(ALL, {entry.session_id: expires})
            if entry.lecture:  # any worker finds the room's session (and so its owner)
                pipe.set(_lecture_key(entry.lecture), entry.session_id, px=int(LEASE_S * 1000))
            pipe.zadd(_client_key(entry.client), {entry.session_id: expires})
            pipe.pexpire(_client_key(entry.client), int(LEASE_S * 1000))
            await pipe.execute()

    async def get(self, session_id: str) -> Entry | None:
        """The session's record, if its owner still holds its lease."""
        fields = await self._redis.hgetall(_session_key(session_id))
        if b"owner" not in fields:
            return None

        def text(name: str) -> str:
            return fields.get(name.encode(), b"").decode()

        def raw(name: str) -> bytes:
            return fields.get(name.encode(), b"")

        return Entry(
            session_id,
            text("owner"),
            text("client"),
            text("token_hash"),
            raw("hello"),
            raw("state"),
            raw("view"),
            raw("frame"),
        )

    async def lecture(self, room: str) -> str | None:
        """The session lecture room ``room`` shows, as its owner last wrote (within a lease)."""
        session_id = await self._redis.get(_lecture_key(room))
        return session_id.decode() if session_id else None

    async def remove(self, session_id: str, client: str, reason: str) -> None:
        """The session ended: forget it, and remember why for a while."""
        async with self._redis.pipeline(transaction=False) as pipe:
            pipe.delete(_session_key(session_id))
            pipe.zrem(ALL, session_id)
            pipe.zrem(_client_key(client), session_id)
            pipe.set(f"{PREFIX}ended:{session_id}", reason, px=int(ENDED_KEEP_S * 1000))
            await pipe.execute()

    async def claim(self, session_id: str, worker: str) -> bool:
        """Whether ``worker`` may run ``session_id`` from its snapshot: no worker holds its lease and no
        other claimed it within the last lease (the claim lapses by itself)."""
        if await self._redis.exists(_session_key(session_id)):
            return False
        key = f"{PREFIX}claim:{session_id}"
        return bool(await self._redis.set(key, worker, nx=True, px=int(LEASE_S * 1000)))

    async def ended_reason(self, session_id: str) -> str | None:
        """Why the session ended, if it did lately (on any worker)."""
        reason = await self._redis.get(f"{PREFIX}ended:{session_id}")
        return reason.decode() if reason else None

    async def counts(self, client: str) -> tuple[int, int]:
        """Sessions running in the whole deployment, and those of ``client``; lapsed leases do not count."""
        now = await self.now()
        async with self._redis.pipeline(transaction=False) as pipe:
            pipe.zremrangebyscore(ALL, "-inf", now)
            pipe.zremrangebyscore(_client_key(client), "-inf", now)
            pipe.zcard(ALL)
            pipe.zcard(_client_key(client))
            *_, total, own = await pipe.execute()
        return int(total), int(own)

    async def reserve(self, place: str, client: str, limits: tuple[int, int]) -> bool:
        """Count ``place`` (the id a session being built will have) as a session of ``client`` for a
        lease, if the deployment and the client stay within ``limits`` (total, per client) with it; in one
        atomic step, so that of two workers taking the last place one is refused."""
        max_total, max_own = limits
        now = await self.now()
        keys = [ALL, _client_key(client)]
        args = [place, now, now + LEASE_S, max_total, max_own, int(LEASE_S * 1000)]
        return bool(await self._reserve(keys=keys, args=args))

    async def renew(self, places: dict[str, str]) -> None:
        """Reservations still being built (place: client) count for another lease (none comes back)."""
        expires = await self.now() + LEASE_S
        async with self._redis.pipeline(transaction=False) as pipe:
            for place, client in places.items():
                pipe.zadd(ALL, {place: expires}, xx=True)
                pipe.zadd(_client_key(client), {place: expires}, xx=True)
            await pipe.execute()

    async def unreserve(self, place: str, client: str) -> None:
        """The build of ``place`` failed: its place is free at once."""
        async with self._redis.pipeline(transaction=False) as pipe:
            pipe.zrem(ALL, place)
            pipe.zrem(_client_key(client), place)
            await pipe.execute()

    async def now(self) -> float:
        """Redis's time: where lease scores come from."""
        return await self.clock.now(self._redis)

    async def close(self) -> None:
        """Close the connections."""
        await self._redis.aclose()
