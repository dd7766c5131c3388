"""Writes the golden frames that the Python and JS decoders are both tested against.

Run from the repository root: ``python tests/golden/generate.py``. Each ``<name>.bin`` is a frame and
``<name>.json`` holds its header and every tensor's dtype, shape and flat values.
"""

import json
from pathlib import Path

import numpy as np

from app.protocol import encode_frame
from app.protocol.recording import Record, write_recording

HERE = Path(__file__).parent


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


def golden_recording() -> tuple[dict, list[Record]]:
    """A recording (docs/protocol.md): a hello, the ``mixed`` frame, a view state and the ``empty`` frame."""
    meta = {
        "page": "/lenet",
        "model": "lenet",
        "session": "golden",
        "view": {"cell": "3"},
        "started": "2026-01-01",
    }
    records = [
        Record(0.0, "text", b'{"type":"hello","protocol":1,"role":"viewer"}'),
        Record(12.5, "frame", (HERE / "mixed.bin").read_bytes()),
        Record(40.25, "text", '{"type":"view","state":{"cell":"7","label":"ü"}}'.encode()),
        Record(1000.0, "frame", (HERE / "empty.bin").read_bytes()),
    ]
    return meta, records


def main() -> None:
    """Regenerate every golden frame and its expected values, and the golden recording."""
    for name, (header, tensors) in golden_cases().items():
        (HERE / f"{name}.bin").write_bytes(encode_frame(header, tensors))
        expected = {
            "header": header,
            "tensors": {
                k: {"dtype": str(v.dtype), "shape": list(v.shape), "values": v.ravel().tolist()}
                for k, v in tensors.items()
            },
        }
        (HERE / f"{name}.json").write_text(json.dumps(expected, indent=1) + "\n")
    (HERE / "recording.nnrec").write_bytes(write_recording(*golden_recording()))


if __name__ == "__main__":
    main()
