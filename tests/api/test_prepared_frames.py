"""Through a real uvicorn server (as ``nnlive serve`` runs it): a frame reaches an idle viewer as the bytes
prepared once for all viewers, written straight to its socket, and arrives as the very frame relayed."""

from collections.abc import Callable

import httpx
import numpy as np
import pytest

from api.helpers import WAIT_S, Socket
from app.protocol import encode_frame
from app.realtime.prepared import WireWriter


def test_relayed_frames_reach_an_idle_viewer_written_straight_to_its_socket(
    live_server: str, open_socket: Callable[..., Socket], monkeypatch: pytest.MonkeyPatch
):
    written: list[tuple[int, bool]] = []  # (bytes, written directly) per frame offered to an idle viewer
    write = WireWriter.write

    def recording(self: WireWriter, wire: bytes) -> bool:
        done = write(self, wire)
        written.append((len(wire), done))
        return done

    monkeypatch.setattr(WireWriter, "write", recording)
    run = httpx.post(f"{live_server}/api/runs/prepared", timeout=WAIT_S).json()
    driver, viewer = open_socket(run, drive=True), open_socket(run)
    viewer.wait("state")  # joined: its hello and state are sent, and it idles (the driver is not counted)

    # 16-bit and 64-bit websocket lengths (tests/unit/test_prepared.py checks every encoding's bytes), each
    # twice: a viewer-count state being sent as a frame comes finds the viewer busy (that frame is queued)
    expected = []
    for step, size in enumerate([4_000, 4_000, 20_000, 20_000], start=1):
        tensor = np.arange(size, dtype=np.float32) - size / 2
        driver.send(encode_frame({"step": step}, {"t": tensor}))
        frame = viewer.wait("frame", step=step)
        np.testing.assert_array_equal(frame.tensors["t"], tensor)
        expected.append(len(frame.raw) + (4 if len(frame.raw) < 65_536 else 10))  # + its websocket header
    assert all(done for _, done in written)  # no frame offered to an idle viewer took the ASGI path
    assert {size for size, _ in written} == set(expected)  # each kind of frame went straight at least once
    assert len(written) >= 3
