"""A server on the Redis bus: its viewers get frames, and the same bytes reach another process via Redis."""

import asyncio
from collections.abc import Callable, Iterator

import pytest
from redis_server import RedisServer

from api.helpers import Frame, Socket
from app.bus.redis import RedisBus
from app.config import Settings
from app.sessions.manager import channel

WAIT_S = 20


@pytest.fixture(scope="module")
def redis_server() -> Iterator[RedisServer]:
    server = RedisServer().start()
    yield server
    server.stop()


@pytest.fixture
def settings(redis_server: RedisServer) -> Settings:
    return Settings(device="cpu", torch_threads=1, bus_url=redis_server.url)


def test_a_frame_reaches_the_viewer_and_another_process_byte_for_byte(
    session: dict, open_socket: Callable[..., Socket], redis_server: RedisServer, run_async
):
    viewer = open_socket(session)
    driver = open_socket(session, drive=True)
    viewer.wait("frame")  # the latest frame a joiner gets at once

    async def elsewhere() -> bytes:
        bus = RedisBus(redis_server.url)  # stands for a second worker process
        async with bus.subscribe(channel(session["id"], "frame")) as frames:
            await asyncio.to_thread(driver.request, "step")
            raw = await asyncio.wait_for(anext(frames), WAIT_S)
        await bus.close()
        return raw

    raw = run_async(elsewhere())
    frame: Frame = viewer.wait("frame", where=lambda f: f["step"] == 1)
    assert frame.raw == raw
