"""A session trained before a restart (or a worker's death) and the checks that it came back as it was."""

import httpx

from api.helpers import (
    WAIT_S,
    Socket,
    claim_lecture,
    create_session,
    enter_lecture,
    fetch_weights,
    invite_presenter,
    weights_equal,
)


def trained_session(base: str) -> tuple[dict, dict, dict]:
    """A LeNet stepped 7 times: its create reply (with a co-presenter's ``invite_key``), its hello after
    the steps and its weights."""
    session = create_session(base, seed=5)
    invited = invite_presenter(base, session["lecture"], session["lecture_key"]).json()
    session["invite_key"] = invited["key"]
    driver = Socket(base, session["id"])
    driver.auth(session["token"])
    driver.ok("step", count=4)
    driver.ok("step", count=3)
    driver.wait("frame", step=7)
    driver.close()
    hello = Socket(base, session["id"]).wait("hello")
    assert hello["session"]["step"] == 7
    assert len(hello["history"]["val"]["step"]) == 2
    return session, hello, fetch_weights(base, session["id"])


def assert_restored(base: str, session: dict, hello: dict, weights: dict) -> None:
    """The restarted server runs ``session`` as it was: step, weights, curves, paused, same token."""
    info = httpx.get(f"{base}/api/sessions/{session['id']}", timeout=WAIT_S).json()
    assert (info["id"], info["model"], info["step"], info["state"]) == (session["id"], "lenet", 7, "paused")
    assert (info["seed"], info["config"]) == (5, session["config"])
    assert weights_equal(fetch_weights(base, session["id"]), weights)
    socket = Socket(base, session["id"])
    again = socket.wait("hello")
    assert again["history"] == hello["history"]  # the curves, point for point
    assert socket.wait("frame")["step"] == 7
    socket.auth(session["token"])  # the same control token drives it
    socket.ok("step", count=1)
    assert socket.wait("frame", step=8)["step"] == 8
    assert_lecture_restored(base, session)


def assert_lecture_restored(base: str, session: dict) -> None:
    """The session's lecture room came back with it: its link leads there and its presenter key (and its
    co-presenter's invite) claims a control token (a restored session knows only its own token's hash:
    the claim makes one more)."""
    room, key = session["lecture"], session["lecture_key"]
    landed = enter_lecture(base, room)
    assert (landed.status_code, landed.headers["location"]) == (303, f"/lenet?session={session['id']}")
    wrong = claim_lecture(base, room, "not-the-key")
    assert (wrong.status_code, wrong.json()["error"]["code"]) == (403, "forbidden")
    claimed = claim_lecture(base, room, key).json()
    assert (claimed["id"], claimed["lecture"]) == (session["id"], room)
    assert claimed["token"] not in ("", session["token"])
    assert claim_lecture(base, room, session["invite_key"]).json()["token"] == claimed["token"]
    presenter = Socket(base, session["id"])
    assert presenter.ok("auth", token=claimed["token"])["role"] in ("driver", "presenter")
    presenter.close()
