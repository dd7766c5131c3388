"""The two servers the fan-out benchmark compares, each in its own process, and what is read of them.

- ``nnlive``: ``python -m app.cli serve`` (the command users run, with its uvicorn options); frames come
  from a driver through the real path: ``POST /api/runs/NAME``, ``auth``, binary frames that
  ``relay_frame`` checks and the session publishes through its outbox, the bus, the room and each
  viewer's mailbox and send loop.
- ``bare``: a plain ASGI app under uvicorn with the same options: a producer's frame is received once and
  sent to every connected client in turn (no mailbox, no task per client, nothing checked).
"""

import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from typing import Any

import uvicorn

from app.cli import WS_MAX_BYTES

START_TIMEOUT_S = 60.0
Send = Any  # an ASGI ``send`` callable


async def bare_app(scope: dict, receive: Any, send: Send) -> None:
    """``/pub``: frames to broadcast; any other path: a viewer. One encode (the producer's), one send each."""
    if scope["type"] == "lifespan":
        while (message := await receive())["type"] != "lifespan.shutdown":
            await send({"type": message["type"] + ".complete"})
        await send({"type": "lifespan.shutdown.complete"})
        return
    if scope["type"] != "websocket":
        await send({"type": "http.response.start", "status": 404, "headers": []})
        await send({"type": "http.response.body", "body": b""})
        return
    await receive()  # websocket.connect
    await send({"type": "websocket.accept"})
    if scope["path"] == "/pub":
        await _broadcast(receive)
        return
    VIEWERS.add(send)
    try:
        while (await receive())["type"] != "websocket.disconnect":
            pass
    finally:
        VIEWERS.discard(send)


VIEWERS: set[Send] = set()


async def _broadcast(receive: Any) -> None:
    while (message := await receive())["type"] != "websocket.disconnect":
        event = {"type": "websocket.send", "bytes": message["bytes"]}
        for viewer in list(VIEWERS):
            try:
                await viewer(event)
            except Exception:  # a viewer that went away
                VIEWERS.discard(viewer)


def serve_bare(port: int) -> None:
    """Run the bare broadcast server (in its own process) with nnlive serve's websocket options."""
    options = {"ws_per_message_deflate": False, "ws_max_size": WS_MAX_BYTES}
    uvicorn.Server(uvicorn.Config(bare_app, host="127.0.0.1", port=port, **options)).run()


@dataclass
class Server:
    """A server process: its name, base URL, process and the websocket path viewers connect to."""

    name: str
    base: str
    process: subprocess.Popen
    viewer_path: str = ""
    driver_path: str = ""
    token: str = ""
    log: str = ""  # the file its stderr goes to (nnlive: its warnings)

    def cpu_s(self) -> float:
        """User + system CPU seconds of the server process so far (all its threads)."""
        with open(f"/proc/{self.process.pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def rss_mb(self) -> float:
        """Resident memory of the server process, MB."""
        with open(f"/proc/{self.process.pid}/statm") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1e6

    def log_size(self) -> int:
        return os.path.getsize(self.log) if self.log else 0

    def log_since(self, offset: int) -> str:
        """What the server logged after ``offset`` bytes."""
        if not self.log:
            return ""
        with open(self.log, errors="replace") as log:
            log.seek(offset)
            return log.read()

    def viewers(self, session_path: str) -> int:
        """The viewer count of the session at ``session_path`` (/ws/sessions/ID) as this server has it."""
        url = self.base + session_path.replace("/ws/sessions/", "/api/sessions/")
        with urllib.request.urlopen(url, timeout=10) as reply:
            return json.load(reply)["viewers"]

    def url(self, path: str) -> str:
        return self.base.replace("http://", "ws://") + path

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        if self.log:
            os.unlink(self.log)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_bare() -> Server:
    """The bare broadcast server on a free port, once it accepts connections."""
    port = free_port()
    code = f"from bench._fanout_servers import serve_bare; serve_bare({port})"
    process = subprocess.Popen(
        [sys.executable, "-c", code], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    base = f"http://127.0.0.1:{port}"
    _wait(lambda: socket.create_connection(("127.0.0.1", port), 1).close(), process)
    return Server("bare", base, process, viewer_path="/view", driver_path="/pub")


def start_nnlive(max_viewers: int) -> Server:
    """``nnlive serve`` on a free port with room for ``max_viewers``, and a run session to drive."""
    server = _serve_nnlive("nnlive", max_viewers, "memory://")
    _open_run(server)
    return server


def start_nnlive_pair(max_viewers: int, bus_url: str) -> list[Server]:
    """Two ``nnlive serve`` processes on the Redis at ``bus_url``; the run session lives on the first
    (its driver connects there) and viewers may connect to either."""
    owner, other = (_serve_nnlive(f"redis {name}", max_viewers, bus_url) for name in "AB")
    _open_run(owner)
    other.viewer_path = owner.viewer_path
    return [owner, other]


def start_redis() -> tuple[subprocess.Popen, str]:
    """A redis-server on a free loopback port, without persistence, and its URL."""
    port = free_port()
    command = ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _wait(lambda: socket.create_connection(("127.0.0.1", port), 1).close(), process)
    return process, f"redis://127.0.0.1:{port}/0"


def _serve_nnlive(name: str, max_viewers: int, bus_url: str) -> Server:
    port = free_port()
    settings = {"NNLIVE_MAX_VIEWERS": str(max_viewers), "NNLIVE_BUS_URL": bus_url, "NNLIVE_DATA_DIR": ""}
    env = {**os.environ, **settings}  # no snapshots: nothing restored from other runs, nothing written
    command = [sys.executable, "-m", "app.cli", "serve", "--port", str(port)]
    log = tempfile.NamedTemporaryFile(prefix="fanout-", suffix=".log", delete=False)  # noqa: SIM115
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=log)
    log.close()
    base = f"http://127.0.0.1:{port}"
    _wait(lambda: urllib.request.urlopen(base + "/healthz", timeout=2).close(), process)
    return Server(name, base, process, log=log.name)


def _open_run(server: Server) -> None:
    """A run session on ``server`` for the producer to drive and the viewers to watch."""
    request = urllib.request.Request(server.base + "/api/runs/fanout", method="POST")
    with urllib.request.urlopen(request, timeout=10) as reply:
        run = json.load(reply)
    server.viewer_path = server.driver_path = f"/ws/sessions/{run['id']}"
    server.token = run["token"]


def _wait(probe: Any, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while True:
        try:
            probe()
            return
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"server did not start (exit status {process.poll()})") from None
            time.sleep(0.2)
