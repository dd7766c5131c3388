"""Tell every socket ``closed`` (reason ``shutdown``) before the server stops.

uvicorn closes websockets (code 1012) on SIGTERM or SIGINT before the app's lifespan ends, so the
lifespan's own ``shutdown`` messages would reach nobody. While the app runs, these signals first end
every session (each viewer gets ``{"type": "closed", "reason": "shutdown"}`` and a 4410 close), wait up
to ``DRAIN_S`` for the sockets to go, then hand the signal to the handler that was there (uvicorn's).
"""

import asyncio
import contextlib
import logging
import signal
import threading
from collections.abc import Callable

from fastapi import FastAPI

log = logging.getLogger(__name__)
SIGNALS = (signal.SIGTERM, signal.SIGINT)
DRAIN_S = 3.0


async def _announce_then(app: FastAPI, sig: int, previous: Callable) -> None:
    try:
        await app.state.sessions.close()  # every session ends with reason "shutdown"
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(app.state.rooms.emptied(), DRAIN_S)
    finally:
        previous(sig, None)


def announce_shutdown(app: FastAPI) -> Callable[[], None]:
    """Install the handlers (from the lifespan, on the running loop); returns what puts the old ones
    back. Nothing is installed off the main thread (a server run in a thread gets no signals)."""
    if threading.current_thread() is not threading.main_thread():
        return lambda: None
    loop = asyncio.get_running_loop()
    previous = {sig: signal.getsignal(sig) for sig in SIGNALS}
    taken = [sig for sig, handler in previous.items() if callable(handler)]
    tasks: set[asyncio.Task] = set()

    def on_signal(sig: int) -> None:
        log.info("signal %s: telling every socket the server shuts down", sig)
        task = loop.create_task(_announce_then(app, sig, previous[sig]))
        tasks.add(task)
        task.add_done_callback(tasks.discard)

    for sig in taken:
        loop.add_signal_handler(sig, on_signal, sig)

    def restore() -> None:
        for sig in taken:
            with contextlib.suppress(RuntimeError, ValueError):
                loop.remove_signal_handler(sig)
                signal.signal(sig, previous[sig])

    return restore
