"""Issue 14: sessions survive a restart. A LeNet trained in one server process comes back in the next
one (same id, token, step, weights and curves, paused) whether the first stopped with SIGTERM (a snapshot
on shutdown) or was killed with SIGKILL (the latest periodic snapshot); unreadable snapshots are skipped."""

import json
import signal
from pathlib import Path

import httpx
import pytest
from polling import wait_until
from safetensors.torch import save

from api.helpers import WAIT_S, Socket
from api.restarts import assert_restored, trained_session
from api.server_process import start_server, stop_server
from app.sessions.snapshot_store import DirectoryStore
from app.sessions.snapshots import META_KEY, parse


@pytest.fixture
def servers(tmp_path: Path):
    """Start servers on one data directory (each with its stderr in ``tmp_path/server.log``); all are
    killed at the end."""
    started = []
    env = {"NNLIVE_DATA_DIR": str(tmp_path / "data"), "NNLIVE_SNAPSHOT_INTERVAL_S": "0.2"}

    def start():
        base, process = start_server(env, tmp_path / "server.log")
        started.append(process)
        return base, process

    yield start
    for process in started:
        stop_server(process)


def store_of(tmp_path: Path) -> DirectoryStore:
    return DirectoryStore(tmp_path / "data" / "sessions")


def test_a_session_survives_sigterm(servers, tmp_path):
    base, process = servers()
    session, hello, weights = trained_session(base)
    watcher = Socket(base, session["id"])
    watcher.wait("hello")
    process.send_signal(signal.SIGTERM)
    assert watcher.close_code() == 1012  # "service restart": the page reconnects
    assert process.wait(WAIT_S) is not None
    assert store_of(tmp_path).ids() == [session["id"]]
    data = store_of(tmp_path).load(session["id"])
    assert parse(data).meta["lecture"]["room"] == session["lecture"]  # with its key's hash only
    assert session["lecture_key"].encode() not in data
    assert session["token"].encode() not in data
    base, _ = servers()
    assert_restored(base, session, hello, weights)


def test_a_session_survives_sigkill_after_a_snapshot(servers, tmp_path):
    base, process = servers()
    session, hello, weights = trained_session(base)
    store = store_of(tmp_path)

    def snapshot_step() -> bool:
        data = store.load(session["id"])
        return data is not None and parse(data).meta["step"] == 7

    wait_until(snapshot_step, "no snapshot of step 7 was written")
    process.send_signal(signal.SIGKILL)
    process.wait(WAIT_S)
    base, _ = servers()
    assert_restored(base, session, hello, weights)


def test_unreadable_snapshots_are_skipped_with_a_log_line(servers, tmp_path):
    base, process = servers()
    session, hello, weights = trained_session(base)
    process.send_signal(signal.SIGTERM)
    process.wait(WAIT_S)
    store = store_of(tmp_path)
    good = store.load(session["id"])
    store.save("truncated", good[: len(good) // 2])
    store.save("garbage", b"\x00not a snapshot at all")
    other = parse(good)
    other.meta["version"] = 99

    store.save("future", save(other.tensors, metadata={META_KEY: json.dumps({**other.meta, "id": "future"})}))
    crafted = {**other.meta, "version": 1, "id": "crafted", "saved_at": "now"}
    store.save("crafted", save(other.tensors, metadata={META_KEY: json.dumps(crafted)}))
    controls = {**other.meta, "version": 1, "id": "controls", "controls": {"lr": "fast"}}
    store.save("controls", save(other.tensors, metadata={META_KEY: json.dumps(controls)}))
    base, _ = servers()
    assert_restored(base, session, hello, weights)
    log = (tmp_path / "server.log").read_text()
    for name in ("truncated", "garbage"):
        assert f"snapshot of session {name} skipped: not a readable snapshot" in log
    assert "snapshot of session future skipped: snapshot format version 99" in log
    assert "snapshot of session crafted skipped: field 'saved_at' is missing or not of type" in log
    assert "snapshot of session controls skipped: it does not restore (ParamError" in log
    assert httpx.get(f"{base}/api/sessions/garbage", timeout=WAIT_S).status_code == 404
