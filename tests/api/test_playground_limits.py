"""Safety for a public server: per-client and per-session limits, idle expiry, Origin, headers."""

import httpx
import pytest
from fastapi.testclient import TestClient
from polling import wait_until
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect

from api.helpers import WAIT_S, Socket, create_session
from app.config import Settings
from app.factory import create_app
from app.realtime.origin import origin_allowed


@pytest.fixture
def settings() -> Settings:
    """A small server: 2 sessions per client, 2 viewers per session."""
    return Settings(device="cpu", torch_threads=1, max_sessions_per_client=2, max_viewers=2)


def test_a_client_over_its_session_limit_gets_429_with_retry_after(live_server: str):
    first = create_session(live_server)
    create_session(live_server)
    refused = httpx.post(f"{live_server}/api/sessions", json={"model": "lenet"}, timeout=WAIT_S)
    assert refused.status_code == 429
    assert refused.json()["error"]["code"] == "limit"
    assert int(refused.headers["retry-after"]) > 0
    headers = {"Authorization": f"Bearer {first['token']}"}
    assert (
        httpx.delete(f"{live_server}/api/sessions/{first['id']}", headers=headers, timeout=WAIT_S).status_code
        == 204
    )
    create_session(live_server)  # ending one frees the place


def test_a_viewer_over_the_limit_is_told_and_the_others_carry_on(
    live_server: str, session: dict, open_socket
):
    watchers = [open_socket(session) for _ in range(2)]
    for watcher in watchers:
        watcher.wait("frame")
    third = Socket(live_server, session["id"])
    try:
        error = third.read()
        assert (error["type"], error["code"]) == ("error", "limit")
        assert third.close_code() == 1013
    finally:
        third.close()
    watchers[0].assert_alive()


@pytest.mark.parametrize("origin", ["https://elsewhere.example", "http://127.0.0.1:1"])
def test_a_page_from_another_origin_cannot_open_the_socket(live_server: str, session: dict, origin: str):
    url = live_server.replace("http", "ws") + f"/ws/sessions/{session['id']}"
    with pytest.raises(InvalidStatus) as refused:
        connect(url, origin=origin, open_timeout=WAIT_S)
    assert refused.value.response.status_code == 403
    with connect(url, origin=live_server, open_timeout=WAIT_S) as same_origin:
        assert '"hello"' in same_origin.recv(timeout=WAIT_S)


def test_origin_rules():
    assert origin_allowed(None, "a.example:8000", [])
    assert origin_allowed("http://a.example:8000", "a.example:8000", [])
    assert not origin_allowed("http://a.example:8001", "a.example:8000", [])
    assert origin_allowed("https://course.example/", "a.example", ["https://course.example"])
    assert origin_allowed("https://anyone.example", "a.example", ["*"])


def test_responses_carry_security_headers(live_server: str):
    response = httpx.get(f"{live_server}/healthz", timeout=WAIT_S)
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "same-origin"


def test_an_idle_session_is_ended_and_its_memory_freed():

    settings = Settings(device="cpu", torch_threads=1, session_idle_s=0.2)
    with TestClient(create_app(settings)) as client:
        info = client.post("/api/sessions", json={"model": "lenet"}).json()
        manager = client.app.state.sessions
        session = manager.get(info["id"])
        worker_thread = session.worker._thread
        wait_until(lambda: not len(manager), "the idle session was not reaped")
        assert client.get(f"/api/sessions/{info['id']}").status_code == 404
        assert client.get("/healthz").json()["sessions"] == 0
        worker_thread.join(WAIT_S)
        assert not worker_thread.is_alive()
