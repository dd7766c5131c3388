"""NNLIVE_MAX_TRAINING for a whole deployment: two real server processes on one real Redis share one
training slot; a session on B waits for A's, and a dead worker's slot frees when its lease lapses. The
admin view of either worker lists and ends every worker's sessions."""

import signal
from collections.abc import Iterator

import httpx
import pytest
from cluster_workers import Worker, running_workers
from redis_server import RedisServer

from api.helpers import WAIT_S, Socket, create_session
from app.cluster.registry import LEASE_S

ADMIN_TOKEN = "admin-token-for-tests"
ADMIN = {"Authorization": f"Bearer {ADMIN_TOKEN}"}


@pytest.fixture
def workers(redis_server: RedisServer) -> Iterator[list[Worker]]:
    settings = {"NNLIVE_MAX_TRAINING": "1", "NNLIVE_ADMIN_TOKEN": ADMIN_TOKEN}
    with running_workers(redis_server.url, **settings) as pair:
        yield pair


def _driver(base: str, session: dict) -> Socket:
    socket = Socket(base, session["id"])
    socket.auth(session["token"])
    return socket


def test_one_slot_is_shared_by_both_workers_and_a_dead_workers_slot_frees(workers):
    a, b = workers
    on_a, on_b = create_session(a.base), create_session(b.base)
    driver_a, driver_b = _driver(a.base, on_a), _driver(b.base, on_b)

    driver_a.ok("train")
    driver_a.wait("state", state="training")
    driver_b.ok("train")
    assert driver_b.wait("state", state="queued")["place"] == 1  # A's session holds the only slot
    _assert_admin_lists(b.base, {on_a["id"]: "training", on_b["id"]: "queued"})

    driver_a.ok("pause")
    driver_a.wait("state", state="paused")
    driver_b.wait("state", state="training")  # the slot freed on A reaches B's session
    assert driver_b.wait("frame", where=lambda f: f["step"] > 0)["step"] > 0  # it really trains
    driver_a.ok("train")
    assert driver_a.wait("state", state="queued")["place"] == 1

    _assert_admin_ends_a_session_elsewhere(a.base, b.base)

    b.process.send_signal(signal.SIGKILL)  # B dies holding the slot: it frees when B's lease lapses
    b.process.wait(WAIT_S)
    driver_a.wait("state", state="training", wait_s=2 * LEASE_S)
    stepped = driver_a.wait("frame", where=lambda f: f["step"] > 0)
    assert stepped["step"] > 0
    driver_a.close()


def _assert_admin_lists(base: str, states: dict[str, str]) -> None:
    """The admin listing of one worker holds every worker's sessions, and the deployment's queue."""
    listing = httpx.get(f"{base}/api/admin/sessions", headers=ADMIN, timeout=WAIT_S).json()
    assert {row["id"]: row["state"] for row in listing["sessions"]} == states
    assert len({row["worker"] for row in listing["sessions"]}) == 2
    assert listing["totals"]["workers"] == 2
    assert listing["totals"]["sessions"] == 2
    assert listing["totals"]["queue"] == {"training": 1, "queued": 1, "slots": 1}
    assert all(row["memory_bytes"] > 0 for row in listing["sessions"])  # measured by each owner


def _assert_admin_ends_a_session_elsewhere(admin_base: str, owner_base: str) -> None:
    """Ending a session through another worker's admin view ends it on its owner."""
    session = create_session(owner_base)
    url = f"{admin_base}/api/admin/sessions/{session['id']}"
    assert httpx.delete(url, headers=ADMIN, timeout=WAIT_S).status_code == 204
    gone = httpx.get(f"{owner_base}/api/sessions/{session['id']}", timeout=WAIT_S)
    assert gone.status_code == 404
    again = httpx.delete(url, headers=ADMIN, timeout=WAIT_S)
    assert again.status_code == 404
    assert again.json()["error"]["code"] == "not_found"
