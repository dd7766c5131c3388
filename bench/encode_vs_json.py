"""Encoding one all-layers LeNet frame (with grads) as a binary frame vs as JSON lists.

The frame is the server's own: a real session publishes it (``Session._publish_frame``), and the
timed call is ``encode_frame`` of that frame's header and arrays. The JSON baseline is what weaker
visualizers send: ``json.dumps({name: tensor.tolist()})`` of the same tensors as torch gives them
(float32). All are timed with timeit in this one process, taking turns, best of several repeats. A
second speed ratio also counts ``to_numpy`` (detach, cast, to numpy), the step from torch tensors that
JSON skips.

Run: python -m bench.encode_vs_json [--threads 1]
"""

import argparse
import json
from functools import partial

import torch

from app.engine.capture import to_numpy
from app.engine.live.lenet import LeNetLive
from app.protocol import decode_frame, encode_frame
from app.sessions.session import Session
from bench._common import best_of, fix_threads, lenet_live, session_args, verdict

TARGET_SPEEDUP = 100.0  # encode_frame at least this many times faster than JSON
TARGET_BYTES = 0.15  # a frame at most this fraction of JSON's bytes
TRAIN_STEPS = 50  # weights and activations past their initial values
PRECISIONS = {"float16": torch.float16, "float32": torch.float32}
COLUMNS = (
    f"{'frame':<8}{'bytes':>8}{'÷ JSON':>8}{'encode µs':>11}{'JSON ÷':>8}{'+to_numpy µs':>14}{'JSON ÷':>8}"
)


def session_frame(live: LeNetLive, precision: str) -> tuple[dict, dict]:
    """The header (less its tensors table) and arrays of the frame a session with grads publishes now."""
    frames: list[bytes] = []

    def emit(_stream: str, payload: bytes) -> None:
        frames.append(payload)

    session = Session(**session_args(live, grads=True, precision=precision, frame_interval=0.0, emit=emit))
    try:
        session._publish_frame()
    finally:
        session.close()
    header, tensors = decode_frame(frames[-1])
    header.pop("tensors")
    arrays = {name: t.array for name, t in tensors.items()}
    assert encode_frame(header, arrays) == frames[-1], "re-encoding must give the session's frame"
    return header, arrays


def as_json(tensors: dict[str, torch.Tensor]) -> str:
    """The JSON baseline: every tensor as nested lists of Python floats."""
    return json.dumps({name: t.tolist() for name, t in tensors.items()})


def encode_from_torch(header: dict, tensors: dict[str, torch.Tensor], dtype: torch.dtype) -> bytes:
    """What a session does after the forward pass: ``to_numpy`` (the cast), then ``encode_frame``."""
    return encode_frame(header, to_numpy(tensors, dtype))


def main() -> None:
    """Time and size both encodings for float16 and float32 frames; print the ratios."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=1, help="torch.set_num_threads for the whole run")
    args = parser.parse_args()
    fix_threads(args.threads)
    live = lenet_live()
    for _ in range(TRAIN_STEPS):
        live.train_step()
    _, float32 = live.frame(grads=True, dtype=torch.float32)
    tensors = {name: torch.from_numpy(a) for name, a in float32.items()}
    frames = {precision: session_frame(live, precision) for precision in PRECISIONS}
    timed = {"json": partial(as_json, tensors)}
    for precision, (header, arrays) in frames.items():
        timed[precision] = partial(encode_frame, header, arrays)
        timed[f"{precision}+to_numpy"] = partial(encode_from_torch, header, tensors, PRECISIONS[precision])
    seconds = best_of(timed)

    json_bytes, values = len(as_json(tensors).encode()), sum(t.numel() for t in tensors.values())
    print(f"LeNet-5 frame with grads: {len(tensors)} tensors, {values:,} values")
    print(f"JSON lists of the float32 values: {json_bytes:,} bytes, {seconds['json'] * 1e3:.2f} ms\n")
    print(COLUMNS)
    verdicts = []
    for precision, (header, arrays) in frames.items():
        frame_bytes, full = len(encode_frame(header, arrays)), seconds[f"{precision}+to_numpy"]
        size, speed = frame_bytes / json_bytes, seconds["json"] / seconds[precision]
        print(
            f"{precision:<8}{frame_bytes:8,}{size:8.3f}{seconds[precision] * 1e6:11.1f}{speed:7.0f}×"
            f"{full * 1e6:14.1f}{seconds['json'] / full:7.0f}×"
        )
        verdicts.append(
            f"{precision}: {speed:.0f}× faster (target ≥ 100×): {verdict(speed >= TARGET_SPEEDUP)}"
        )
        verdicts.append(
            f"{precision}: {size:.3f}× the bytes (target ≤ 0.15×): {verdict(size <= TARGET_BYTES)}"
        )
    print("\nencode_frame vs JSON:", *verdicts, sep="\n  ")


if __name__ == "__main__":
    main()
