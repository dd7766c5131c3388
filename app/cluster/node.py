"""This worker in the cluster: its id, its inbox on the bus, and asking the owner of a session.

Each worker listens on ``nnlive:inbox:<worker>``. A request to the owner (a forwarded HTTP request) names
a reply channel that the asker subscribed to first; websocket messages of a connection on another worker
arrive there too and are answered on that connection's channel (app/cluster/links.py). The bus resubscribes
after a cut, so the inbox outlives a Redis restart.
"""

import asyncio
import contextlib
import itertools
import logging
import secrets
from collections.abc import Awaitable, Callable
from typing import Any

from redis.exceptions import RedisError

from app.bus.base import EVERY_MESSAGE, Bus
from app.cluster.registry import Entry, Registry
from app.cluster.wire import pack, unpack
from app.errors import Busy
from app.throttled_log import ThrottledWarning

log = logging.getLogger(__name__)
CALL_TIMEOUT_S = 30.0  # a forwarded request may build a model (a fork) or export weights
Handler = Callable[[dict[str, Any], bytes], Awaitable[None]]


def inbox(worker: str) -> str:
    """The channel a worker listens on."""
    return f"nnlive:inbox:{worker}"


class Node:
    """This worker's inbox and its way to the other workers' inboxes."""

    def __init__(self, bus: Bus, registry: Registry, worker: str | None = None) -> None:
        self.bus, self.registry = bus, registry
        self.worker = worker or secrets.token_hex(8)
        self._handlers: dict[str, tuple[Handler, bool]] = {}
        self._calls = itertools.count()
        self._listening = asyncio.Event()
        self._inbox: asyncio.Task[None] | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._registry_away = ThrottledWarning(log)  # one per request while Redis is away

    def on(self, kind: str, handler: Handler, inline: bool = False) -> None:
        """Handle the inbox messages whose header says ``kind``: each in a task of its own, or, ``inline``,
        one after the other in the order they came (the handler must then return at once)."""
        self._handlers[kind] = handler, inline

    async def start(self) -> None:
        """Listen on this worker's inbox."""
        self._inbox = asyncio.create_task(self._listen())
        await self._listening.wait()

    async def _listen(self) -> None:
        async with self.bus.subscribe(inbox(self.worker), depth=EVERY_MESSAGE) as messages:
            self._listening.set()
            async for message in messages:
                header, body = unpack(message)
                handler, inline = self._handlers.get(header.get("kind", ""), (None, False))
                if handler is None:
                    log.warning("cluster: inbox message of unknown kind %r skipped", header.get("kind"))
                    continue
                if inline:
                    await _safely(handler, header, body)
                    continue
                task = asyncio.create_task(_safely(handler, header, body))  # a slow request holds up no other
                self._tasks.add(task)
                task.add_done_callback(self._tasks.discard)

    async def owner_of(self, session_id: str) -> Entry | None:
        """The registry's record of a session another live worker owns (None: no such session, ours, its
        owner gone, or Redis away)."""
        try:
            entry = await self.registry.get(session_id)
            held_elsewhere = (
                entry is not None
                and entry.owner != self.worker
                and await self.registry.owner_alive(entry.owner)
            )
        except (RedisError, OSError) as error:
            self._registry_away.warning("cluster: registry unavailable (%s)", error)
            return None
        self._registry_away.cleared()
        return entry if held_elsewhere else None

    async def send(self, worker: str, header: dict[str, Any], body: bytes = b"") -> None:
        """Put a message in ``worker``'s inbox (lost, as the bus allows, while Redis is away)."""
        await self.bus.publish(inbox(worker), pack(header, body))

    async def call(
        self, worker: str, header: dict[str, Any], body: bytes = b""
    ) -> tuple[dict[str, Any], bytes]:
        """Ask ``worker`` and wait for its answer; Busy when none comes in ``CALL_TIMEOUT_S``."""
        reply = f"nnlive:reply:{self.worker}:{next(self._calls)}"
        async with self.bus.subscribe(reply) as answers:
            await self.send(worker, {**header, "reply": reply}, body)
            try:
                answer = await asyncio.wait_for(anext(answers), CALL_TIMEOUT_S)
            except TimeoutError:
                raise Busy("the worker running this session did not answer in time; try again") from None
        return unpack(answer)

    async def close(self) -> None:
        """Stop listening; requests under way are cancelled."""
        for task in [self._inbox, *self._tasks]:
            if task is not None:
                task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.gather(*[t for t in [self._inbox, *self._tasks] if t], return_exceptions=True)


async def _safely(handler: Handler, header: dict[str, Any], body: bytes) -> None:
    """Run one inbox message's handler; its failure is logged, the inbox goes on."""
    try:
        await handler(header, body)
    except Exception:
        log.exception("cluster: handling a %r message failed", header.get("kind"))
