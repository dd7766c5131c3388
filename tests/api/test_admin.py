"""The admin API: off without NNLIVE_ADMIN_TOKEN, token-protected, real figures, ending a session."""

import httpx
import pytest
import torch
from clock import ManualClock
from fastapi.testclient import TestClient

from api.helpers import WAIT_S, create_session
from app.config import Settings
from app.engine.data.digits import load_digits_32
from app.engine.live.lenet import LENET
from app.factory import create_app
from app.sessions.footprint import tensor_bytes

ADMIN_TOKEN = "admin-token-for-tests"
ADMIN = {"Authorization": f"Bearer {ADMIN_TOKEN}"}


@pytest.fixture
def settings() -> Settings:
    """A server with the admin view on."""
    return Settings(device="cpu", torch_threads=1, admin_token=ADMIN_TOKEN)


@pytest.fixture
def clock() -> ManualClock:
    """Idleness moves only when a test lets time pass."""
    return ManualClock()


def admin_get(base: str, headers: dict | None = ADMIN) -> httpx.Response:
    return httpx.get(f"{base}/api/admin/sessions", headers=headers, timeout=WAIT_S)


def test_the_admin_view_is_absent_without_a_token_setting():
    with TestClient(create_app(Settings(device="cpu", torch_threads=1))) as client:
        assert client.get("/api/admin/sessions", headers=ADMIN).status_code == 404
        assert client.get("/admin").status_code == 404


@pytest.mark.parametrize("headers", [None, {"Authorization": "Bearer wrong"}, {"Authorization": ADMIN_TOKEN}])
def test_no_or_a_wrong_token_is_refused(live_server: str, headers: dict | None):
    response = admin_get(live_server, headers)
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden"


def test_sessions_are_listed_with_real_figures(live_server: str, open_socket, clock: ManualClock):
    info = create_session(live_server, config={"activation": "relu"})
    viewer = open_socket(info)
    viewer.wait("frame")
    listing = admin_get(live_server).json()
    (row,) = listing["sessions"]
    assert (row["id"], row["model"], row["state"], row["step"]) == (info["id"], "lenet", "paused", 0)
    assert (row["viewers"], row["client"]) == (1, "127.0.0.1")
    assert row["cpu_s"] > 0  # its worker made the first frame
    assert row["idle_s"] >= 0

    config = LENET.validate_config({"activation": "relu"})
    controls = {p.name: p.default for p in LENET.controls}
    fresh = LENET.build(config, controls, 0, torch.device("cpu"))
    assert row["memory_bytes"] == tensor_bytes(fresh)
    params = sum(p.numel() * p.element_size() for p in fresh.model.parameters())
    data = load_digits_32()
    dataset = sum(t.numel() * t.element_size() for t in (data.train_x, data.train_y, data.val_x, data.val_y))
    assert row["memory_bytes"] >= 2 * params + dataset  # weights, their initial copy, the digits

    clock.advance(0.3)
    (again,) = admin_get(live_server).json()["sessions"]
    assert again["idle_s"] == pytest.approx(row["idle_s"] + 0.3)  # looking is not activity

    totals = listing["totals"]
    assert (totals["sessions"], totals["viewers"]) == (1, 1)
    assert totals["rss_bytes"] > row["memory_bytes"]
    assert totals["queue"]["training"] == 0


def test_ending_a_session_tells_its_viewers(live_server: str, open_socket):
    info = create_session(live_server)
    viewer = open_socket(info)
    viewer.wait("state")
    ended = httpx.delete(f"{live_server}/api/admin/sessions/{info['id']}", headers=ADMIN, timeout=WAIT_S)
    assert ended.status_code == 204
    assert viewer.wait("closed")["reason"] == "admin"
    assert admin_get(live_server).json()["sessions"] == []
    missing = httpx.delete(f"{live_server}/api/admin/sessions/{info['id']}", headers=ADMIN, timeout=WAIT_S)
    assert missing.status_code == 404
