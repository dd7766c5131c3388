"""Through a real uvicorn server: a viewer whose room cannot subscribe to the bus in time gets ``busy`` and
a 1013 close, is not counted, leaves no room behind, and the server serves the next viewer once the bus
subscribes again."""

import pytest
from fastapi import FastAPI
from polling import wait_until
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


def test_a_presenter_knocking_at_a_closed_room_that_cannot_subscribe_is_refused_without_control(
    live_app: FastAPI, live_server: str, bus: StalledBus, monkeypatch: pytest.MonkeyPatch
):
    """The knock's ``auth`` is answered only once the join succeeds: a refused presenter never becomes a
    presenter (no number, no control, training not resumed) and is not counted."""
    info = create_session(live_server)
    session = live_app.state.sessions.get(info["id"])
    bus.stalled = False
    monkeypatch.setattr(rooms_module, "SUBSCRIBE_TIMEOUT_S", 5.0)
    closer = Socket(live_server, info["id"])
    try:
        closer.auth(info["token"])
        closer.ok("room", open=False)
    finally:
        closer.close()
    wait_until(lambda: not live_app.state.rooms.has_viewers(session), "the last viewer's room did not close")
    seq = session.control.seq

    bus.stalled = True  # the next room's subscriptions are not confirmed
    monkeypatch.setattr(rooms_module, "SUBSCRIBE_TIMEOUT_S", 0.05)
    knocking = Socket(live_server, info["id"])
    try:
        knocking.send({"type": "auth", "id": 1, "token": info["token"]})  # the knock a closed room asks for
        assert knocking.read() == {"type": "error", "code": "busy", "message": REFUSAL, "id": None}
        assert knocking.close_code() == 1013
        assert knocking.unread == []  # no ``ok`` for the auth, no hello
    finally:
        knocking.close()
    assert (session.control.presenting, session.control.holder, session.control.seq) == (0, None, seq)
    assert session.audience.count == 0
    assert not session.control.room_open
