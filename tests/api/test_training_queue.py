"""NNLIVE_MAX_TRAINING: sessions beyond it wait in line (``queued``, with their place) and move up."""

import httpx
import pytest

from api.helpers import WAIT_S, create_session
from app.config import Settings


@pytest.fixture
def settings() -> Settings:
    """A server where one session trains at a time."""
    return Settings(device="cpu", torch_threads=1, max_training=1)


def test_train_beyond_the_limit_queues_and_places_move_up(live_server: str, open_socket):
    infos = [create_session(live_server) for _ in range(3)]
    first, second, third = (open_socket(info, drive=True) for info in infos)
    first.ok("train")
    first.wait("state", state="training")
    second.ok("train")
    assert second.wait("state", state="queued")["place"] == 1
    third.ok("train")
    assert third.wait("state", state="queued")["place"] == 2

    first.ok("pause")  # its slot goes to the first in line; the next moves up
    first.wait("state", state="paused")
    second.wait("state", state="training")
    assert third.wait("state", state="queued", place=1)["place"] == 1
    second.wait("frame", where=lambda f: f["step"] > 0)  # it really trains

    third.ok("step", count=2)  # a bounded step runs at once and leaves the line
    stepped = third.wait("state", where=lambda s: s["step"] == 2)
    assert stepped["state"] == "paused"
    assert "place" not in stepped
    third.ok("train")
    assert third.wait("state", state="queued")["place"] == 1


def test_a_session_ended_while_queued_leaves_the_line(live_server: str, open_socket):
    infos = [create_session(live_server) for _ in range(3)]
    first, second, third = (open_socket(info, drive=True) for info in infos)
    first.ok("train")
    second.ok("train")
    third.ok("train")
    third.wait("state", state="queued", place=2)
    headers = {"Authorization": f"Bearer {infos[1]['token']}"}
    response = httpx.delete(f"{live_server}/api/sessions/{infos[1]['id']}", headers=headers, timeout=WAIT_S)
    assert response.status_code == 204
    third.wait("state", state="queued", place=1)  # the ended one no longer holds a place
    first.ok("reset")  # reset gives up the slot too
    third.wait("state", state="training")
