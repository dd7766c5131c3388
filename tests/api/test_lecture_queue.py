"""Lecture control meets the training queue: the presenter grace on a queued session, training resumed
after the grace when every slot is taken, forks of sessions in line, the admin ending a queued session
that has presenters, and ``state`` messages that carry both the place in line and the control fields."""

from collections.abc import Callable

import httpx
import pytest

from api.helpers import WAIT_S, Socket, create_session
from app.config import Settings

OpenSocket = Callable[..., Socket]
ADMIN_TOKEN = "admin-token-for-tests"


@pytest.fixture
def settings() -> Settings:
    """One training slot, a short presenter grace, the admin view on."""
    return Settings(
        device="cpu", torch_threads=1, max_training=1, presenter_grace_s=0.4, admin_token=ADMIN_TOKEN
    )


def test_a_queued_session_whose_presenter_left_gives_up_its_place_and_takes_one_on_return(
    live_server: str, open_socket: OpenSocket
):
    infos = [create_session(live_server) for _ in range(3)]
    first, second, third = (open_socket(info, drive=True) for info in infos)
    watcher = open_socket(infos[1])
    first.ok("train")
    first.wait("state", state="training")
    second.ok("train")
    queued = watcher.wait("state", state="queued")
    control = (queued["presenter"], queued["holder"], queued["presenters"])
    assert (queued["place"], control) == (1, ("connected", 1, [1]))
    third.ok("train")
    third.wait("state", state="queued", place=2)

    second.close()  # its presenter leaves while it waits
    paused = watcher.wait("state", state="paused")
    assert (paused["presenter"], "place" in paused) == ("away", False)
    third.wait("state", state="queued", place=1)  # the one behind moves up

    back = open_socket(infos[1])
    assert back.ok("auth", token=infos[1]["token"])["role"] == "driver"
    again = watcher.wait("state", state="queued")
    assert (again["place"], again["presenter"]) == (2, "connected")  # back in line, behind the third
    first.ok("pause")
    third.wait("state", state="training")
    watcher.wait("state", state="queued", place=1)


def test_training_paused_by_the_grace_waits_in_line_when_its_presenter_returns_to_a_full_server(
    live_server: str, open_socket: OpenSocket
):
    left, other = create_session(live_server), create_session(live_server)
    leaving, watcher, busy = open_socket(left, drive=True), open_socket(left), open_socket(other, drive=True)
    leaving.ok("train")
    watcher.wait("state", state="training")
    leaving.close()
    assert watcher.wait("state", state="paused")["presenter"] == "away"
    busy.ok("train")  # the slot it gave up
    busy.wait("state", state="training")

    assert open_socket(left).ok("auth", token=left["token"])["role"] == "driver"
    resumed = watcher.wait("state", state="queued")
    assert (resumed["place"], resumed["presenter"], resumed["holder"]) == (1, "connected", 2)
    busy.ok("pause")
    assert watcher.wait("state", state="training")["presenter"] == "connected"


def test_forks_of_sessions_training_or_in_line_start_paused_and_the_sources_keep_their_places(
    live_server: str, open_socket: OpenSocket
):
    training, waiting = create_session(live_server), create_session(live_server)
    open_socket(training, drive=True).ok("train")
    driver = open_socket(waiting, drive=True)
    driver.ok("step", count=2)
    driver.ok("train")
    driver.wait("state", state="queued", place=1)

    response = httpx.post(f"{live_server}/api/sessions/{waiting['id']}/fork", timeout=WAIT_S)
    assert response.status_code == 201, response.text
    copy = response.json()
    assert (copy["state"], copy["step"]) == ("paused", 2)
    own = open_socket(copy, drive=True)
    state = own.wait("state", holder=1)
    assert (state["state"], "place" in state) == ("paused", False)
    own.ok("train")
    assert own.wait("state", state="queued")["place"] == 2  # behind the source, which kept its place
    assert driver.call("ping")["type"] == "pong"
    source = httpx.get(f"{live_server}/api/sessions/{waiting['id']}", timeout=WAIT_S).json()
    assert source["state"] == "queued"

    response = httpx.post(f"{live_server}/api/sessions/{training['id']}/fork", timeout=WAIT_S)
    assert response.status_code == 201, response.text
    assert response.json()["state"] == "paused"  # a fork of a training session holds no slot either
    source = httpx.get(f"{live_server}/api/sessions/{training['id']}", timeout=WAIT_S).json()
    assert source["state"] == "training"


def test_the_admin_ends_a_queued_session_with_presenters_and_the_line_moves_up(
    live_server: str, open_socket: OpenSocket
):
    infos = [create_session(live_server) for _ in range(3)]
    open_socket(infos[0], drive=True).ok("train")
    driving, co_presenter, viewer = open_socket(infos[1], drive=True), *(open_socket(infos[1]) for _ in "ab")
    assert co_presenter.ok("auth", token=infos[1]["token"])["role"] == "presenter"
    driving.ok("train")
    viewer.wait("state", state="queued", presenters=[1, 2])
    third = open_socket(infos[2], drive=True)
    third.ok("train")
    third.wait("state", state="queued", place=2)

    headers = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
    url = f"{live_server}/api/admin/sessions"
    ended = httpx.delete(f"{url}/{infos[1]['id']}", headers=headers, timeout=WAIT_S)
    assert ended.status_code == 204
    for socket in (driving, co_presenter, viewer):
        assert socket.wait("closed")["reason"] == "admin"
        assert socket.close_code() == 4410
    third.wait("state", state="queued", place=1)
    listing = httpx.get(url, headers=headers, timeout=WAIT_S).json()
    assert [row["id"] for row in listing["sessions"]] == [infos[0]["id"], infos[2]["id"]]
    assert listing["totals"]["queue"] == {"training": 1, "queued": 1, "slots": 1}
