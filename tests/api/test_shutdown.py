"""Issue 15, finding 7: on SIGTERM every socket hears ``closed`` with reason ``shutdown`` before it closes
(a real uvicorn process, as deployed; not the in-thread test server, which gets no signals)."""

import signal

import pytest

from api.helpers import WAIT_S, Socket, create_session
from api.server_process import start_server, stop_server


@pytest.fixture
def server_process() -> str:
    base, process = start_server()
    yield base, process
    stop_server(process)


def test_sigterm_tells_every_socket_shutdown_before_closing(server_process):
    base, process = server_process
    first, second = create_session(base), create_session(base)
    sockets = [Socket(base, first["id"]), Socket(base, first["id"]), Socket(base, second["id"])]
    sockets[0].auth(first["token"])
    for socket in sockets:
        socket.wait("frame")
    process.send_signal(signal.SIGTERM)
    for socket in sockets:
        code = socket.close_code()
        closed = [m for m in socket.unread if isinstance(m, dict) and m.get("type") == "closed"]
        assert [m["reason"] for m in closed] == ["shutdown"]
        assert code == 1012  # service restart: pages reconnect (the session may come back)
    assert process.wait(WAIT_S) is not None
