"""A viewer that stops reading costs the others nothing: they keep their frames, its mailbox stays small."""

import base64
import os
import socket
import time
from urllib.parse import urlsplit

import pytest
from fastapi import FastAPI

from api.helpers import WAIT_S, Socket, create_session
from app.config import Settings
from app.protocol import decode_frame
from app.realtime.rooms import STREAMS
from app.realtime.viewer import FRAME_DEPTH, Viewer

FRAMES_WATCHED = 40


@pytest.fixture
def settings() -> Settings:
    """Frames at the full frame rate (no CPU budget), so the stalled connection backs up quickly."""
    return Settings(device="cpu", torch_threads=1, frame_budget=1.0)


def stalled_client(base: str, session_id: str) -> socket.socket:
    """A websocket client that completes the handshake and then never reads again."""
    url = urlsplit(base)
    raw = socket.socket()
    raw.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)  # a small window: the server's sends back up
    raw.connect((url.hostname, url.port))
    key = base64.b64encode(os.urandom(16)).decode()
    raw.sendall(
        (
            f"GET /ws/sessions/{session_id} HTTP/1.1\r\nHost: {url.netloc}\r\nUpgrade: websocket\r\n"
            f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n"
        ).encode()
    )
    raw.settimeout(WAIT_S)
    assert raw.recv(12) == b"HTTP/1.1 101"  # switched; from here on nothing is read
    return raw


def server_viewer(app: FastAPI, session_id: str, client_port: int) -> Viewer:
    """The server's Viewer of the connection from ``client_port``."""
    room = app.state.rooms._rooms[session_id]
    return next(v for v in room.viewers if v.ws.client.port == client_port)


def pending_frame_seq(viewer: Viewer) -> int | None:
    """The seq of the newest frame waiting in a viewer's mailbox, if one waits."""
    frames = viewer.waiting_frames()
    return decode_frame(frames[-1])[0]["seq"] if frames else None


def test_a_viewer_that_stops_reading_does_not_hold_up_the_others(live_server: str, live_app: FastAPI):
    info = create_session(live_server, precision="float32")  # big frames back the stalled socket up soon
    driver = Socket(live_server, info["id"])
    raw = stalled_client(live_server, info["id"])
    try:
        driver.auth(info["token"])
        stalled = server_viewer(live_app, info["id"], raw.getsockname()[1])
        driver.ok("set", values={"grads": True})  # gradients in every frame too
        driver.ok("train")
        # Train until the stalled connection's buffers are full: a frame then waits in its mailbox.
        started = time.monotonic()
        deadline = started + 3 * WAIT_S
        while pending_frame_seq(stalled) is None and time.monotonic() < deadline:
            driver.wait("frame")
        first_stuck = pending_frame_seq(stalled)
        assert first_stuck is not None, "the stalled viewer's sends never backed up"

        seqs = [driver.wait("frame")["seq"] for _ in range(FRAMES_WATCHED)]
        assert seqs == sorted(set(seqs))
        assert seqs[-1] - seqs[0] < 4 * FRAMES_WATCHED  # small gaps: it gets most frames made

        # The stalled viewer holds one snapshot per stream and the newest few frames, not a backlog.
        assert len(stalled.waiting_frames()) <= FRAME_DEPTH
        assert stalled.pending() <= len(STREAMS) - 1 + FRAME_DEPTH
        assert pending_frame_seq(stalled) > first_stuck
    finally:
        raw.close()
        driver.close()
