"""The fan-out benchmark's clients: viewer processes (many websockets each) and the frame producer.

Every frame carries its producer's wall-clock send time and a step number in its header (protocol v2,
``encode_frame``); a viewer counts the frames of the measured window by step and their latency on
arrival (same machine, same clock).
"""

import asyncio
import contextlib
import json
import multiprocessing as mp
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from websockets.asyncio.client import ClientConnection, connect
from websockets.sync.client import connect as connect_sync

from app.protocol import encode_frame
from app.protocol.codec import header_bytes

CONNECT_TIMEOUT_S = 120.0


@dataclass
class Share:
    """What one viewer process does: ``readers`` reading viewers and ``idlers`` that never read."""

    url: str
    readers: int
    idlers: int
    steps: tuple[int, int]  # the measured window's first and last step (inclusive)


@dataclass
class Tally:
    """What one viewer process saw."""

    opened_at: float = 0.0  # wall time when its last viewer's websocket was open
    connected_at: float = 0.0  # ... and when its last viewer was in the room (nnlive: its hello came)
    frames: int = 0  # frames of the window received by its reading viewers (distinct steps)
    latencies_ms: list[float] = field(default_factory=list)
    per_second: dict[int, int] = field(default_factory=dict)  # window frames arriving in each wall second
    failed: int = 0  # connections refused or lost
    per_viewer: list[int] = field(default_factory=list)  # window frames each reading viewer received


def viewer_process(share: Share, report: Any, stop: Any) -> None:
    """Connect the share's viewers, report when all are in, read until ``stop`` is set, report the tally."""
    with contextlib.suppress(ImportError):
        import uvloop

        uvloop.install()
    tally = asyncio.run(_view(share, report, stop))
    report.put(tally)


async def _view(share: Share, report: Any, stop: Any) -> Tally:
    tally = Tally()
    opened: list[float] = []
    sockets = await asyncio.gather(
        *(_connect(share.url, 16, opened) for _ in range(share.readers)),
        *(_connect(share.url, 1, opened) for _ in range(share.idlers)),
    )
    tally.connected_at = time.time()
    tally.opened_at = max(opened, default=tally.connected_at)
    tally.failed = sum(s is None for s in sockets)
    report.put((tally.opened_at, tally.connected_at))
    readers = [asyncio.create_task(_read(s, share.steps, tally)) for s in sockets[: share.readers] if s]
    await asyncio.to_thread(stop.wait)
    for task in readers:
        task.cancel()
    await asyncio.gather(*readers, return_exceptions=True)
    await asyncio.gather(*(s.close() for s in sockets if s), return_exceptions=True)
    return tally


async def _connect(url: str, queue: int, opened: list[float]) -> ClientConnection | None:
    """Open a websocket (its open time goes to ``opened``); to nnlive, also wait for its ``hello``."""
    try:
        ws = await connect(
            url,
            compression=None,
            max_size=None,
            max_queue=queue,
            open_timeout=CONNECT_TIMEOUT_S,
            ping_interval=None,
        )
        opened.append(time.time())
        if "/ws/sessions/" in url:  # nnlive: the viewer is in the session's room once its hello came
            await asyncio.wait_for(ws.recv(), CONNECT_TIMEOUT_S)
        return ws
    except (OSError, TimeoutError, Exception):
        return None


async def _read(ws: ClientConnection, steps: tuple[int, int], tally: Tally) -> None:
    first, last = steps
    seen: set[int] = set()
    try:
        async for message in ws:
            if isinstance(message, str):
                continue
            now = time.time()
            header = json.loads(bytes(header_bytes(memoryview(message))))
            step = header.get("step", -1)
            if first <= step <= last and step not in seen and "sent" in header:
                seen.add(step)
                tally.latencies_ms.append((now - header["sent"]) * 1e3)
                second = int(now)
                tally.per_second[second] = tally.per_second.get(second, 0) + 1
    except Exception:  # closed at the end, or lost: what was seen counts
        pass
    finally:
        tally.frames += len(seen)
        tally.per_viewer.append(len(seen))


def start_viewers(
    url: str, n: int, idle: int, processes: int, steps: tuple[int, int]
) -> tuple[list, Any, Any]:
    """``n`` viewers (``idle`` of them never reading) over ``processes`` processes."""
    ctx = mp.get_context("fork")
    report, stop = ctx.Queue(), ctx.Event()
    procs = []
    for i in range(processes):
        readers = (n - idle) // processes + (i < (n - idle) % processes)
        idlers = idle // processes + (i < idle % processes)
        share = Share(url, readers, idlers, steps)
        proc = ctx.Process(target=viewer_process, args=(share, report, stop), daemon=True)
        proc.start()
        procs.append(proc)
    return procs, report, stop


class Producer:
    """A driver that sends frames of ``size`` bytes (a float16 tensor plus the header) over one websocket."""

    def __init__(self, url: str, size: int, token: str = "") -> None:
        self.ws = connect_sync(url, compression=None, max_size=None, open_timeout=30)
        self.tensor = np.random.default_rng(0).standard_normal(size // 2).astype(np.float16)
        if token:  # nnlive: become the run's driver
            self.ws.send(json.dumps({"type": "auth", "id": "auth", "token": token}))
            while True:
                reply = self.ws.recv(timeout=30)
                if isinstance(reply, str) and json.loads(reply).get("id") == "auth":
                    assert json.loads(reply)["type"] == "ok", reply
                    break

    def run(self, steps: range, rate: float) -> float:
        """Send one frame per step at ``rate`` a second on a fixed schedule; the seconds it took."""
        start = time.perf_counter()
        for i, step in enumerate(steps):
            delay = start + i / rate - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            self.ws.send(encode_frame({"step": step, "sent": time.time()}, {"x": self.tensor}))
            self._drain()
        return time.perf_counter() - start

    def _drain(self) -> None:
        """Read what the server sent the driver (its own frames are not sent back; states, replies are)."""
        with contextlib.suppress(TimeoutError):
            while True:
                self.ws.recv(timeout=0)

    def close(self) -> None:
        self.ws.close()
