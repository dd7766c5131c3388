"""Through a real uvicorn server: a viewer whose room cannot subscribe to the bus in time gets ``busy`` and
a 1013 close, is not counted, leaves no room behind, and the server serves the next viewer once the bus
subscribes again."""

import pytest
from fastapi import FastAPI
from stalled_bus import StalledBus

from api.helpers import Socket, create_session
from app import factory
from app.config import Settings
from app.realtime import rooms as rooms_module

REFUSAL = "the server could not subscribe to this session's updates in time; try again"


@pytest.fixture
def bus(monkeypatch: pytest.MonkeyPatch) -> StalledBus:
    """The bus the server is made with: it does not subscribe until told; rooms wait 50 ms for it."""
    stalled = StalledBus()
    monkeypatch.setattr(factory, "make_bus", lambda _url: stalled)
    monkeypatch.setattr(rooms_module, "SUBSCRIBE_TIMEOUT_S", 0.05)
    return stalled


@pytest.fixture
def live_app(settings: Settings, bus: StalledBus) -> FastAPI:
    return factory.create_app(settings)


def test_a_viewer_the_bus_cannot_subscribe_for_gets_busy_and_1013_and_is_not_counted(
    live_app: FastAPI, live_server: str, bus: StalledBus, monkeypatch: pytest.MonkeyPatch
):
    info = create_session(live_server)
    refused = Socket(live_server, info["id"])
    try:
        assert refused.read() == {"type": "error", "code": "busy", "message": REFUSAL, "id": None}
        assert refused.close_code() == 1013
        assert refused.unread == []  # neither hello nor state before the refusal
    finally:
        refused.close()
    session = live_app.state.sessions.get(info["id"])
    assert session.audience.count == 0
    assert not live_app.state.rooms.has_viewers(session)
    assert bus.channels == []  # the room's subscriptions ended with it

    bus.stalled = False  # the bus subscribes again
    monkeypatch.setattr(rooms_module, "SUBSCRIBE_TIMEOUT_S", 5.0)
    driver = Socket(live_server, info["id"])
    try:
        hello, state, frame = driver.read(), driver.read(), driver.read()
        assert (hello["type"], hello["session"]["id"]) == ("hello", info["id"])
        assert (state["type"], state["viewers"]) == ("state", 1)
        assert (frame["type"], frame["step"]) == ("frame", 0)
        driver.auth(info["token"])
        driver.ok("step")  # a new frame, relayed by the room from the bus
        stepped = driver.wait("frame", step=1)
        assert 0 < stepped["train"]["loss"] < 10  # LeNet's cross-entropy after one batch: about 2.3
    finally:
        driver.close()
