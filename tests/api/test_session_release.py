"""Issue 15, finding 1: sessions a page owns are released when nobody needs them. A page that goes away
asks for its session to end (POST .../release); the server keeps it while it is shared, training or
queued. A client at its limit has its oldest unneeded session ended instead of getting a 429."""

import asyncio

import httpx
import pytest
from clock import ManualClock
from fastapi import FastAPI
from polling import wait_until

from api.helpers import WAIT_S, Socket, create_session
from app.config import Settings
from app.factory import create_app
from app.sessions import release


@pytest.fixture
def settings() -> Settings:
    """Three sessions per client."""
    return Settings(device="cpu", torch_threads=1, max_sessions_per_client=3)


@pytest.fixture
def short_grace(monkeypatch: pytest.MonkeyPatch) -> None:
    """A reloading page has 0.3 s to come back instead of 10 (the tests wait on the real loop)."""
    monkeypatch.setattr(release, "UNWATCHED_GRACE_S", 0.3)


def post(base: str, path: str, token: str | None = None) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return httpx.post(f"{base}{path}", headers=headers, json={"model": "lenet"}, timeout=WAIT_S)


def gone(base: str, session_id: str) -> bool:
    return httpx.get(f"{base}/api/sessions/{session_id}", timeout=WAIT_S).status_code == 404


@pytest.mark.parametrize("clock", [ManualClock()])
def test_at_its_limit_a_client_s_oldest_unwatched_session_makes_room(
    live_server: str, clock: ManualClock, open_socket
):
    oldest, watched, newer = (create_session(live_server) for _ in range(3))
    open_socket(watched).wait("frame")
    clock.advance(60)  # as if the last viewer of each had left a minute ago
    created = post(live_server, "/api/sessions")
    assert created.status_code == 201, created.text
    assert gone(live_server, oldest["id"])
    assert not gone(live_server, watched["id"])
    assert not gone(live_server, newer["id"])
    comeback = Socket(live_server, oldest["id"])  # its page comes back: it hears why
    try:
        assert comeback.read() == {"type": "closed", "reason": "evicted"}
        assert comeback.close_code() == 4410
    finally:
        comeback.close()


def test_creates_at_once_at_the_limit_never_leave_a_client_over_it(settings: Settings, run_async):
    """A create that ends an unneeded session takes the place it made: another create checking the limit
    while that session is ending must not take it too. Three unneeded sessions make room for three of
    four creates at once; the fourth is refused (the new ones are needed), and the client keeps three."""
    clock = ManualClock()
    app = create_app(settings, clock)

    async def four_at_once() -> tuple[list[int], int]:
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://nnlive") as client:
                for _ in range(3):
                    assert (await client.post("/api/sessions", json={"model": "lenet"})).status_code == 201
                clock.advance(60)  # nobody watched them for a minute: all three unneeded
                posts = (client.post("/api/sessions", json={"model": "lenet"}) for _ in range(4))
                statuses = sorted(r.status_code for r in await asyncio.gather(*posts))
                return statuses, len(app.state.sessions.all())

    assert run_async(four_at_once()) == ([201, 201, 201, 429], 3)


def test_a_training_or_watched_session_is_not_evicted_and_retry_after_tells_the_truth(
    live_server: str, live_app: FastAPI, open_socket
):
    training, watched, just_made = (create_session(live_server) for _ in range(3))
    driver = open_socket(training, drive=True)
    driver.ok("train")
    driver.close()
    open_socket(watched).wait("frame")  # just_made: nobody watches it yet, but its page may still come
    wait_until(lambda: live_app.state.sessions.get(training["id"]).viewers == 0)
    refused = post(live_server, "/api/sessions")
    assert refused.status_code == 429
    assert "close a page you no longer need or pause its training" in refused.json()["error"]["message"]
    assert 1 <= int(refused.headers["retry-after"]) <= 10  # just_made may be ended once its grace is over
    open_socket(just_made)
    wait_until(lambda: live_app.state.sessions.get(just_made["id"]).viewers == 1)
    refused = post(live_server, "/api/sessions")
    idle = live_app.state.settings.session_idle_s
    assert idle - 5 <= int(refused.headers["retry-after"]) <= idle  # when the idle training one ends
    open_socket(training)  # now all are watched: nothing frees up on its own
    wait_until(lambda: live_app.state.sessions.get(training["id"]).viewers == 1)
    refused = post(live_server, "/api/sessions")
    assert refused.status_code == 429
    assert "retry-after" not in refused.headers


def test_a_page_that_goes_away_ends_its_session_unless_it_is_needed(
    live_server: str, live_app: FastAPI, short_grace: None, open_socket
):
    alone, shared, training = (create_session(live_server) for _ in range(3))
    pages = {s["id"]: open_socket(s, drive=True) for s in (alone, shared, training)}
    classmate = open_socket(shared)
    pages[training["id"]].ok("train")
    for info in (alone, shared, training):
        assert post(live_server, f"/api/sessions/{info['id']}/release", info["token"]).status_code == 204
        pages[info["id"]].close()
    wait_until(lambda: gone(live_server, alone["id"]))
    assert live_app.state.sessions.ended_reason(alone["id"]) == "released"
    released_again = post(live_server, f"/api/sessions/{alone['id']}/release", alone["token"])
    assert released_again.status_code == 204  # a page leaving a session that ended already
    assert not gone(live_server, shared["id"])  # a classmate still watches
    assert not gone(live_server, training["id"])  # it trains on
    classmate.close()
    wait_until(lambda: gone(live_server, shared["id"]))


def test_a_page_that_reloads_keeps_its_session(live_server: str, short_grace: None, open_socket):
    reloaded, closed = create_session(live_server), create_session(live_server)
    for info in (reloaded, closed):
        page = open_socket(info, drive=True)
        assert post(live_server, f"/api/sessions/{info['id']}/release", info["token"]).status_code == 204
        page.close()
    open_socket(reloaded, drive=True).close()  # the reloaded page presented its token again
    wait_until(lambda: gone(live_server, closed["id"]))
    assert not gone(live_server, reloaded["id"])


def test_release_needs_the_token(live_server: str, session: dict):
    assert post(live_server, f"/api/sessions/{session['id']}/release").status_code == 403
    assert post(live_server, f"/api/sessions/{session['id']}/release", "wrong").status_code == 403
    assert post(live_server, "/api/sessions/nope/release", "x").status_code == 404


@pytest.mark.parametrize("clock", [ManualClock()])
def test_a_fork_at_the_limit_never_evicts_the_session_it_copies(live_server: str, clock: ManualClock):
    sessions = [create_session(live_server) for _ in range(3)]
    clock.advance(60)  # nobody has watched any of them for a minute
    source = sessions[0]  # the oldest: the one eviction would pick
    fork = httpx.post(f"{live_server}/api/sessions/{source['id']}/fork", timeout=WAIT_S)
    assert fork.status_code == 201, fork.text
    assert fork.json()["step"] == source["step"]
    assert not gone(live_server, source["id"])
    assert gone(live_server, sessions[1]["id"])  # the next oldest made room
