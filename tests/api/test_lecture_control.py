"""Lecture control: one presenter drives at a time and hands control on; the session outlives its
presenter; the room can be closed to viewers; any viewer can fork the session and drive the copy."""

from collections.abc import Callable

import httpx
import numpy as np
import pytest

from api.helpers import WAIT_S, Socket, assert_same_weights, create_session, fetch_weights, weights_equal
from app.config import Settings
from app.realtime import ws
from app.sessions.session import Session

OpenSocket = Callable[..., Socket]


@pytest.fixture
def settings(request: pytest.FixtureRequest) -> Settings:
    """Test settings; ``indirect`` parameters override fields (a short presenter grace, a client limit)."""
    return Settings(device="cpu", torch_threads=1, **getattr(request, "param", {}))


def presenter(socket: Socket, token: str, **fields) -> dict:
    """Authenticate ``socket`` with the token; the ``ok`` (its role and presenter number)."""
    return socket.ok("auth", token=token, **fields)


def test_control_is_handed_from_one_presenter_to_another(session: dict, open_socket: OpenSocket):
    first, second, viewer = open_socket(session), open_socket(session), open_socket(session)
    ok = presenter(first, session["token"])
    assert (ok["role"], ok["presenter"]) == ("driver", 1)
    ok = presenter(second, session["token"])
    assert (ok["role"], ok["presenter"]) == ("presenter", 2)
    state = viewer.wait("state", presenters=[1, 2])
    assert (state["presenter"], state["holder"], state["room"]) == ("connected", 1, "open")

    refused = second.call("set", values={"lr": 0.01})
    assert (refused["code"], "presenter 1 holds control" in refused["message"]) == ("forbidden", True)
    assert second.call("handoff", to=1)["code"] == "forbidden"  # only the holder hands control
    assert first.call("handoff", to=7)["field"] == "to"

    first.ok("handoff", to=2)
    handed = viewer.wait("state", holder=2)
    assert handed["presenter"] == "connected"
    assert handed["control_seq"] > ok["control_seq"]  # a client tells it from states made before
    second.ok("set", values={"lr": 0.01})
    assert viewer.wait("state", where=lambda s: s["controls"]["lr"] == 0.01)["holder"] == 2
    refused = first.call("step")
    assert (refused["code"], "presenter 2 holds control" in refused["message"]) == ("forbidden", True)


def test_the_session_runs_on_without_its_presenter_until_one_takes_control(
    session: dict, open_socket: OpenSocket
):
    first, second, viewer = open_socket(session), open_socket(session), open_socket(session)
    presenter(first, session["token"])
    presenter(second, session["token"])
    first.ok("train")
    first.close()
    away = viewer.wait("state", presenter="away", state="training")
    assert (away["holder"], away["presenters"]) == (None, [2])
    step = viewer.wait("frame")["step"]
    assert viewer.wait("frame", where=lambda f: f["step"] > step)  # training goes on

    refused = second.call("pause")
    assert (refused["code"], "nobody holds control" in refused["message"]) == ("forbidden", True)
    assert presenter(second, session["token"])["role"] == "driver"  # auth again: control was free
    assert viewer.wait("state", presenter="connected")["holder"] == 2
    second.ok("pause")


def test_a_reconnecting_presenter_resumes_its_number_and_control(session: dict, open_socket: OpenSocket):
    dropped, viewer = open_socket(session), open_socket(session)
    presenter(dropped, session["token"])
    # The page's new socket comes back before the server noticed the old one is gone.
    again = presenter(open_socket(session), session["token"], presenter=1)
    assert (again["role"], again["presenter"]) == ("driver", 1)
    assert dropped.call("step")["code"] == "forbidden"
    viewer.wait("state", viewers=2)  # the presenter is not counted; the stale socket is no longer one
    dropped.close()
    assert viewer.wait("state", viewers=1)["holder"] == 1  # the stale socket's end changes nothing


@pytest.mark.parametrize("settings", [{"presenter_grace_s": 0.4}], indirect=True)
def test_training_pauses_after_the_presenter_grace_and_resumes_when_one_returns(
    session: dict, open_socket: OpenSocket
):
    driver, viewer = open_socket(session, drive=True), open_socket(session)
    driver.ok("train")
    viewer.wait("state", state="training")
    driver.close()
    assert viewer.wait("state", state="paused")["presenter"] == "away"
    presenter(open_socket(session), session["token"])
    assert viewer.wait("state", state="training")["presenter"] == "connected"


def test_closing_the_room_dismisses_viewers_and_refuses_new_ones(session: dict, open_socket: OpenSocket):
    driver, viewer = open_socket(session, drive=True), open_socket(session)
    other = open_socket(session)
    presenter(other, session["token"])
    viewer.wait("hello")
    driver.ok("room", open=False)
    assert viewer.wait("closed") == {"type": "closed", "reason": "room_closed"}
    assert viewer.close_code() == 4410
    assert other.wait("state", room="closed", viewers=0)["presenters"] == [1, 2]  # presenters stay

    late = open_socket(session)
    late.send({"type": "ping", "id": 1})
    assert late.wait("closed")["reason"] == "room_closed"
    assert late.close_code() == 4410

    returning = open_socket(session)  # a presenter's page: auth is its first message
    assert presenter(returning, session["token"])["role"] == "presenter"
    assert returning.wait("hello")["session"]["id"] == session["id"]
    driver.ok("room", open=True)
    assert open_socket(session).wait("state", room="open")["presenter"] == "connected"


def test_a_viewer_waiting_at_a_closed_room_is_let_in_when_it_reopens(
    session: dict, open_socket: OpenSocket, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr(ws, "KNOCK_S", 1.0)
    driver = open_socket(session, drive=True)
    driver.ok("room", open=False)
    waiting = open_socket(session)  # a viewer's page sends nothing: it waits for the knock's end
    driver.ok("room", open=True)
    assert waiting.wait("hello")["session"]["id"] == session["id"]
    assert waiting.wait("state", room="open")["holder"] == 1
    waiting.assert_alive()


def fork(base: str, session_id: str) -> httpx.Response:
    return httpx.post(f"{base}/api/sessions/{session_id}/fork", timeout=WAIT_S)


def test_a_fork_starts_from_the_current_weights_and_trains_on_its_own(
    live_server: str, open_socket: OpenSocket
):
    original = create_session(live_server, precision="float32")
    driver = open_socket(original, drive=True)
    driver.ok("set", values={"lr": 0.01, "batch_size": 32})
    driver.ok("step", count=5)
    response = fork(live_server, original["id"])  # no token needed: any viewer may
    assert response.status_code == 201, response.text
    copy = response.json()
    assert copy["id"] != original["id"]
    assert copy["token"] != original["token"]
    assert (copy["step"], copy["controls"]["lr"], copy["precision"]) == (5, 0.01, "float32")
    before = fetch_weights(live_server, original["id"])
    assert_same_weights(fetch_weights(live_server, copy["id"]), before)

    own = open_socket(copy, drive=True)
    mine, theirs = own.answer("sample", index=3), driver.answer("sample", index=3)
    for name, tensor in theirs.tensors.items():
        np.testing.assert_array_equal(mine.tensors[name], tensor, err_msg=name)

    own.ok("step", count=3)
    assert not weights_equal(fetch_weights(live_server, copy["id"]), before)
    assert_same_weights(fetch_weights(live_server, original["id"]), before)
    assert not np.array_equal(own.answer("sample", index=3).tensors["probs"], theirs.tensors["probs"])


@pytest.mark.parametrize("settings", [{"max_sessions_per_client": 2}], indirect=True)
def test_forks_count_toward_the_client_limit(live_server: str, monkeypatch: pytest.MonkeyPatch):
    original = create_session(live_server)
    copied, progress = [], Session.progress

    def counted(self: Session):
        copied.append(self.id)
        return progress(self)

    monkeypatch.setattr(Session, "progress", counted)
    assert fork(live_server, original["id"]).status_code == 201
    refused = fork(live_server, original["id"])
    assert (refused.status_code, refused.json()["error"]["code"]) == (429, "limit")
    assert copied == [original["id"]]  # a refused fork made the source copy nothing
    assert fork(live_server, "nope").status_code == 404
