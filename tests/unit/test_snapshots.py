"""Session snapshots: the stores (a directory and a real Redis behave alike), the snapshot format, its
expiry, the bounded write rate (on a ManualClock), and live models' state put back into fresh builds."""

import json

import pytest
import torch
from clock import ManualClock
from safetensors.torch import load, save

from app.engine import pretrained
from app.engine.catalog import CATALOG
from app.engine.live import state as live_state
from app.sessions.session import Session
from app.sessions.snapshot_store import DirectoryStore, RedisStore
from app.sessions.snapshots import META_KEY, Snapshot, SnapshotError, Snapshotter, capture, expired, parse

CPU = torch.device("cpu")


@pytest.fixture(params=["directory", "redis"])
def store(request, tmp_path):
    if request.param == "directory":
        return DirectoryStore(tmp_path / "sessions")
    server = request.getfixturevalue("redis_server")
    redis_store = RedisStore(server.url)
    for session_id in redis_store.ids():  # the module's server is shared
        redis_store.delete(session_id)
    return redis_store


def test_a_store_keeps_one_blob_per_session(store):
    assert store.ids() == []
    assert store.load("abc") is None
    store.save("abc", b"one")
    store.save("x-Y_2", b"two")
    store.save("abc", b"three")  # replaces
    assert store.ids() == ["abc", "x-Y_2"]
    assert (store.load("abc"), store.load("x-Y_2")) == (b"three", b"two")
    store.delete("abc")
    store.delete("never-saved")
    assert store.ids() == ["x-Y_2"]


@pytest.mark.parametrize("bad", ["../etc/passwd", "a/b", "", "a b", "x" * 65])
def test_a_store_refuses_what_is_not_a_session_id(store, bad):
    with pytest.raises(ValueError, match="not a session id"):
        store.save(bad, b"data")


def test_the_directory_store_renames_whole_files_and_ignores_leftovers(tmp_path):
    store = DirectoryStore(tmp_path / "sessions")
    store.save("abc", b"x" * 100_000)
    (tmp_path / "sessions" / ".abc.snapshot.1234.tmp").write_bytes(b"half")  # a crash mid-write
    (tmp_path / "sessions" / "notes.txt").write_bytes(b"")
    assert store.ids() == ["abc"]
    assert [p.name for p in (tmp_path / "sessions").iterdir() if p.name.startswith(".")] == [
        ".abc.snapshot.1234.tmp"
    ]  # its own temporary file is gone after the rename
    assert store.load("abc") == b"x" * 100_000


def live_session(model: str, clock=None) -> Session:
    spec = CATALOG[model]
    config = spec.validate_config({})
    controls = {p.name: p.default for p in spec.controls}
    return Session(
        session_id="s1",
        token="secret",
        spec=spec,
        config=config,
        controls=controls,
        seed=3,
        precision=spec.precision,
        live=spec.build(config, controls, 3, CPU),
        emit=lambda stream, payload: None,
        frame_interval=0.0,
        clock=clock or ManualClock(),
    )


def on_worker(session: Session, method, *args):
    return session.worker.submit(method, *args).result(timeout=30)


def test_a_snapshot_holds_the_session_and_never_its_token():
    session = live_session("backprop")
    on_worker(session, session.step_batches, 3)
    data = on_worker(session, capture, session, 1234.5)
    session.close()
    snapshot = parse(data)
    meta = snapshot.meta
    assert (meta["id"], meta["model"], meta["step"], meta["seed"], meta["saved_at"]) == (
        "s1",
        "backprop",
        3,
        3,
        1234.5,
    )
    assert meta["token_sha256"] == session.token_hash != "secret"
    assert b"secret" not in data
    assert [point[0] for point in meta["history"]["val"]] == [3]
    assert snapshot.tensors.keys() == set(load(data))


def test_truncated_corrupt_and_other_version_snapshots_are_refused():
    session = live_session("backprop")
    data = on_worker(session, capture, session, 0.0)
    session.close()
    for bad in (data[: len(data) // 2], data[:7], b"", b"\xff" * 64):
        with pytest.raises(SnapshotError, match="not a readable snapshot"):
            parse(bad)
    snapshot = parse(data)
    other = save(snapshot.tensors, metadata={META_KEY: json.dumps({**snapshot.meta, "version": 2})})
    with pytest.raises(SnapshotError, match="version 2"):
        parse(other)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("saved_at", "yesterday"),
        ("idle_s", None),
        ("step", 1.5),
        ("seed", True),
        ("id", ["s1"]),
        ("model", {"name": "backprop"}),
        ("controls", []),
        ("history", {"train": 3}),
        ("model_state", "x"),
        ("room_open", 1),
    ],
)
def test_snapshot_metadata_of_the_wrong_type_is_refused(field, value):
    session = live_session("backprop")
    data = on_worker(session, capture, session, 0.0)
    session.close()
    snapshot = parse(data)
    crafted = save(snapshot.tensors, metadata={META_KEY: json.dumps({**snapshot.meta, field: value})})
    with pytest.raises(SnapshotError, match=repr(field)):
        parse(crafted)
    missing = {k: v for k, v in snapshot.meta.items() if k != field}
    with pytest.raises(SnapshotError, match=repr(field)):
        parse(save(snapshot.tensors, metadata={META_KEY: json.dumps(missing)}))


def test_a_snapshot_expires_when_the_session_would_have_been_reaped():
    snapshot = Snapshot({"saved_at": 1000.0, "idle_s": 100.0}, {})
    assert not expired(snapshot, idle_limit_s=1800, wall=1000.0 + 1700)
    assert expired(snapshot, idle_limit_s=1800, wall=1000.0 + 1701)


def test_snapshots_are_written_when_the_session_changed_at_most_every_interval(tmp_path, run_async):
    clock = ManualClock()
    session = live_session("backprop", clock)
    store = DirectoryStore(tmp_path)
    snapshots = Snapshotter(store, interval_s=10.0, clock=clock, wall=lambda: 5.0)

    def written_step() -> int:
        return parse(store.load("s1")).meta["step"]

    run_async(snapshots.save_due([session]))  # a session never written is due at once
    assert written_step() == 0
    on_worker(session, session.step_batches, 2)
    clock.advance(3)
    assert not snapshots.due(session)  # changed, but written 3 s ago
    run_async(snapshots.save_due([session]))
    assert written_step() == 0
    clock.advance(7)
    assert snapshots.due(session)
    run_async(snapshots.save_due([session]))
    assert written_step() == 2
    clock.advance(60)
    assert not snapshots.due(session)  # unchanged: not written again, however long ago
    on_worker(session, session.step_batches, 1)
    assert snapshots.due(session)  # changed, and the last write is over 10 s old
    run_async(snapshots.save_due([session], force=False))
    assert written_step() == 3
    on_worker(session, session.step_batches, 1)
    run_async(snapshots.save_due([session], force=True))  # shutdown writes whatever the interval
    assert written_step() == 4
    session.close()


@pytest.mark.parametrize("model", ["lenet", "backprop", "optim", "learning", "seq2seq", "memory"])
def test_a_trained_model_continues_exactly_from_its_restored_state(model):
    """A fresh build given the captured state (through safetensors bytes, as stored) has the same
    weights, and its next training step gives the same weights as the original's (optimizer state,
    data order and random generators came along)."""
    spec = CATALOG[model]
    config = spec.validate_config({})
    controls = {p.name: p.default for p in spec.controls}
    original = spec.build(config, controls, 7, CPU)
    for _ in range(3):
        original.train_step()
    tensors, rest = live_state.capture(original)
    stored_tensors, stored_rest = load(save(tensors)), json.loads(json.dumps(rest))
    restored = spec.build(config, controls, 7, CPU)
    live_state.restore(restored, stored_tensors, stored_rest)

    def weights(live) -> dict[str, torch.Tensor]:
        return load(live.export_weights())

    assert_equal(weights(restored), weights(original))
    original.train_step()
    restored.train_step()
    assert_equal(weights(restored), weights(original))


def assert_equal(a: dict[str, torch.Tensor], b: dict[str, torch.Tensor]) -> None:
    assert a.keys() == b.keys()
    for name, tensor in a.items():
        torch.testing.assert_close(tensor, b[name], rtol=0, atol=0, msg=name)


@pytest.mark.skipif(
    not pretrained.pretrained_available(), reason=f"needs the extra: {pretrained.INSTALL_HINT}"
)
def test_a_transformer_snapshot_leaves_the_pretrained_weights_to_their_package():
    """The shared MiniLM's 91 MB are read again from its package, not copied into every session's
    snapshot; the restored session's sentences and frame are the original's."""
    spec = CATALOG["transformer"]
    config, controls = spec.validate_config({}), {p.name: p.default for p in spec.controls}
    original = spec.build(config, controls, 7, CPU)
    original.sentences = original._checked("The cat sat.", "A dog ran.")
    tensors, rest = live_state.capture(original)
    stored = save(tensors)
    assert len(stored) < 10_000
    restored = spec.build(config, controls, 7, CPU)
    restored.sentences = restored._checked("Something else entirely.", "")
    live_state.restore(restored, load(stored), json.loads(json.dumps(rest)))
    assert restored.sentences == original.sentences
    (_, before), (_, after) = original.frame(False, torch.float32), restored.frame(False, torch.float32)
    assert before.keys() == after.keys()
    for name, array in before.items():
        assert (array == after[name]).all(), name


def test_state_that_does_not_fit_the_fresh_build_is_refused():
    spec = CATALOG["lstm"]
    controls = {p.name: p.default for p in spec.controls}
    small = spec.build(spec.validate_config({"hidden": 6}), controls, 1, CPU)
    tensors, rest = live_state.capture(small)
    other = spec.build(spec.validate_config({"hidden": 8}), controls, 1, CPU)
    with pytest.raises(RuntimeError, match="size mismatch"):
        live_state.restore(other, tensors, rest)


def test_an_unreachable_store_reads_as_empty_with_a_log_line(run_async, caplog):
    class Unreachable:
        def load(self, session_id):
            raise ConnectionError("Redis is down")

        def ids(self):
            raise ConnectionError("Redis is down")

    snapshots = Snapshotter(Unreachable(), interval_s=1.0)  # type: ignore[arg-type]
    assert run_async(snapshots.ids()) == []
    assert run_async(snapshots.load("abc", idle_limit_s=60)) is None
    assert "snapshot of session abc unavailable: ConnectionError: Redis is down" in caplog.text
