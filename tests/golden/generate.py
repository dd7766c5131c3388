"""Writes the golden frames that the Python and JS decoders are both tested against.

Run from the repository root: ``python tests/golden/generate.py``. Each ``<name>.bin`` is a frame and
``<name>.json`` holds its header and every tensor's dtype, shape and flat values.
"""

import json
from pathlib import Path

import numpy as np

from app.protocol import encode_frame

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


def main() -> None:
    """Regenerate every golden frame and its expected values."""
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


if __name__ == "__main__":
    main()
