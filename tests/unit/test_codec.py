"""The frame codec against the golden frames, v2 and v1 (the JS decoder reads the same files)."""

import json
import struct
from pathlib import Path

import numpy as np
import pytest

from app.protocol import decode_frame, encode_frame
from app.protocol.codec import reheader, restamp, split_frame

GOLDEN = Path(__file__).parent.parent / "golden"
FOLDERS = {2: GOLDEN, 1: GOLDEN / "v1"}
NAMES = sorted(p.stem for p in GOLDEN.glob("*.bin"))
CASES = [(version, name) for version in FOLDERS for name in NAMES]


def _expected(name: str, version: int = 2) -> dict:
    return json.loads((FOLDERS[version] / f"{name}.json").read_text())


def _arrays(expected: dict) -> dict[str, np.ndarray]:
    return {
        k: np.array(v["values"], dtype=v["dtype"]).reshape(v["shape"]) for k, v in expected["tensors"].items()
    }


def test_golden_frames_exist():
    assert {"mixed", "empty"} <= set(NAMES)
    assert all((FOLDERS[1] / f"{name}.bin").exists() for name in NAMES)


@pytest.mark.parametrize(("version", "name"), CASES)
def test_decode_golden(version, name):
    expected = _expected(name, version)
    header, tensors = decode_frame((FOLDERS[version] / f"{name}.bin").read_bytes(), version)
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
    base = (4 + head_len + 7) // 8 * 8  # v2: offsets count from the buffer section, 8-aligned
    assert header["tensors"][0]["offset"] == 0
    assert message[4 + head_len : base].strip(b"\0") == b""
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


def test_a_v1_frame_read_as_v2_is_refused_or_misplaced():
    """The version matters: v1 offsets count from the message, so read as v2 they run past the end."""
    v1 = (FOLDERS[1] / "mixed.bin").read_bytes()
    with pytest.raises(ValueError, match="does not fit"):
        decode_frame(v1, 2)


def test_reheader_keeps_the_buffer_bytes():
    frame = encode_frame({"type": "frame", "seq": 1}, {"x": np.arange(5, dtype=np.float32)})
    parts = split_frame(frame)
    swapped = reheader({"type": "frame", "seq": 12345, "session": "a-longer-id"}, parts)
    assert split_frame(swapped).buffers.tobytes() == parts.buffers.tobytes()
    header, tensors = decode_frame(swapped)
    assert (header["seq"], header["session"]) == (12345, "a-longer-id")
    np.testing.assert_array_equal(tensors["x"].array, np.arange(5))


@pytest.mark.parametrize(
    "head",
    [b'{"step": 3, "note": "\\u00e9t\\u00e9 \xc3\xa9"}\n ', b"{ }", b'{"a":{"b":[1,{}]}}'],
    ids=["spaces-and-utf8", "empty", "nested"],
)
def test_restamp_appends_the_fields_to_the_header_text(head):
    buffers = np.arange(6, dtype=np.float32).tobytes()
    frame = struct.pack("<I", len(head)) + head + bytes(-(4 + len(head)) % 8) + buffers
    parts = split_frame(frame)
    stamped = restamp(parts, head, {"type": "frame", "session": "s-1", "seq": 7})
    text = stamped[4 : 4 + int.from_bytes(stamped[:4], "little")]
    assert text.startswith(head.rstrip()[:-1].rstrip())  # the driver's own text, not written again
    assert json.loads(text) == {**json.loads(head), "type": "frame", "session": "s-1", "seq": 7}
    assert split_frame(stamped).buffers.tobytes() == buffers


def test_restamp_writes_the_header_again_when_a_field_is_already_there():
    frame = encode_frame({"step": 1, "seq": 99, "session": "forged"}, {"x": np.ones(3, np.float32)})
    parts = split_frame(frame)
    head = frame[4 : 4 + int.from_bytes(frame[:4], "little")]
    fields = {"type": "frame", "session": "s-1", "seq": 7}
    stamped = restamp(parts, head, fields)
    assert stamped == reheader({**parts.header, **fields}, parts)
    assert (decode_frame(stamped)[0]["seq"], decode_frame(stamped)[0]["session"]) == (7, "s-1")
