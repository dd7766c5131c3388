"""The relay of an SDK frame: the header is swapped, the tensor bytes pass through and are never read."""

import json
import struct

import numpy as np
import pytest
import torch
from clock import ManualClock

from app.engine.live.external import INSPECT
from app.errors import BadRequest, LimitReached
from app.protocol import decode_frame, encode_frame
from app.protocol.codec import split_frame
from app.realtime.relay import relay_frame
from app.sessions.session import Session


def inspect_session(published: list, clock: ManualClock | None = None) -> Session:
    return Session(
        session_id="run-1",
        token="t",
        spec=INSPECT,
        config={},
        controls={},
        seed=0,
        precision="float16",
        live=INSPECT.build({}, {}, 0, torch.device("cpu")),
        emit=lambda stream, payload: published.append((stream, payload)),
        frame_interval=0.0,
        clock=clock or ManualClock(),
    )


def test_the_relay_swaps_the_header_and_passes_the_tensor_bytes_through(monkeypatch):
    arrays = {
        "conv1.out": np.linspace(-3, 3, 24, dtype=np.float32).reshape(2, 3, 4),
        "half": np.array([np.nan, -0.0, 65504], np.float16),
        "ids": np.array([7, -1], np.int32),
    }
    sent = encode_frame({"step": 4, "seq": 99, "session": "forged", "scalars": {"loss": 0.5}}, arrays)
    published: list = []
    session = inspect_session(published)

    def never(*args, **kwargs):
        raise AssertionError("the relay read a tensor")

    monkeypatch.setattr(np, "frombuffer", never)  # the codec's only way to read a tensor
    relay_frame(session, True, sent, 1 << 20)
    monkeypatch.undo()

    [(stream, relayed)] = published
    assert stream == "frame"
    assert split_frame(relayed).buffers.tobytes() == split_frame(sent).buffers.tobytes()
    assert relayed.endswith(split_frame(sent).buffers.tobytes())
    header, tensors = decode_frame(relayed)
    assert (header["type"], header["session"], header["seq"], header["step"]) == ("frame", "run-1", 1, 4)
    assert header["scalars"] == {"loss": 0.5}
    for name, array in arrays.items():
        np.testing.assert_array_equal(tensors[name].array, array)
    assert session.last_frame == relayed
    session.close()


def test_the_relay_parses_the_header_once(monkeypatch):
    sent = encode_frame({"step": 1}, {"w": np.ones((2, 2), np.float32)})
    parsed: list = []
    decode = json.JSONDecoder.decode  # every JSON parse: json.loads's and bounds.loads's kept decoders
    monkeypatch.setattr(json.JSONDecoder, "decode", lambda *args: parsed.append(args) or decode(*args))
    published: list = []
    session = inspect_session(published)
    relay_frame(session, True, sent, 1 << 20)
    monkeypatch.undo()
    assert (len(parsed), len(published)) == (1, 1)
    session.close()


@pytest.mark.parametrize("offset", [4, 8])  # not 8-aligned; past the buffers
def test_a_table_that_does_not_fit_the_buffers_is_refused(offset):
    frame = raw_frame({"step": 1, "tensors": [{"name": "a", **ENTRY, "offset": offset}]}, bytes(8))
    session = inspect_session([])
    with pytest.raises(BadRequest, match="does not fit the frame"):
        relay_frame(session, True, frame, 1 << 20)
    session.close()


def test_the_frame_byte_rate_runs_on_the_session_clock():
    frame = encode_frame({"step": 1}, {"w": np.ones(256, np.float32)})
    clock, published = ManualClock(), []
    session = inspect_session(published, clock)
    size = len(frame)
    for _ in range(2):  # a burst of two seconds' worth
        relay_frame(session, True, frame, size, bytes_per_s=size)
    with pytest.raises(LimitReached, match="bytes a second"):
        relay_frame(session, True, frame, size, bytes_per_s=size)
    clock.advance(1.0)
    relay_frame(session, True, frame, size, bytes_per_s=size)
    assert len(published) == 3
    session.close()


def raw_frame(header: dict, buffers: bytes) -> bytes:
    """A v2 frame laid out by hand, so its table may say anything."""
    head = json.dumps(header).encode()
    return struct.pack("<I", len(head)) + head + bytes(-(4 + len(head)) % 8) + buffers


ENTRY = {"dtype": "float32", "shape": [1], "offset": 0, "nbytes": 4}


@pytest.mark.parametrize("names", [["a", "a"], [3]])
def test_tensor_names_must_be_different_strings(names):
    frame = raw_frame({"step": 1, "tensors": [{"name": n, **ENTRY} for n in names]}, bytes(8))
    published: list = []
    session = inspect_session(published)
    with pytest.raises(BadRequest, match=r"different strings|an object with a name"):
        relay_frame(session, True, frame, 1 << 20)
    assert not published
    session.close()


def test_a_driver_header_goes_out_as_sent_with_the_session_fields_appended():
    header = {"step": 5, "scalars": {"loss": 0.25}, "modules": ["fc"]}
    sent = encode_frame(header, {"w": np.ones(4, np.float16)})
    published: list = []
    session = inspect_session(published)
    relay_frame(session, True, sent, 1 << 20)
    relay_frame(session, True, sent, 1 << 20)
    [(_, first), (_, second)] = published
    head = sent[4 : 4 + int.from_bytes(sent[:4], "little")]
    for seq, relayed in ((1, first), (2, second)):
        text = relayed[4 : 4 + int.from_bytes(relayed[:4], "little")]
        assert text == head[:-1] + b',"type":"frame","session":"run-1","seq":' + str(seq).encode() + b"}"
        assert split_frame(relayed).buffers.tobytes() == split_frame(sent).buffers.tobytes()
    session.close()


def test_a_header_that_is_not_utf8_is_refused():
    head = json.dumps({"step": 1}).encode("utf-16")  # json.loads would read it: pages could not
    frame = struct.pack("<I", len(head)) + head + bytes(-(4 + len(head)) % 8)
    published: list = []
    session = inspect_session(published)
    with pytest.raises(BadRequest, match="not UTF-8"):
        relay_frame(session, True, frame, 1 << 20)
    assert not published
    session.close()
