"""With ``NNLIVE_SNAPSHOT_URL`` a server keeps its session snapshots in Redis (a real redis-server): the
next server on that Redis runs the session on, from the snapshot written when the first one stopped."""

import signal

import httpx
from redis_server import RedisServer

from api.helpers import WAIT_S, Socket, create_session, fetch_weights, weights_equal
from api.server_process import start_server, stop_server
from app.sessions.snapshot_store import RedisStore


def test_a_session_comes_back_from_its_snapshot_in_redis(redis_server: RedisServer):
    env = {"NNLIVE_DATA_DIR": "", "NNLIVE_SNAPSHOT_URL": redis_server.url}
    base, first = start_server(env)
    try:
        session = create_session(base, seed=2)
        driver = Socket(base, session["id"])
        driver.auth(session["token"])
        driver.ok("step", count=5)
        weights = fetch_weights(base, session["id"])
        first.send_signal(signal.SIGTERM)
        first.wait(WAIT_S)
    finally:
        stop_server(first)
    assert RedisStore(redis_server.url).ids() == [session["id"]]  # written when the server stopped
    base, second = start_server(env)
    try:
        info = httpx.get(f"{base}/api/sessions/{session['id']}", timeout=WAIT_S).json()
        assert (info["step"], info["state"], info["seed"]) == (5, "paused", 2)
        assert weights_equal(fetch_weights(base, session["id"]), weights)
        bearer = {"Authorization": f"Bearer {session['token']}"}  # the same token
        response = httpx.delete(f"{base}/api/sessions/{session['id']}", headers=bearer, timeout=WAIT_S)
        assert response.status_code == 204
        assert RedisStore(redis_server.url).ids() == []  # a deleted session leaves no snapshot
    finally:
        stop_server(second)
