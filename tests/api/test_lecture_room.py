"""Issue 18, a lecture that survives real use: the lecture link (/l/ROOM) follows the session its
presenter replaced; the room's presenter key gets control back from a fresh client and invites a
co-presenter; the viewer count leaves the presenters out; training nobody watches pauses."""

from collections.abc import Callable

import httpx
import pytest
from clock import ManualClock
from polling import wait_until

from api.helpers import WAIT_S, Socket, create_session
from api.helpers import claim_lecture as claim
from api.helpers import enter_lecture as enter
from api.helpers import invite_presenter as invite
from api.helpers import revoke_invite as revoke
from app.sessions import manager

OpenSocket = Callable[..., Socket]


def state_of(base: str, session_id: str) -> str:
    return httpx.get(f"{base}/api/sessions/{session_id}", timeout=WAIT_S).json()["state"]


def test_the_lecture_link_follows_the_session_that_replaced_it(live_server: str, open_socket: OpenSocket):
    first = create_session(live_server)
    room, key = first["lecture"], first["lecture_key"]
    assert first["lecture_url"] == f"{live_server}/l/{room}"
    landed = enter(live_server, room, "?layer=c3")
    assert (landed.status_code, landed.headers["location"]) == (303, f"/lenet?session={first['id']}&layer=c3")

    wrong = httpx.post(
        f"{live_server}/api/sessions",
        json={"model": "lenet", "lecture": room, "lecture_key": "x"},
        timeout=WAIT_S,
    )
    assert (wrong.status_code, wrong.json()["error"]["code"]) == (403, "forbidden")

    second = create_session(live_server, config={"activation": "relu"}, lecture=room, lecture_key=key)
    assert second["lecture"] == room
    assert enter(live_server, room).headers["location"] == f"/lenet?session={second['id']}"
    watcher = open_socket(second)
    assert watcher.wait("state")["lecture"] == room
    auth = {"Authorization": f"Bearer {first['token']}"}
    gone = httpx.delete(f"{live_server}/api/sessions/{first['id']}?successor={second['id']}", headers=auth)
    assert gone.status_code == 204
    assert enter(live_server, room).headers["location"] == f"/lenet?session={second['id']}"

    httpx.delete(
        f"{live_server}/api/sessions/{second['id']}", headers={"Authorization": f"Bearer {second['token']}"}
    )
    ended = enter(live_server, room)
    assert (ended.status_code, ended.json()["error"]["code"]) == (404, "not_found")


def test_a_replacement_taken_back_leaves_the_room_to_the_session_it_named(live_server: str):
    """A page that made a replacement and then gave it up (its twin could not be made) ends it naming
    the session it would have replaced: the room shows that one again instead of closing."""
    first = create_session(live_server)
    room, key = first["lecture"], first["lecture_key"]
    second = create_session(live_server, lecture=room, lecture_key=key)
    auth = {"Authorization": f"Bearer {second['token']}"}
    gone = httpx.delete(f"{live_server}/api/sessions/{second['id']}?successor={first['id']}", headers=auth)
    assert gone.status_code == 204
    assert enter(live_server, room).headers["location"] == f"/lenet?session={first['id']}"
    third = create_session(live_server, lecture=room, lecture_key=key)
    assert enter(live_server, room).headers["location"] == f"/lenet?session={third['id']}"


def test_a_successor_from_another_room_moves_no_room(live_server: str):
    """Naming a successor never moves a room it is not in: a stranger ending its own session naming a
    session of someone else's lecture closes only the stranger's room, and a presenter naming a session of
    another room closes its own rather than handing it over; DELETE without the token changes nothing."""
    victim = create_session(live_server)
    victims_room = victim["lecture"]
    stranger = create_session(live_server)
    strangers_room = stranger["lecture"]

    def delete(session: dict, successor: str, token: str) -> int:
        url = f"{live_server}/api/sessions/{session['id']}?successor={successor}"
        return httpx.delete(url, headers={"Authorization": f"Bearer {token}"}, timeout=WAIT_S).status_code

    assert delete(victim, stranger["id"], stranger["token"]) == 403  # another session's token
    assert delete(stranger, victim["id"], stranger["token"]) == 204
    assert enter(live_server, victims_room).headers["location"] == f"/lenet?session={victim['id']}"
    gone = enter(live_server, strangers_room)
    assert (gone.status_code, gone.json()["error"]["code"]) == (404, "not_found")

    other = create_session(live_server)
    assert delete(victim, other["id"], victim["token"]) == 204
    assert enter(live_server, victims_room).status_code == 404
    assert enter(live_server, other["lecture"]).headers["location"] == f"/lenet?session={other['id']}"


def test_the_presenter_key_gets_control_back_from_a_fresh_client(live_server: str, open_socket: OpenSocket):
    info = create_session(live_server)
    driver, viewer = open_socket(info, drive=True), open_socket(info)
    driver.close()  # the presenter's tab is gone; the student keeps watching
    viewer.wait("state", presenter="away")

    assert claim(live_server, info["lecture"], "not-the-key").status_code == 403
    claimed = claim(live_server, info["lecture"], info["lecture_key"])
    assert claimed.status_code == 200
    assert (claimed.json()["id"], claimed.json()["token"]) == (info["id"], info["token"])
    laptop = open_socket(info)
    ok = laptop.ok("auth", token=claimed.json()["token"])
    assert ok["role"] == "driver"
    laptop.ok("set", values={"lr": 0.02})
    changed = viewer.wait("state", where=lambda s: s["controls"]["lr"] == 0.02)
    assert (changed["holder"], changed["presenter"]) == (ok["presenter"], "connected")


def test_a_co_presenter_joins_with_the_presenter_link_and_takes_a_handoff(
    live_server: str, open_socket: OpenSocket
):
    info = create_session(live_server)
    driver = open_socket(info, drive=True)
    token = claim(live_server, info["lecture"], info["lecture_key"]).json()["token"]
    colleague = open_socket(info)
    ok = colleague.ok("auth", token=token)
    assert (ok["role"], ok["presenter"]) == ("presenter", 2)
    driver.ok("handoff", to=2)
    colleague.wait("state", holder=2)
    colleague.ok("step")


def test_an_invited_co_presenter_takes_a_handoff_until_the_invite_is_revoked(
    live_server: str, open_socket: OpenSocket
):
    info = create_session(live_server)
    room, owner_key = info["lecture"], info["lecture_key"]
    assert invite(live_server, room, "not-the-key").status_code == 403
    made = invite(live_server, room, owner_key)
    assert made.status_code == 201
    invite_id, invite_key = made.json()["invite"], made.json()["key"]
    assert invite_key != owner_key
    assert invite(live_server, room, invite_key).status_code == 403  # an invite invites nobody else

    driver = open_socket(info, drive=True)
    claimed = claim(live_server, room, invite_key)
    assert (claimed.status_code, claimed.json()["id"]) == (200, info["id"])
    colleague = open_socket(info)
    ok = colleague.ok("auth", token=claimed.json()["token"])
    assert (ok["role"], ok["presenter"]) == ("presenter", 2)
    driver.ok("handoff", to=2)
    colleague.wait("state", holder=2)
    colleague.ok("set", values={"lr": 0.03})
    driver.wait("state", where=lambda s: s["controls"]["lr"] == 0.03)

    joined = create_session(live_server, lecture=room, lecture_key=invite_key)  # the colleague's setting
    assert joined["lecture_key"] == invite_key  # never the owner's key
    assert revoke(live_server, room, invite_id, invite_key).status_code == 403
    assert revoke(live_server, room, invite_id, owner_key).status_code == 204
    refused = claim(live_server, room, invite_key)
    assert (refused.status_code, refused.json()["error"]["code"]) == (403, "forbidden")
    assert claim(live_server, room, owner_key).json()["id"] == joined["id"]  # the owner's key stays
    gone = revoke(live_server, room, invite_id, owner_key)
    assert (gone.status_code, gone.json()["error"]["code"]) == (404, "not_found")


def test_the_viewer_count_leaves_the_presenters_out(live_server: str, open_socket: OpenSocket):
    info = create_session(live_server)
    driver = open_socket(info, drive=True)
    driver.wait("state", presenters=[1], viewers=0)
    students = [open_socket(info) for _ in range(2)]
    assert students[1].wait("state", viewers=2)["presenters"] == [1]
    co = open_socket(info)
    co.ok("auth", token=info["token"])
    assert driver.wait("state", presenters=[1, 2])["viewers"] == 2
    assert httpx.get(f"{live_server}/api/sessions/{info['id']}", timeout=WAIT_S).json()["viewers"] == 2


@pytest.mark.parametrize("clock", [ManualClock()])
def test_training_nobody_watches_pauses_within_a_minute(
    live_server: str, clock: ManualClock, open_socket: OpenSocket, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr(manager, "ATTENDANCE_CHECK_S", 0.05)  # the check runs often; the clock decides
    watched, closed = create_session(live_server), create_session(live_server)
    driver, student = open_socket(watched, drive=True), open_socket(watched)
    driver.ok("train")
    driver.close()  # a presenter left, a student still watches: the 15-minute grace holds
    other = open_socket(closed, drive=True)
    other.ok("train")
    other.close()  # the only tab closed
    wait_until(lambda: state_of(live_server, closed["id"]) == "training", "the closed tab's session trains")
    clock.advance(manager.UNWATCHED_PAUSE_S + 1)
    assert manager.UNWATCHED_PAUSE_S <= 59
    wait_until(lambda: state_of(live_server, closed["id"]) == "paused", "the unwatched session paused")
    assert state_of(live_server, watched["id"]) == "training"
    student.wait("state", state="training")
    returning = open_socket(closed)
    assert returning.ok("auth", token=closed["token"])["role"] == "driver"
    returning.wait("state", state="training")  # it resumes when its presenter comes back
