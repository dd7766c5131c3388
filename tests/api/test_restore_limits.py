"""Sessions restored from snapshots count toward their client's limit: everything that ran comes back,
and a client over its limit gets no new session until it is under it again (its restored sessions that
nobody needs are ended to make that room, as many as it takes, or it is refused and nothing ends)."""

import httpx
from clock import ManualClock

from api.helpers import WAIT_S, Socket
from app.config import Settings
from app.factory import create_app
from app.sdk.embedded import EmbeddedServer


def _settings(tmp_path, per_client: int) -> Settings:
    return Settings(
        device="cpu", torch_threads=1, data_dir=str(tmp_path / "data"), max_sessions_per_client=per_client
    )


def _create(base: str) -> httpx.Response:
    return httpx.post(f"{base}/api/sessions", json={"model": "lenet"}, timeout=WAIT_S)


def _running(base: str, session: dict) -> bool:
    return httpx.get(f"{base}/api/sessions/{session['id']}", timeout=WAIT_S).status_code == 200


def test_a_client_over_its_limit_after_a_restore_is_refused_until_under_it(tmp_path):
    before = EmbeddedServer(app=create_app(_settings(tmp_path, per_client=3)))
    try:
        oldest, older, watched = (_create(before.url).json() for _ in range(3))
    finally:
        before.stop(10)  # every session is snapshotted at shutdown

    # The operator lowered the limit to 2 before the restart: all three come back and are counted.
    clock = ManualClock()
    server = EmbeddedServer(app=create_app(_settings(tmp_path, per_client=2), clock))
    base, page = server.url, None
    try:
        assert all(_running(base, s) for s in (oldest, older, watched))
        page = Socket(base, watched["id"])
        page.wait("hello")
        # Just restored: their pages may still come back, so none may be ended and 3 ≥ 2 refuses.
        refused = _create(base)
        assert refused.status_code == 429, refused.text
        assert "3 sessions from your address are in use" in refused.json()["error"]["message"]
        assert all(_running(base, s) for s in (oldest, older, watched))

        clock.advance(60)  # the two unwatched ones were not claimed by any page: both end
        newest = _create(base)
        assert newest.status_code == 201, newest.text
        assert not _running(base, oldest)
        assert not _running(base, older)
        assert _running(base, watched)
        assert _running(base, newest.json())

        # At the limit again, with one watched and one just made: refused, and nothing ends.
        refused = _create(base)
        assert refused.status_code == 429, refused.text
        assert "2 sessions from your address are in use" in refused.json()["error"]["message"]
        assert _running(base, watched)
        assert _running(base, newest.json())
    finally:
        if page is not None:
            page.close()
        server.stop(10)
