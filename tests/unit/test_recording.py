"""The recording file format (docs/protocol.md): the golden recording, round trips, damaged files."""

from pathlib import Path

import pytest

from app.protocol import decode_frame
from app.protocol.recording import Record, read_recording, write_recording

GOLDEN = Path(__file__).parent.parent / "golden"


@pytest.mark.parametrize(("folder", "version"), [(GOLDEN, 2), (GOLDEN / "v1", 1)])
def test_golden_recording_holds_the_golden_frames_in_order(folder, version):
    meta, records = read_recording((folder / "recording.nnrec").read_bytes())
    assert meta["page"] == "/lenet"
    assert [(r.t, r.kind) for r in records] == [
        (0.0, "text"),
        (12.5, "frame"),
        (40.25, "text"),
        (1000.0, "frame"),
    ]
    assert records[1].data == (folder / "mixed.bin").read_bytes()
    assert records[3].data == (folder / "empty.bin").read_bytes()
    assert {r.protocol for r in records} == {version}
    header, tensors = decode_frame(records[1].data, records[1].protocol)
    assert header["seq"] == 3
    assert tensors["labels"].array.tolist() == [[-7, 0], [42, 2**31 - 1]]
    assert records[2].data.decode() == '{"type":"view","state":{"cell":"7","label":"ü"}}'


def test_round_trip_keeps_bytes_times_and_meta():
    records = [Record(0.0, "frame", bytes(range(13))), Record(3.5, "text", b"{}"), Record(7.0, "frame", b"")]
    meta, back = read_recording(write_recording({"page": "/conv", "n": 1}, records))
    assert meta == {"page": "/conv", "n": 1}
    assert back == records


@pytest.mark.parametrize(
    ("data", "message"),
    [(b"PNG\x00" * 4, "not an nnlive recording"), (b"NNLREC\x03\x00\x00\x00\x00\x00", "version 3")],
)
def test_foreign_files_are_refused(data: bytes, message: str):
    with pytest.raises(ValueError, match=message):
        read_recording(data)


def test_a_cut_recording_is_refused():
    data = write_recording({}, [Record(0.0, "frame", bytes(40))])
    with pytest.raises(ValueError, match="cut short"):
        read_recording(data[:-16])
