"""Two real server processes on one real Redis: a session created on A is found, watched and driven
through B; with Redis killed each keeps serving its own viewers; with Redis back B's viewer gets frames
again; when A dies, B adopts A's session from its snapshot."""

import signal
from collections.abc import Iterator

import httpx
import numpy as np
import pytest
from cluster_workers import Worker, running_workers
from polling import wait_until
from redis_server import RedisServer

from api.helpers import (
    WAIT_S,
    Frame,
    Socket,
    claim_lecture,
    create_session,
    enter_lecture,
    fetch_weights,
    invite_presenter,
    revoke_invite,
    weights_equal,
)
from api.restarts import assert_restored, trained_session
from app.cluster.registry import LEASE_S
from app.protocol import encode_frame
from app.sessions.snapshot_store import DirectoryStore
from app.sessions.snapshots import parse


@pytest.fixture
def workers(redis_server: RedisServer) -> Iterator[list[Worker]]:
    with running_workers(redis_server.url) as pair:
        yield pair


def _frame_after(socket: Socket, step: int) -> Frame:
    return socket.wait("frame", where=lambda f: f["step"] > step)


def test_a_session_on_a_is_found_watched_and_driven_through_b(workers, redis_server: RedisServer):
    a, b = workers
    session = create_session(a.base)
    info = httpx.get(f"{b.base}/api/sessions/{session['id']}", timeout=WAIT_S)
    assert info.status_code == 200, info.text
    assert info.json()["id"] == session["id"]
    assert info.json()["model"] == "lenet"
    missing = httpx.get(f"{b.base}/api/sessions/nope", timeout=WAIT_S)
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "not_found"

    viewer_a, viewer_b = Socket(a.base, session["id"]), Socket(b.base, session["id"])
    hello = viewer_b.wait("hello")
    assert hello["session"]["id"] == session["id"]
    assert hello["session"]["model"] == "lenet"
    refused = viewer_b.call("train")  # a viewer's command, answered by A with its code and id
    assert refused["type"] == "error"
    assert refused["code"] == "forbidden"

    presenter = Socket(b.base, session["id"])
    presenter.auth(session["token"])  # the token checked on A, the ok sent back through B
    presenter.ok("step", count=1)
    on_b, on_a = _frame_after(viewer_b, 0), _frame_after(viewer_a, 0)
    assert on_b["step"] == on_a["step"] == 1
    assert on_b.raw == on_a.raw  # the same frame bytes, through Redis
    assert weights_equal(fetch_weights(a.base, session["id"]), fetch_weights(b.base, session["id"]))

    presenter.ok("train")
    viewer_b.wait("state", state="training")
    seen = _frame_after(viewer_b, 1)["step"]
    assert _frame_after(viewer_b, seen)["step"] > seen  # training on A streams to B's viewer

    # Redis away: A keeps feeding its own viewer; B keeps serving a session of its own.
    redis_server.stop()
    step_a = _frame_after(viewer_a, seen)["step"]
    assert _frame_after(viewer_a, step_a)["step"] > step_a
    assert b.healthy()
    own = create_session(b.base)
    own_viewer, own_driver = Socket(b.base, own["id"]), Socket(b.base, own["id"])
    own_driver.auth(own["token"])
    own_driver.ok("step", count=1)
    assert _frame_after(own_viewer, 0)["step"] == 1

    # Redis back: B's viewer of A's session gets frames again.
    redis_server.start()
    latest = _frame_after(viewer_a, step_a)["step"]
    assert _frame_after(viewer_b, latest)["step"] > latest
    for socket in (viewer_a, viewer_b, presenter, own_viewer, own_driver):
        socket.close()


@pytest.mark.parametrize("driven_through", ["owner", "other"])
def test_an_sdk_driver_gets_none_of_its_frames_back_on_either_worker(workers, driven_through: str):
    """A run on A driven from a connection on A or on B: every viewer, on either worker, gets the driver's
    frames (the tensors as sent); the driver gets none of them back."""
    a, b = workers
    response = httpx.post(f"{a.base}/api/runs/two-workers-{driven_through}", timeout=WAIT_S)
    assert response.status_code == 201, response.text
    run = response.json()
    driver = Socket((a if driven_through == "owner" else b).base, run["id"])
    driver.auth(run["token"])
    viewer_a, viewer_b = Socket(a.base, run["id"]), Socket(b.base, run["id"])
    for viewer in (viewer_a, viewer_b):
        viewer.wait("hello")
    tensor = np.arange(6, dtype=np.float32).reshape(2, 3)
    for step in (1, 2, 3):
        driver.send(encode_frame({"step": step, "scalars": {"loss": 1.0 / step}}, {"t": tensor * step}))
    for viewer in (viewer_a, viewer_b):
        frame = viewer.wait("frame", step=3)
        assert frame["scalars"] == {"loss": 1.0 / 3}
        np.testing.assert_array_equal(frame.tensors["t"], tensor * 3)
    # The driver's worker offered frame 3 to its room before any viewer there read it; the pong, sent
    # after, comes through the driver's queue behind any frame it was given.
    driver.assert_alive()
    assert not [m for m in driver.unread if isinstance(m, Frame) and m["step"] > 0]  # (0: the run's opening)
    for socket in (driver, viewer_a, viewer_b):
        socket.close()


def test_a_burst_of_messages_through_b_reaches_the_owner_and_is_answered_whole(workers):
    """Messages between workers are not snapshots: the owner's inbox and the connection's answer channel
    keep every one a burst brings (they kept the newest 8 unread, so a client on B that sent many at once
    lost most of them, and a burst of viewers joining or leaving B lost their ``open`` and ``close``)."""
    a, b = workers
    session = create_session(a.base)
    client = Socket(b.base, session["id"])
    client.wait("hello")
    burst = [client.request("ping") for _ in range(60)]  # (a client may have 64 replies unread)
    assert [client.wait_reply(i)["type"] for i in burst] == ["pong"] * len(burst)
    client.close()


def test_a_message_too_long_for_the_owner_is_refused_by_b_and_the_connection_goes_on(workers):
    a, b = workers
    session = create_session(a.base)
    client = Socket(b.base, session["id"])
    client.wait("hello")
    client.send("x" * (256 * 1024 + 1))  # over the default max_message_bytes (and never sent to A)
    client.send(bytes(4 * 1024 * 1024 + 1))  # over the default max_frame_bytes
    text, frame = client.wait("error"), client.wait("error")
    assert (text["code"], text["id"]) == ("limit", None)
    assert "262145 characters exceeds the limit of 262144" in text["message"]
    assert (frame["code"], frame["field"]) == ("limit", "frame")
    assert client.call("ping")["type"] == "pong"  # answered by A as before
    client.close()


def test_the_per_client_limit_holds_across_workers(redis_server: RedisServer):
    a, b = Worker(redis_server.url, NNLIVE_MAX_SESSIONS_PER_CLIENT="1"), None
    try:
        b = Worker(redis_server.url, NNLIVE_MAX_SESSIONS_PER_CLIENT="1")
        first = create_session(a.base)
        watcher = Socket(a.base, first["id"])
        watcher.wait("hello")  # watched: not evicted to make room
        refused = httpx.post(f"{b.base}/api/sessions", json={"model": "lenet"}, timeout=WAIT_S)
        assert refused.status_code == 429
        assert refused.json()["error"]["code"] == "limit"
        assert "1 sessions from your address" in refused.json()["error"]["message"]
        watcher.close()
    finally:
        for worker in (a, b):
            if worker is not None:
                worker.stop()


def test_serve_with_two_workers_answers_every_session_on_one_port(redis_server: RedisServer):
    server = Worker(redis_server.url, extra=("--workers", "2"))
    try:
        sessions = [create_session(server.base) for _ in range(4)]
        for session in sessions * 2:  # each request lands on either worker
            info = httpx.get(f"{server.base}/api/sessions/{session['id']}", timeout=WAIT_S)
            assert info.status_code == 200, info.text
            assert info.json()["id"] == session["id"]
        viewer, driver = Socket(server.base, sessions[0]["id"]), Socket(server.base, sessions[0]["id"])
        driver.auth(sessions[0]["token"])
        driver.ok("step", count=1)
        assert _frame_after(viewer, 0)["step"] == 1
        viewer.close()
        driver.close()
    finally:
        server.stop()


def test_closing_the_room_on_a_dismisses_and_refuses_viewers_on_b(workers):
    a, b = workers
    session = create_session(a.base)
    driver, viewer = Socket(a.base, session["id"]), Socket(b.base, session["id"])
    driver.auth(session["token"])
    viewer.wait("hello")
    driver.ok("room", open=False)
    assert viewer.wait("closed") == {"type": "closed", "reason": "room_closed"}
    assert viewer.close_code() == 4410

    late = Socket(b.base, session["id"])
    late.send({"type": "ping", "id": 1})
    assert late.wait("closed")["reason"] == "room_closed"
    assert late.close_code() == 4410

    returning = Socket(b.base, session["id"])  # a presenter's page: auth is its first message
    assert returning.ok("auth", token=session["token"])["role"] == "presenter"
    assert returning.wait("hello")["session"]["id"] == session["id"]
    # its state: the worker's snapshot from before the auth, then the owner's after it
    assert returning.wait("state", room="closed", where=lambda s: s["presenters"] == [1, 2])
    for socket in (driver, viewer, late, returning):
        socket.close()


def test_a_lecture_room_on_a_is_entered_claimed_and_taken_over_through_b(workers):
    a, b = workers
    first = create_session(a.base)
    room, key = first["lecture"], first["lecture_key"]
    landed = enter_lecture(b.base, room, "?layer=c3")
    assert (landed.status_code, landed.headers["location"]) == (303, f"/lenet?session={first['id']}&layer=c3")
    assert claim_lecture(b.base, room, "nope").status_code == 403
    assert claim_lecture(b.base, room, key).json()["token"] == first["token"]
    invited = invite_presenter(b.base, room, key).json()  # made, claimed and revoked through B as well
    assert claim_lecture(b.base, room, invited["key"]).json()["token"] == first["token"]
    assert revoke_invite(b.base, room, invited["invite"], key).status_code == 204
    assert claim_lecture(b.base, room, invited["key"]).status_code == 403

    second = create_session(b.base, config={"activation": "relu"}, lecture=room, lecture_key=key)
    assert (second["lecture"], second["lecture_key"]) == (room, key)  # made on A, the room's worker
    for base in (a.base, b.base):
        assert enter_lecture(base, room).headers["location"] == f"/lenet?session={second['id']}"
    unknown = enter_lecture(b.base, "nope")
    assert (unknown.status_code, unknown.json()["error"]["code"]) == (404, "not_found")


def test_a_dead_workers_session_is_adopted_by_the_other_from_its_snapshot(redis_server, tmp_path):
    shared = {"NNLIVE_DATA_DIR": str(tmp_path / "data"), "NNLIVE_SNAPSHOT_INTERVAL_S": "0.2"}
    a, b = Worker(redis_server.url, **shared), Worker(redis_server.url, **shared)
    try:
        session, hello, weights = trained_session(a.base)
        store = DirectoryStore(tmp_path / "data" / "sessions")
        wait_until(
            lambda: (data := store.load(session["id"])) is not None and parse(data).meta["step"] == 7,
            "no snapshot of step 7 was written",
        )
        a.process.send_signal(signal.SIGKILL)
        a.process.wait(WAIT_S)

        # A's lease lapses (15 s), then B's next look for orphans (at most 15 s more) adopts the session.
        # Until A's own lease lapses, B still forwards to A's inbox and waits for an answer that never comes.
        def adopted() -> bool:
            try:
                reply = httpx.get(f"{b.base}/api/sessions/{session['id']}", timeout=5)
            except httpx.TimeoutException:
                return False
            return reply.status_code == 200

        wait_until(adopted, "B did not adopt the dead worker's session", wait_s=5 * LEASE_S)
        assert_restored(b.base, session, hello, weights)
    finally:
        for worker in (a, b):
            if worker.process.poll() is None:
                worker.stop()


def test_sessions_adopted_from_a_dead_worker_count_toward_their_client_s_shared_limit(redis_server, tmp_path):
    shared = {
        "NNLIVE_DATA_DIR": str(tmp_path / "data"),
        "NNLIVE_SNAPSHOT_INTERVAL_S": "0.2",
        "NNLIVE_MAX_SESSIONS_PER_CLIENT": "2",
    }
    a, b = Worker(redis_server.url, **shared), Worker(redis_server.url, **shared)
    sockets: list[Socket] = []
    try:
        first, second = create_session(a.base), create_session(a.base)
        store = DirectoryStore(tmp_path / "data" / "sessions")
        wait_until(lambda: all(store.load(s["id"]) for s in (first, second)), "no snapshots were written")
        a.process.send_signal(signal.SIGKILL)
        a.process.wait(WAIT_S)

        def adopted(session: dict) -> bool:
            try:
                reply = httpx.get(f"{b.base}/api/sessions/{session['id']}", timeout=5)
            except httpx.TimeoutException:  # B still forwards to the dead A until A's lease lapses
                return False
            return reply.status_code == 200

        wait_until(lambda: adopted(first) and adopted(second), "B did not adopt both", wait_s=5 * LEASE_S)
        for session in (first, second):  # their pages came back: both are needed
            sockets.append(Socket(b.base, session["id"]))
            sockets[-1].wait("hello")
        refused = httpx.post(f"{b.base}/api/sessions", json={"model": "lenet"}, timeout=WAIT_S)
        assert refused.status_code == 429, refused.text
        assert "2 sessions from your address are in use" in refused.json()["error"]["message"]
        assert adopted(first)  # refused, and nothing ended
        assert adopted(second)
    finally:
        for socket in sockets:
            socket.close()
        for worker in (a, b):
            if worker.process.poll() is None:
                worker.stop()
