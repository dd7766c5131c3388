"""What relaying one SDK frame costs the server: decode and re-encode (protocol v1) vs a header swap (v2).

A driver's frame arrives under the run's own header; the server publishes it under the session's ``type``,
``session`` and ``seq``. Under protocol v1 tensor offsets counted from the start of the message, so a new
header moved every tensor: the relay decoded the frame (``decode_frame``) and encoded it again
(``encode_frame``). Under v2 they count from the buffer section: the relay reads the header and the tensor
table (``split_frame``) and writes a new header before the same buffer bytes (``reheader``). A third column
times the whole relay as the server runs it, checks included (``relay_frame`` into a real /inspect
session), and a fourth the frame's whole way from the driver's message to a room: ``relay_frame`` into a
session of a real ``SessionManager`` (its outbox and publisher task) and through the in-process bus to a
subscriber, per frame (the websocket's receive and the viewers' sends are not included). Frames of three
sizes are made by the project's own encoder from float16 activations and gradients shaped like a small
CNN's, several times wider, plus the fan-out benchmark's 64 KB frame (one tensor); the relay's cost does
not depend on the values. Timed in this one process, taking turns, best of several repeats (CPU time).

Run: python -m bench.relay_cost [--threads 1]
"""

import argparse
import asyncio
import time

import numpy as np
import torch

from app.bus.memory import MemoryBus
from app.config import Settings
from app.engine.live.external import INSPECT
from app.protocol import decode_frame, encode_frame
from app.protocol.codec import reheader, split_frame
from app.realtime.relay import relay_frame
from app.sessions.manager import SessionManager, channel
from app.sessions.session import Session
from bench._common import best_of, fix_threads

SIZES = {"small": 1, "medium": 8, "large": 32}  # channel multipliers of the CNN below
FANOUT_KB = 64  # the frame that bench.fanout's driver sends
PATH_FRAMES = 50  # frames relayed to the bus per timed call
COLUMNS = f"{'frame':<8}{'tensors':>8}{'bytes':>11}{'v1 decode+encode µs':>21}{'v2 header swap µs':>19}"
COLUMNS += f"{'ratio':>8}{'v2 relay_frame µs':>19}{'to the bus µs':>15}"


def sdk_frame(width: int) -> bytes:
    """A driver's frame: activations and their gradients of a 3-conv CNN on a batch of 8 (float16)."""
    rng = np.random.default_rng(0)
    shapes = {"conv1": (8, 4 * width, 28, 28), "conv2": (8, 8 * width, 14, 14)}
    shapes |= {"conv3": (8, 16 * width, 7, 7), "fc": (8, 10)}
    arrays = {}
    for name, shape in shapes.items():
        arrays[f"{name}.out"] = rng.standard_normal(shape).astype(np.float16)
        arrays[f"{name}.grad"] = rng.standard_normal(shape).astype(np.float16)
    header = {"step": 120, "scalars": {"loss": 0.25}, "grad_norms": {"fc": 1.5}, "modules": list(shapes)}
    return encode_frame(header, arrays)


def fanout_frame() -> bytes:
    """The fan-out benchmark's driver frame: one float16 tensor of 64 KB under a two-field header."""
    tensor = np.zeros(FANOUT_KB * 1024 // 2, np.float16)
    return encode_frame({"step": 120, "sent": time.time()}, {"x": tensor})


def v1_relay(frame: bytes, fields: dict) -> bytes:
    """What the relay did before: decode every tensor, encode the frame again under the new header."""
    header, tensors = decode_frame(frame)
    kept = {k: v for k, v in header.items() if k != "tensors"}
    return encode_frame({**kept, **fields}, {name: t.array for name, t in tensors.items()})


def v2_relay(frame: bytes, fields: dict) -> bytes:
    """What it does now: read the header and table, write a new header before the same buffer bytes."""
    parts = split_frame(frame)
    return reheader({**parts.header, **fields}, parts)


def inspect_session() -> Session:
    """A real /inspect session whose published frames are dropped."""
    return Session(
        session_id="bench",
        token="bench",
        spec=INSPECT,
        config={},
        controls={},
        seed=0,
        precision="float16",
        live=INSPECT.build({}, {}, 0, torch.device("cpu")),
        emit=lambda _stream, _payload: None,
        frame_interval=0.0,
    )


class BusPath:
    """A real session of a ``SessionManager`` on an in-process bus, with one subscriber to its frames."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        settings = Settings(device="cpu", torch_threads=1)
        self.manager = SessionManager(settings, MemoryBus(), torch.device("cpu"))
        self.session = self.loop.run_until_complete(self.manager.create("inspect", {}, 0, None))
        self._frames = self.loop.run_until_complete(self._subscribe())

    async def _subscribe(self):
        self._subscription = self.manager.bus.subscribe(channel(self.session.id, "frame"))
        return await self._subscription.__aenter__()

    def relay(self, frame: bytes) -> None:
        """Relay ``frame`` ``PATH_FRAMES`` times, each until the subscriber has it."""
        self.loop.run_until_complete(self._relay(frame))

    async def _relay(self, frame: bytes) -> None:
        for _ in range(PATH_FRAMES):
            relay_frame(self.session, True, frame, len(frame))
            await anext(self._frames)

    def close(self) -> None:
        self.loop.run_until_complete(self._subscription.__aexit__(None, None, None))
        self.loop.run_until_complete(self.manager.close())
        self.loop.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    print(f"torch threads: {fix_threads(args.threads)}; CPU time per relayed frame, best of 25\n")
    print(COLUMNS)
    session, path = inspect_session(), BusPath()
    fields = {"type": "frame", "session": "bench", "seq": 1}
    frames = {label: sdk_frame(width) for label, width in SIZES.items()} | {"fanout": fanout_frame()}
    for label, frame in frames.items():
        assert split_frame(v1_relay(frame, fields)).buffers == split_frame(v2_relay(frame, fields)).buffers
        seconds = best_of(
            {
                "v1": lambda f=frame: v1_relay(f, fields),
                "v2": lambda f=frame: v2_relay(f, fields),
                "relay": lambda f=frame: relay_frame(session, True, f, len(f)),
                "path": lambda f=frame: path.relay(f),
            }
        )
        count = len(split_frame(frame).header["tensors"])
        v1, v2, relay = (seconds[k] * 1e6 for k in ("v1", "v2", "relay"))
        to_bus = seconds["path"] * 1e6 / PATH_FRAMES
        print(f"{label:<8}{count:>8}{len(frame):>11,}{v1:>21.1f}{v2:>19.1f}", end="")
        print(f"{v1 / v2:>7.1f}×{relay:>19.1f}{to_bus:>15.1f}")
    session.close()
    path.close()


if __name__ == "__main__":
    main()
