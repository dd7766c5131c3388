"""A room filling up costs O(N) messages: viewer counts are coalesced on the app's clock, and every
joiner's ``hello`` is the same shared JSON (the curves encoded once per change)."""

import pytest
from clock import ManualClock

from api.helpers import Socket, create_session
from app.realtime.rooms import STATE_INTERVAL_S

JOINERS = 30


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


def states_until(socket: Socket, viewers: int) -> list[dict]:
    """Every ``state`` the socket reads until one counts ``viewers`` (frames and others are skipped)."""
    states: list[dict] = []
    while not states or states[-1]["viewers"] != viewers:
        message = socket.read()
        if isinstance(message, dict) and message["type"] == "state":
            states.append(message)
    return states


def test_n_joins_send_each_viewer_a_bounded_number_of_states(live_server: str, clock: ManualClock):
    info = create_session(live_server)
    first = Socket(live_server, info["id"])
    joiners: list[Socket] = []
    try:
        assert first.read()["type"] == "hello"
        assert states_until(first, 1)  # its own state, counting itself
        joiners = [Socket(live_server, info["id"]) for _ in range(JOINERS)]
        hellos = [joiner.read() for joiner in joiners]
        assert all(h["type"] == "hello" and h["history"] == hellos[0]["history"] for h in hellos)
        assert [h["session"]["viewers"] for h in hellos] == list(range(2, JOINERS + 2))

        clock.advance(STATE_INTERVAL_S)  # the interval ends: the count so far goes out once
        everyone = JOINERS + 1
        for socket in [first, *joiners]:
            # its own state on joining, perhaps the burst's first count, the coalesced count: never N
            assert len(states_until(socket, everyone)) <= 3
    finally:
        for socket in [first, *joiners]:
            socket.close()
