"""The per-viewer send path in one process, without sockets: where the CPU per viewer-frame goes.

N viewers get F frames of 64 KB each, three ways, taking turns in one run (uvloop, as ``nnlive serve``):
- ``bare``: one loop awaits each viewer's ASGI ``send`` in turn with one message per frame (the fan-out
  benchmark's bare server);
- ``viewer, send_bytes``: nnlive's ``Room`` and a ``Viewer`` per client whose socket is a Starlette
  ``WebSocket`` without a kept ASGI ``send`` (Starlette's ``send_bytes`` builds and checks a message per
  viewer; FastAPI's two exception wrappers are left out, so this understates that path);
- ``viewer, kept send``: the same with the ``send`` that ``KeepAsgiSend`` keeps (what the server runs).

Every ``send`` stands for uvicorn's: it awaits a set ``asyncio.Event`` and copies the frame behind a
header as uvicorn's websocket protocol does (that copy is what pushes the rest out of the CPU's caches).
Prints the process CPU per viewer-frame of each, best and median of the rounds, and the viewers' extra
over the bare loop. Run: python3 -m bench.viewer_send [--viewers 500] [--frames 200] [--rounds 5]
"""

import argparse
import asyncio
import statistics
import time
from collections.abc import Awaitable, Callable
from typing import Any

import uvloop
from starlette.websockets import WebSocket, WebSocketState

from app.bus.memory import MemoryBus
from app.realtime.asgi_send import SCOPE_KEY
from app.realtime.rooms import Room
from app.realtime.viewer import Viewer

FRAME = bytes(64 * 1024)


class Transport:
    """What uvicorn's ``send`` does for a binary message, less the socket write."""

    def __init__(self) -> None:
        self.writable = asyncio.Event()
        self.writable.set()
        self.frames = 0
        self.last = b""

    async def send(self, message: dict[str, Any]) -> None:
        await self.writable.wait()
        self.last = b"".join([b"\x82\x7f\x00\x00\x00\x00\x00\x01\x00\x00", message["bytes"]])
        self.frames += 1


async def bare(transports: list[Transport], frames: int) -> None:
    for _ in range(frames):
        message = {"type": "websocket.send", "bytes": FRAME}
        for transport in transports:
            await transport.send(message)
        await asyncio.sleep(0)


def through_viewers(keep_send: bool) -> Callable[[list[Transport], int], Awaitable[None]]:
    async def run(transports: list[Transport], frames: int) -> None:
        room = Room(MemoryBus(), "bench")
        for transport in transports:
            scope = {"type": "websocket", "path": "/", "headers": []}
            if keep_send:
                scope[SCOPE_KEY] = transport.send
            ws = WebSocket(scope, receive=_never, send=transport.send)
            ws.application_state = WebSocketState.CONNECTED
            room.viewers.add(Viewer(ws))
        senders = [asyncio.create_task(viewer.send_loop()) for viewer in room.viewers]
        for _ in range(frames):
            room.hand_frame(FRAME)
            await asyncio.sleep(0)  # the senders run
            await asyncio.sleep(0)
        for task in senders:
            task.cancel()
        await asyncio.gather(*senders, return_exceptions=True)
        await room.close()

    return run


async def _never() -> dict[str, Any]:
    await asyncio.Event().wait()
    return {}


WAYS = {
    "bare": bare,
    "viewer, send_bytes": through_viewers(False),
    "viewer, kept send": through_viewers(True),
}


async def measure(viewers: int, frames: int, rounds: int) -> dict[str, list[float]]:
    """µs of process CPU per viewer-frame, per way and round."""
    results: dict[str, list[float]] = {name: [] for name in WAYS}
    for _ in range(rounds):
        for name, way in WAYS.items():
            transports = [Transport() for _ in range(viewers)]
            began = time.process_time()
            await way(transports, frames)
            used = time.process_time() - began
            assert all(t.frames == frames for t in transports), f"{name}: a viewer missed frames"
            results[name].append(1e6 * used / (viewers * frames))
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--viewers", type=int, default=500, help="viewers (default: 500)")
    parser.add_argument("--frames", type=int, default=200, help="frames per round (default: 200)")
    parser.add_argument("--rounds", type=int, default=5, help="rounds of the three ways (default: 5)")
    args = parser.parse_args()
    results = uvloop.run(measure(args.viewers, args.frames, args.rounds))
    base = min(results["bare"])
    print(f"{args.viewers} viewers × {args.frames} frames of 64 KB, {args.rounds} rounds:", end=" ")
    print("µs of CPU per viewer-frame")
    print(f"{'way':>20} {'best':>7} {'median':>7} {'extra (best)':>13}")
    for name, values in results.items():
        best = min(values)
        print(f"{name:>20} {best:>7.2f} {statistics.median(values):>7.2f} {best - base:>13.2f}")


if __name__ == "__main__":
    main()
