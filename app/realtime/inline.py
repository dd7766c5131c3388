"""Run a coroutine inline, as far as it goes without waiting; only what is left becomes a task.

A websocket send that finds its socket writable completes without ever suspending: started inline from
the room's pump it costs no task switch at all. One that must wait for the socket to drain suspends on a
future; the rest of it then runs as a task, resumed the way a task resumes any coroutine.
"""

import asyncio
from collections.abc import Coroutine
from typing import Any


def run_inline(coro: Coroutine[Any, Any, None]) -> "asyncio.Task[None] | None":
    """Start ``coro`` now: None if it finished without suspending (its exception, if any, is raised
    here), else the task that runs the rest of it."""
    try:
        waiting = coro.send(None)
    except StopIteration:
        return None
    return asyncio.ensure_future(_rest(coro, waiting))


async def _rest(coro: Coroutine[Any, Any, None], waiting: Any) -> None:
    """Resume ``coro`` each time what it waits on (an asyncio future, or None: a bare yield) is done."""
    while True:
        try:
            if waiting is None:
                await asyncio.sleep(0)
            else:  # a future it yielded, marked as awaited: this task takes it over, as a task would
                waiting._asyncio_future_blocking = False
                await waiting
        except BaseException as exc:  # handed to the coroutine, as a task would
            try:
                waiting = coro.throw(exc)
            except StopIteration:
                return
            continue
        try:
            waiting = coro.send(None)
        except StopIteration:
            return
