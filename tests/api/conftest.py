"""Fixtures of the API tests: a session on a live server and websocket clients closed after each test."""

from collections.abc import Callable, Iterator

import pytest
from redis_server import RedisServer

from api.helpers import Socket, create_session


@pytest.fixture
def redis_server() -> Iterator[RedisServer]:
    """A real redis-server of the test's own, on a free port."""
    server = RedisServer().start()
    yield server
    server.stop()


@pytest.fixture
def session(live_server: str) -> dict:
    """A default LeNet session (float16 frames, seed 0), as POST returned it."""
    return create_session(live_server)


@pytest.fixture
def open_socket(live_server: str) -> Iterator[Callable[..., Socket]]:
    """``open_socket(info, drive=False)``: a client of the session ``info`` (its driver if asked)."""
    sockets: list[Socket] = []

    def open_(info: dict, drive: bool = False) -> Socket:
        socket = Socket(live_server, info["id"])
        sockets.append(socket)
        if drive:
            socket.auth(info["token"])
        return socket

    yield open_
    for socket in sockets:
        socket.close()


@pytest.fixture
def driver(session: dict, open_socket: Callable[..., Socket]) -> Socket:
    """The default session's driver, authenticated."""
    return open_socket(session, drive=True)
