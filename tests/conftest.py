"""Shared fixtures: fresh app instances, an in-process client, and a real uvicorn server."""

import asyncio
import os
import socket
import threading
import time
from collections.abc import Callable, Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
import uvicorn
from fastapi import FastAPI
from fastapi.testclient import TestClient

from app.cli import WS_MAX_BYTES
from app.config import Settings
from app.factory import create_app

# No test app (nor a server process a test starts) restores or leaves session snapshots unless the test
# names a data directory of its own.
os.environ["NNLIVE_DATA_DIR"] = ""


@pytest.fixture
def settings() -> Settings:
    """Embedded defaults on the CPU (tests may override fields with ``model_copy``)."""
    return Settings(device="cpu", torch_threads=1)


@pytest.fixture
def clock() -> Callable[[], float]:
    """The apps' clock for rates and idleness: the real one (tests that step time give a ManualClock)."""
    return time.monotonic


@pytest.fixture
def client(settings: Settings, clock: Callable[[], float]) -> Iterator[TestClient]:
    """A fresh app behind Starlette's TestClient, started and shut down with its lifespan."""
    with TestClient(create_app(settings, clock)) as test_client:
        yield test_client


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def live_app(settings: Settings, clock: Callable[[], float]) -> FastAPI:
    """The app that ``live_server`` serves (a test may look at its state: sessions, rooms, viewers)."""
    return create_app(settings, clock)


@pytest.fixture
def live_server(live_app: FastAPI) -> Iterator[str]:
    """A real uvicorn server on a free loopback port, as `nnlive serve` runs it; yields its base URL."""
    port = _free_port()
    config = uvicorn.Config(
        live_app,
        host="127.0.0.1",
        port=port,
        log_level="warning",
        ws_per_message_deflate=False,
        ws_max_size=WS_MAX_BYTES,
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(10)


@pytest.fixture
def run_async() -> Callable[[Coroutine], Any]:
    """Run a coroutine to its end on a fresh event loop in a thread of its own.

    ``asyncio.run`` in the test's own thread fails once a browser test has run: Playwright's sync API
    keeps an event loop running in the main thread.
    """

    def run(coroutine: Coroutine) -> Any:
        with ThreadPoolExecutor(1) as pool:
            return pool.submit(asyncio.run, coroutine).result()

    return run
