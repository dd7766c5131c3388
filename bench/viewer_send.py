"""The per-viewer send path in one process, without sockets: where the CPU per viewer-frame goes.

N viewers get F frames (64 KB each by default), four ways, taking turns in one run (uvloop, as
``nnlive serve``):
- ``bare``: one loop awaits each viewer's ASGI ``send`` in turn with one message per frame (the fan-out
  benchmark's bare server);
- ``viewer, send_bytes``: nnlive's ``Room`` and a ``Viewer`` per client, each connection a FastAPI
  websocket route (its own middleware stack) whose handler runs the viewer's send loop in a task of its
  own, as app/realtime/ws.py does; without ``KeepAsgiSend`` each frame goes through Starlette's
  ``send_bytes``, its state checks and two exception-handling wrappers;
- ``viewer, kept send``: the same app with ``KeepAsgiSend``, each frame queued in the viewer's mailbox,
  whose sender task wakes and passes it to the kept ASGI ``send`` (one message per frame shared by all
  viewers): the server before frames were sent at once;
- ``viewer, sent at once``: what the server runs: the same, but a frame for an idle viewer is sent by the
  room's loop itself (app/realtime/send_now.py), with no sender woken.

Every ``send`` stands for uvicorn's: it awaits a set ``asyncio.Event`` and copies the frame behind a
header as uvicorn's websocket protocol does (that copy is what pushes the rest out of the CPU's caches).
Prints the process CPU per viewer-frame of each (while the frames are sent: connecting the viewers is
not counted), best and median of the rounds, and the viewers' extra over the bare loop.
Run: python3 -m bench.viewer_send [--viewers 500] [--frames 200] [--rounds 5] [--kb 64]
(``--viewers 1000 --kb 16 --frames 800``: the fan-out benchmark's 1,000-viewer row)
"""

import argparse
import asyncio
import statistics
import time
from collections.abc import Awaitable, Callable
from typing import Any

import uvloop
from fastapi import FastAPI, WebSocket

from app.bus.memory import MemoryBus
from app.realtime.asgi_send import KeepAsgiSend
from app.realtime.rooms import Room
from app.realtime.viewer import Viewer


class Transport:
    """What uvicorn's ``send`` does for a binary message, less the socket write."""

    def __init__(self) -> None:
        self.writable = asyncio.Event()
        self.writable.set()
        self.frames = 0
        self.last = b""

    async def send(self, message: dict[str, Any]) -> None:
        await self.writable.wait()
        if message["type"] != "websocket.send":
            return
        self.last = b"".join([b"\x82\x7f\x00\x00\x00\x00\x00\x01\x00\x00", message["bytes"]])
        self.frames += 1


async def bare(transports: list[Transport], frames: int, frame: bytes) -> float:
    began = time.process_time()
    for _ in range(frames):
        message = {"type": "websocket.send", "bytes": frame}
        for transport in transports:
            await transport.send(message)
        await asyncio.sleep(0)
    return time.process_time() - began


class WokenViewer(Viewer):
    """A viewer whose every frame waits in its mailbox for its sender task (nothing sent at once)."""

    def offer_frame(self, message: dict[str, Any], wire: bytes) -> None:
        self._mailbox.put_frame(message)


def through_viewers(
    keep_send: bool, kind: type[Viewer] = Viewer
) -> Callable[[list[Transport], int, bytes], Awaitable[float]]:
    async def run(transports: list[Transport], frames: int, frame: bytes) -> float:
        room = Room(MemoryBus(), "bench")
        app = FastAPI()
        if keep_send:
            app.add_middleware(KeepAsgiSend)

        all_in = asyncio.Event()

        @app.websocket("/ws")
        async def watch(ws: WebSocket) -> None:  # FastAPI's own route and middleware stack
            await ws.accept()
            viewer = kind(ws)
            room.viewers.add(viewer)
            if len(room.viewers) == len(transports):
                all_in.set()
            await asyncio.create_task(viewer.send_loop())  # its own task, as app/realtime/ws.py runs it

        connections = [asyncio.create_task(app(_scope(), _silent_client(), t.send)) for t in transports]
        await all_in.wait()
        await asyncio.sleep(0)  # every sender is waiting for its first frame
        began = time.process_time()
        for _ in range(frames):
            room.hand_frame(frame)
            await asyncio.sleep(0)  # the senders run
            await asyncio.sleep(0)
        used = time.process_time() - began
        for task in connections:
            task.cancel()
        await asyncio.gather(*connections, return_exceptions=True)
        await room.close()
        return used

    return run


def _scope() -> dict[str, Any]:
    return {"type": "websocket", "path": "/ws", "headers": [], "query_string": b"", "subprotocols": []}


def _silent_client() -> Callable[[], Awaitable[dict[str, Any]]]:
    """The ASGI ``receive`` of a client that connects and then sends nothing."""
    connected = False

    async def receive() -> dict[str, Any]:
        nonlocal connected
        if not connected:
            connected = True
            return {"type": "websocket.connect"}
        await asyncio.Event().wait()
        return {}

    return receive


WAYS = {
    "bare": bare,
    "viewer, send_bytes": through_viewers(False),
    "viewer, kept send": through_viewers(True, WokenViewer),
    "viewer, sent at once": through_viewers(True),
}


async def measure(viewers: int, frames: int, rounds: int, frame: bytes) -> dict[str, list[float]]:
    """µs of process CPU per viewer-frame, per way and round."""
    results: dict[str, list[float]] = {name: [] for name in WAYS}
    for _ in range(rounds):
        for name, way in WAYS.items():
            transports = [Transport() for _ in range(viewers)]
            used = await way(transports, frames, frame)
            assert all(t.frames == frames for t in transports), f"{name}: a viewer missed frames"
            results[name].append(1e6 * used / (viewers * frames))
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--viewers", type=int, default=500, help="viewers (default: 500)")
    parser.add_argument("--frames", type=int, default=200, help="frames per round (default: 200)")
    parser.add_argument("--rounds", type=int, default=5, help="rounds of the four ways (default: 5)")
    parser.add_argument("--kb", type=int, default=64, help="KB a frame (default: 64)")
    args = parser.parse_args()
    results = uvloop.run(measure(args.viewers, args.frames, args.rounds, bytes(args.kb * 1024)))
    base = min(results["bare"])
    print(f"{args.viewers} viewers × {args.frames} frames of {args.kb} KB, {args.rounds} rounds:", end=" ")
    print("µs of CPU per viewer-frame")
    print(f"{'way':>22} {'best':>7} {'median':>7} {'extra (best)':>13}")
    for name, values in results.items():
        best = min(values)
        print(f"{name:>22} {best:>7.2f} {statistics.median(values):>7.2f} {best - base:>13.2f}")


if __name__ == "__main__":
    main()
