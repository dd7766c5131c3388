"""The per-viewer send path in one process, without sockets: where the CPU per viewer-frame goes.

Every viewer is a real uvicorn websocket connection (its sans-I/O protocol, which ``nnlive serve`` runs,
after a real handshake) over a transport that only counts what it is given: everything above the
socket's write runs as in the server, the write itself (the kernel's part) does not. N viewers get F
frames (64 KB each by default), four ways, taking turns in one run (uvloop, as ``nnlive serve``):
- ``bare``: one loop awaits each connection's ASGI ``send`` in turn with one message per frame (the
  fan-out benchmark's bare server);
- ``viewer, woken``: nnlive's ``Room`` and a ``Viewer`` per connection, each a FastAPI websocket route
  whose handler runs the viewer's send loop in a task of its own, as app/realtime/ws.py does; each frame
  waits in the viewer's mailbox for its sender task, which passes it to the kept ASGI ``send``;
- ``viewer, sent at once``: the same, but a frame for an idle viewer is sent through the kept ASGI ``send``
  by the room's loop itself (app/realtime/send_now.py), with no sender woken;
- ``viewer, prepared``: what the server runs: the same, but an idle viewer's frame is the room's bytes
  prepared once per frame, written straight to the transport (app/realtime/prepared.py).

Prints the process CPU per viewer-frame of each (while the frames are sent: connecting the viewers is
not counted), best and median of the rounds, and each way's difference from the bare loop.
Run: python3 -m bench.viewer_send [--viewers 500] [--frames 200] [--rounds 5] [--kb 64]
(``--viewers 1000 --kb 16 --frames 800``: the fan-out benchmark's 1,000-viewer row)
"""

import argparse
import asyncio
import statistics
import time
from collections.abc import Awaitable, Callable
from typing import Any

import uvicorn
import uvloop
from fastapi import FastAPI, WebSocket
from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol
from uvicorn.server import ServerState

from app.bus.memory import MemoryBus
from app.realtime.asgi_send import KeepAsgiSend
from app.realtime.rooms import Room
from app.realtime.viewer import Viewer

HANDSHAKE = (
    b"GET /ws HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
    b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
)
App = Callable[[dict, Any, Any], Awaitable[None]]


class CountingTransport:
    """A connected TCP transport whose writes are counted, not sent."""

    def __init__(self) -> None:
        self.writes = 0

    def write(self, data: bytes) -> None:
        self.writes += 1

    def is_closing(self) -> bool:
        return False

    def get_extra_info(self, name: str, default: object = None) -> object:
        return {"sockname": ("127.0.0.1", 8000), "peername": ("127.0.0.1", 50000)}.get(name, default)

    def close(self) -> None:
        pass

    def pause_reading(self) -> None:
        pass

    def resume_reading(self) -> None:
        pass


async def connect(app: App, viewers: int) -> tuple[list[WebSocketsSansIOProtocol], list[CountingTransport]]:
    """``viewers`` uvicorn connections to ``app``, past the handshake."""
    config = uvicorn.Config(app, ws_per_message_deflate=False, lifespan="off", log_level="warning")
    config.load()
    state, loop = ServerState(), asyncio.get_running_loop()
    protocols, transports = [], []
    for _ in range(viewers):
        protocol, transport = WebSocketsSansIOProtocol(config, state, {}, loop), CountingTransport()
        protocol.connection_made(transport)  # type: ignore[arg-type]
        protocol.data_received(HANDSHAKE)
        protocols.append(protocol)
        transports.append(transport)
    return protocols, transports


async def disconnect(protocols: list[WebSocketsSansIOProtocol]) -> None:
    """The clients go: each app receives ``websocket.disconnect`` and returns."""
    tasks = {task for protocol in protocols for task in protocol.tasks}
    for protocol in protocols:
        protocol.connection_lost(None)
    await asyncio.gather(*tasks)


async def bare(viewers: int, frames: int, frame: bytes) -> tuple[float, list[int]]:
    sends: list[Any] = []
    all_in = asyncio.Event()

    async def app(scope: dict, receive: Any, send: Any) -> None:
        await receive()
        await send({"type": "websocket.accept"})
        sends.append(send)
        if len(sends) == viewers:
            all_in.set()
        await receive()

    protocols, transports = await connect(app, viewers)
    await all_in.wait()
    before = [t.writes for t in transports]
    began = time.process_time()
    for _ in range(frames):
        message = {"type": "websocket.send", "bytes": frame}
        for send in sends:
            await send(message)
        await asyncio.sleep(0)
    used = time.process_time() - began
    await disconnect(protocols)
    return used, [t.writes - b for t, b in zip(transports, before, strict=True)]


class WokenViewer(Viewer):
    """A viewer whose every frame waits in its mailbox for its sender task (nothing sent at once)."""

    def offer_frame(self, message: dict[str, Any], wire: bytes) -> None:
        self._mailbox.put_frame(message)


class AsgiViewer(Viewer):
    """A viewer that sends an idle viewer's frame at once through the kept ASGI ``send`` (not prepared)."""

    def __init__(self, ws: WebSocket) -> None:
        super().__init__(ws)
        self._wire = None


def through_viewers(kind: type[Viewer]) -> Callable[[int, int, bytes], Awaitable[tuple[float, list[int]]]]:
    async def run(viewers: int, frames: int, frame: bytes) -> tuple[float, list[int]]:
        room = Room(MemoryBus(), "bench")
        app = FastAPI()
        app.add_middleware(KeepAsgiSend)
        all_in = asyncio.Event()

        @app.websocket("/ws")
        async def watch(ws: WebSocket) -> None:  # FastAPI's own route and middleware stack
            await ws.accept()
            viewer = kind(ws)
            room.viewers.add(viewer)
            if len(room.viewers) == viewers:
                all_in.set()
            sender = asyncio.create_task(viewer.send_loop())  # its own task, as app/realtime/ws.py runs it
            await ws.receive()  # until the client goes
            sender.cancel()

        protocols, transports = await connect(app, viewers)
        await all_in.wait()
        await asyncio.sleep(0)  # every sender is waiting for its first frame
        before = [t.writes for t in transports]
        began = time.process_time()
        for _ in range(frames):
            room.hand_frame(frame)
            await asyncio.sleep(0)  # the senders run
            await asyncio.sleep(0)
        used = time.process_time() - began
        await room.close()
        await disconnect(protocols)
        return used, [t.writes - b for t, b in zip(transports, before, strict=True)]

    return run


WAYS = {
    "bare": bare,
    "viewer, woken": through_viewers(WokenViewer),
    "viewer, sent at once": through_viewers(AsgiViewer),
    "viewer, prepared": through_viewers(Viewer),
}


async def measure(viewers: int, frames: int, rounds: int, frame: bytes) -> dict[str, list[float]]:
    """µs of process CPU per viewer-frame, per way and round."""
    results: dict[str, list[float]] = {name: [] for name in WAYS}
    for _ in range(rounds):
        for name, way in WAYS.items():
            used, writes = await way(viewers, frames, frame)
            assert writes == [frames] * viewers, f"{name}: a viewer missed frames"
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
    print("µs of CPU per viewer-frame (above the socket write)")
    print(f"{'way':>22} {'best':>7} {'median':>7} {'vs bare (best)':>15}")
    for name, values in results.items():
        best = min(values)
        print(f"{name:>22} {best:>7.2f} {statistics.median(values):>7.2f} {best - base:>+15.2f}")


if __name__ == "__main__":
    main()
