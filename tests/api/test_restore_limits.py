"""Sessions restored from snapshots count toward their client's limit: everything that ran comes back,
and a client over its limit gets no new session until it is under it again (its restored sessions that
nobody needs are ended to make that room, as many as it takes, or it is refused and nothing ends)."""

from clock import ManualClock
from fastapi.testclient import TestClient

from app.config import Settings
from app.factory import create_app


def _settings(tmp_path, per_client: int) -> Settings:
    return Settings(
        device="cpu", torch_threads=1, data_dir=str(tmp_path / "data"), max_sessions_per_client=per_client
    )


def _create(client: TestClient) -> dict:
    response = client.post("/api/sessions", json={"model": "lenet"})
    assert response.status_code == 201, response.text
    return response.json()


def _running(client: TestClient, session: dict) -> bool:
    return client.get(f"/api/sessions/{session['id']}").status_code == 200


def test_a_client_over_its_limit_after_a_restore_is_refused_until_under_it(tmp_path):
    with TestClient(create_app(_settings(tmp_path, per_client=3))) as before:
        oldest, older, watched = (_create(before) for _ in range(3))

    # The operator lowered the limit to 2 before the restart: all three come back and are counted.
    clock = ManualClock()
    with TestClient(create_app(_settings(tmp_path, per_client=2), clock)) as after:
        assert all(_running(after, s) for s in (oldest, older, watched))
        with after.websocket_connect(f"/ws/sessions/{watched['id']}") as page:
            assert page.receive_json()["type"] == "hello"
            # Just restored: their pages may still come back, so none may be ended and 3 ≥ 2 refuses.
            refused = after.post("/api/sessions", json={"model": "lenet"})
            assert refused.status_code == 429, refused.text
            assert "3 sessions from your address are in use" in refused.json()["error"]["message"]
            assert all(_running(after, s) for s in (oldest, older, watched))

            clock.advance(60)  # the two unwatched ones were not claimed by any page: both end
            newest = _create(after)
            assert not _running(after, oldest)
            assert not _running(after, older)
            assert _running(after, watched)
            assert _running(after, newest)

            # At the limit again, with one watched and one just made: refused, and nothing ends.
            refused = after.post("/api/sessions", json={"model": "lenet"})
            assert refused.status_code == 429, refused.text
            assert "2 sessions from your address are in use" in refused.json()["error"]["message"]
            assert _running(after, watched)
            assert _running(after, newest)
