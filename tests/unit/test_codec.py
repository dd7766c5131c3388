"""The frame codec against the golden frames (the JS decoder reads the same files)."""

import json
import struct
from pathlib import Path

import numpy as np
import pytest

from app.protocol import decode_frame, encode_frame

GOLDEN = Path(__file__).parent.parent / "golden"
NAMES = sorted(p.stem for p in GOLDEN.glob("*.bin"))


def _expected(name: str) -> dict:
    return json.loads((GOLDEN / f"{name}.json").read_text())


def _arrays(expected: dict) -> dict[str, np.ndarray]:
    return {
        k: np.array(v["values"], dtype=v["dtype"]).reshape(v["shape"]) for k, v in expected["tensors"].items()
    }


def test_golden_frames_exist():
    assert {"mixed", "empty"} <= set(NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_decode_golden(name):
    expected = _expected(name)
    header, tensors = decode_frame((GOLDEN / f"{name}.bin").read_bytes())
    assert {k: v for k, v in header.items() if k != "tensors"} == expected["header"]
    assert set(tensors) == set(expected["tensors"])
    for key, want in _arrays(expected).items():
        assert tensors[key].dtype == str(want.dtype)
        assert tensors[key].array.shape == want.shape
        np.testing.assert_array_equal(tensors[key].array, want)


@pytest.mark.parametrize("name", NAMES)
def test_encode_reproduces_golden_bytes(name):
    expected = _expected(name)
    assert encode_frame(expected["header"], _arrays(expected)) == (GOLDEN / f"{name}.bin").read_bytes()


def test_layout_is_aligned_and_zero_copy():
    tensors = {"a": np.ones(3, np.float16), "b": np.arange(5, dtype=np.int32)}
    message = encode_frame({"type": "frame"}, tensors)
    (head_len,) = struct.unpack_from("<I", message)
    header, tensors = decode_frame(message)
    assert all(t["offset"] % 8 == 0 for t in header["tensors"])
    assert header["tensors"][0]["offset"] >= 4 + head_len
    assert message[4 + head_len : header["tensors"][0]["offset"]].strip(b"\0") == b""
    assert not tensors["b"].array.flags.owndata  # a view on the message, not a copy
    np.testing.assert_array_equal(tensors["b"].array, np.arange(5))


def test_big_endian_input_is_written_little_endian():
    message = encode_frame({}, {"x": np.array([1.5, -2.0], dtype=">f4")})
    _, tensors = decode_frame(message)
    np.testing.assert_array_equal(tensors["x"].array, [1.5, -2.0])


def test_unsupported_dtype_is_refused():
    with pytest.raises(ValueError, match="unsupported dtype"):
        encode_frame({}, {"x": np.zeros(2, np.float64)})


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda m: m[:2], "shorter than its length prefix"),
        (lambda m: struct.pack("<I", 10_000) + m[4:], "runs past the end"),
        (lambda m: m[:-8], "does not fit"),
    ],
)
def test_corrupt_frames_are_refused(mutate, message):
    frame = encode_frame({"type": "frame"}, {"x": np.arange(4, dtype=np.float32)})
    with pytest.raises(ValueError, match=message):
        decode_frame(mutate(frame))
