"""Writes the golden frames that the Python and JS decoders are both tested against.

Run from the repository root: ``python tests/golden/generate.py``. Each ``<name>.bin`` is a frame and
``<name>.json`` holds its header and every tensor's dtype, shape and flat values. The top folder holds
protocol v2 (what the server sends), ``v1/`` the same cases in protocol v1 (old recordings still replay).
"""

import json
import struct
from pathlib import Path

import numpy as np

from app.protocol import encode_frame
from app.protocol.codec import split_frame
from app.protocol.recording import Record, write_recording

HERE = Path(__file__).parent
V1 = HERE / "v1"


def golden_cases() -> dict[str, tuple[dict, dict[str, np.ndarray]]]:
    """The cases: every dtype, float16 edge values (subnormal, max, negative zero), odd sizes."""
    half = np.array([0.0, -0.0, 1.0, -2.5, 65504.0, 6.1e-05, 5.96e-08, 0.333], dtype=np.float16)
    mixed = {
        "weights": np.linspace(-1.0, 1.0, 12, dtype=np.float32).reshape(2, 2, 3),
        "half": half,
        "bytes": np.array([0, 1, 127, 255, 3], dtype=np.uint8),
        "labels": np.array([[-7, 0], [42, 2**31 - 1]], dtype=np.int32),
        "scalar": np.array(3.5, dtype=np.float32),
    }
    header = {"type": "frame", "session": "golden", "seq": 3, "step": 120, "loss": 0.25}
    return {"mixed": (header, mixed), "empty": ({"type": "frame", "seq": 0}, {})}


def as_v1(frame: bytes) -> bytes:
    """The same frame in protocol v1: offsets count from the message's first byte, so the header's length
    decides them (the fixed point of header length and offsets)."""
    header, buffers = split_frame(frame)
    base = 0
    while True:
        table = [{**t, "offset": base + t["offset"]} for t in header.get("tensors", [])]
        head = json.dumps({**header, "tensors": table}, separators=(",", ":")).encode()
        start = (4 + len(head) + 7) // 8 * 8
        if start == base or not table:
            break
        base = start
    start = (4 + len(head) + 7) // 8 * 8
    return struct.pack("<I", len(head)) + head + bytes(start - 4 - len(head)) + buffers.tobytes()


def golden_recording(folder: Path, protocol: int) -> tuple[dict, list[Record]]:
    """A recording (docs/protocol.md): a hello, the ``mixed`` frame, a view state and the ``empty`` frame."""
    meta = {
        "page": "/lenet",
        "model": "lenet",
        "session": "golden",
        "view": {"cell": "3"},
        "started": "2026-01-01",
    }
    records = [
        Record(0.0, "text", f'{{"type":"hello","protocol":{protocol},"role":"viewer"}}'.encode()),
        Record(12.5, "frame", (folder / "mixed.bin").read_bytes()),
        Record(40.25, "text", '{"type":"view","state":{"cell":"7","label":"ü"}}'.encode()),
        Record(1000.0, "frame", (folder / "empty.bin").read_bytes()),
    ]
    return meta, records


def main() -> None:
    """Regenerate every golden frame and its expected values, and the golden recording, in v2 and v1."""
    for name, (header, tensors) in golden_cases().items():
        frame = encode_frame(header, tensors)
        (HERE / f"{name}.bin").write_bytes(frame)
        (V1 / f"{name}.bin").write_bytes(as_v1(frame))
        expected = {
            "header": header,
            "tensors": {
                k: {"dtype": str(v.dtype), "shape": list(v.shape), "values": v.ravel().tolist()}
                for k, v in tensors.items()
            },
        }
        for folder in (HERE, V1):
            (folder / f"{name}.json").write_text(json.dumps(expected, indent=1) + "\n")
    (HERE / "recording.nnrec").write_bytes(write_recording(*golden_recording(HERE, 2)))
    (V1 / "recording.nnrec").write_bytes(v1_recording(*golden_recording(V1, 1)))


def v1_recording(meta: dict, records: list[Record]) -> bytes:
    """A recording file of version 1: the same layout with 1 in its version field."""
    data = bytearray(write_recording(meta, records))
    struct.pack_into("<H", data, 6, 1)
    return bytes(data)


if __name__ == "__main__":
    main()
