"""Shared fixtures: fresh app instances, an in-process client, a real uvicorn server, a real redis-server."""

import asyncio
import os
import time
from collections.abc import Callable, Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from redis_server import RedisServer

from app.config import Settings
from app.factory import create_app
from app.sdk.embedded import EmbeddedServer

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


@pytest.fixture
def live_app(settings: Settings, clock: Callable[[], float]) -> FastAPI:
    """The app that ``live_server`` serves (a test may look at its state: sessions, rooms, viewers)."""
    return create_app(settings, clock)


@pytest.fixture
def live_server(live_app: FastAPI) -> Iterator[str]:
    """A real uvicorn server on a free loopback port, as `nnlive serve` runs it; yields its base URL."""
    server = EmbeddedServer(app=live_app)
    yield server.url
    server.stop(10)


@pytest.fixture(scope="module")
def redis_server() -> Iterator[RedisServer]:
    """A real redis-server on a free loopback port, shared by the tests of one module (tests/api and a few
    others start one per test instead)."""
    server = RedisServer().start()
    yield server
    server.stop()


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
