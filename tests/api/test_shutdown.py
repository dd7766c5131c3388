"""Issue 15, finding 7: on SIGTERM every socket hears ``closed`` with reason ``shutdown`` before it closes
(a real uvicorn process, as deployed; not the in-thread test server, which gets no signals)."""

import os
import signal
import subprocess
import sys
import time

import httpx
import pytest
from conftest import _free_port

from api.helpers import WAIT_S, Socket, create_session
from app.cli import WS_MAX_BYTES


@pytest.fixture
def server_process() -> str:
    port = _free_port()
    command = [sys.executable, "-m", "uvicorn", "app.main:app", "--port", str(port), "--log-level", "warning"]
    command += ["--ws-per-message-deflate", "false", "--ws-max-size", str(WS_MAX_BYTES)]
    env = {**os.environ, "NNLIVE_DEVICE": "cpu"}
    process = subprocess.Popen(command, env=env)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            httpx.get(f"{base}/healthz", timeout=1).raise_for_status()
            break
        except httpx.HTTPError:
            assert process.poll() is None, "uvicorn stopped"
            assert time.monotonic() < deadline, "uvicorn did not start"
            time.sleep(0.1)
    yield base, process
    if process.poll() is None:
        process.kill()
    process.wait(WAIT_S)


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
        assert code == 4410
    assert process.wait(WAIT_S) is not None
