"""What a client can make the server do is bounded: optimizer steps a second per session, messages a second
per connection, weight downloads a second per session. A refusal is a ``limit`` error (naming its field)
and the connection goes on."""

import httpx
import pytest
from clock import ManualClock

from api.helpers import WAIT_S
from app.config import Settings
from app.sessions.session import EXPORT_BURST


@pytest.fixture
def settings() -> Settings:
    """Five optimizer steps a second per session (a full `step` of 100 fits once), 20 messages a second."""
    return Settings(device="cpu", torch_threads=1, max_steps_per_s=5, max_messages_per_s=20)


@pytest.fixture
def clock() -> ManualClock:
    """Time passes only when a test says so: no token comes back on its own."""
    return ManualClock()


def test_steps_beyond_the_sessions_rate_are_refused_naming_count(driver, clock: ManualClock):
    driver.ok("step", count=100)  # the whole burst
    refused = driver.call("step", count=100)  # 20 s of steps would have to come back first
    assert (refused["type"], refused["code"], refused["field"]) == ("error", "limit", "count")
    assert "5 steps a second" in refused["message"]
    clock.advance(0.1)  # half a step comes back: not enough
    assert driver.call("step", count=1)["code"] == "limit"
    clock.advance(0.3)  # two steps come back
    driver.ok("step", count=1)
    driver.wait("state", where=lambda s: s["step"] == 101)


def test_a_flood_of_messages_is_refused_and_the_connection_goes_on(driver, clock: ManualClock):
    ids = [driver.request("ping") for _ in range(60)]  # three times the burst of 40, however slow the machine
    replies = [driver.wait_reply(i) for i in ids]
    refused = [r for r in replies if r["type"] == "error"]
    assert refused, "no message was refused"
    assert {r["code"] for r in refused} == {"limit"}
    assert sum(r["type"] == "pong" for r in replies) == 39  # the burst, less the auth message
    assert driver.call("ping")["code"] == "limit"  # no time passed: no token came back
    clock.advance(0.2)  # four tokens come back
    driver.assert_alive()


def test_weight_downloads_beyond_the_sessions_rate_get_429(live_server: str, session: dict):
    url = f"{live_server}/api/sessions/{session['id']}/weights"
    served = 0
    while (response := httpx.get(url, timeout=WAIT_S)).status_code == 200 and served < 10 * EXPORT_BURST:
        served += 1
    assert served >= EXPORT_BURST  # the burst, and what came back meanwhile, is served
    assert response.status_code == 429
    assert response.json()["error"]["code"] == "limit"
    assert int(response.headers["retry-after"]) > 0
