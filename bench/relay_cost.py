"""What relaying one SDK frame costs the server: decode and re-encode (protocol v1) vs a header swap (v2).

A driver's frame arrives under the run's own header; the server publishes it under the session's ``type``,
``session`` and ``seq``. Under protocol v1 tensor offsets counted from the start of the message, so a new
header moved every tensor: the relay decoded the frame (``decode_frame``) and encoded it again
(``encode_frame``). Under v2 they count from the buffer section: the relay reads the header and the tensor
table (``split_frame``) and writes a new header before the same buffer bytes (``reheader``). A third column
times the whole relay as the server runs it, checks included (``relay_frame`` into a real /inspect
session). Frames of three sizes are made by the project's own encoder from float16 activations and
gradients shaped like a small CNN's, several times wider; the relay's cost does not depend on the values.
Timed with timeit in this one process, taking turns, best of several repeats (CPU time).

Run: python -m bench.relay_cost [--threads 1]
"""

import argparse

import numpy as np
import torch

from app.engine.live.external import INSPECT
from app.protocol import decode_frame, encode_frame
from app.protocol.codec import reheader, split_frame
from app.realtime.relay import relay_frame
from app.sessions.session import Session
from bench._common import best_of, fix_threads

SIZES = {"small": 1, "medium": 8, "large": 32}  # channel multipliers of the CNN below
COLUMNS = f"{'frame':<8}{'tensors':>8}{'bytes':>11}{'v1 decode+encode µs':>21}{'v2 header swap µs':>19}"
COLUMNS += f"{'ratio':>8}{'v2 relay_frame µs':>19}"


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    print(f"torch threads: {fix_threads(args.threads)}; CPU time per relayed frame, best of 25\n")
    print(COLUMNS)
    session = inspect_session()
    fields = {"type": "frame", "session": "bench", "seq": 1}
    for label, width in SIZES.items():
        frame = sdk_frame(width)
        assert split_frame(v1_relay(frame, fields)).buffers == split_frame(v2_relay(frame, fields)).buffers
        seconds = best_of(
            {
                "v1": lambda f=frame: v1_relay(f, fields),
                "v2": lambda f=frame: v2_relay(f, fields),
                "relay": lambda f=frame: relay_frame(session, True, f, len(f)),
            }
        )
        count = len(split_frame(frame).header["tensors"])
        v1, v2, relay = (seconds[k] * 1e6 for k in ("v1", "v2", "relay"))
        print(f"{label:<8}{count:>8}{len(frame):>11,}{v1:>21.1f}{v2:>19.1f}{v1 / v2:>7.1f}×{relay:>19.1f}")
    session.close()


if __name__ == "__main__":
    main()
