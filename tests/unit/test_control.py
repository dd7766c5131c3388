"""Control of a session among its presenters: one holder, handoff, leaving, resuming a number."""

import pytest
from clock import ManualClock

from app.errors import BadRequest, Forbidden
from app.sessions.control import Control


def test_the_first_presenter_holds_control_and_hands_it_on():
    control, first, second = Control(), object(), object()
    assert (control.join(first), control.join(second)) == (1, 2)
    assert (control.claim(first), control.claim(second)) == (True, False)
    with pytest.raises(Forbidden, match="presenter 1 holds control"):
        control.require(second)
    with pytest.raises(BadRequest) as unknown:
        control.hand(first, 9)
    assert unknown.value.field == "to"
    control.hand(first, 2)
    assert control.holds(second)
    assert not control.holds(first)
    state = control.describe()
    assert (state["presenter"], state["holder"], state["presenters"], state["room"]) == (
        "connected",
        2,
        [1, 2],
        "open",
    )


def test_control_goes_free_when_its_holder_leaves_and_a_viewer_is_told_what_it_lacks():
    control, holder, other, viewer = Control(), object(), object(), object()
    control.join(holder)
    control.join(other)
    control.claim(holder)
    before = control.seq
    control.leave(holder)
    assert (control.holder, control.describe()["presenter"], control.seq > before) == (None, "away", True)
    with pytest.raises(Forbidden, match="nobody holds control"):
        control.require(other)
    with pytest.raises(Forbidden, match="send auth"):
        control.require(viewer)
    assert control.claim(other)


def test_a_reconnecting_page_takes_its_number_back_and_the_stale_connection_changes_nothing():
    control, stale, fresh = Control(), object(), object()
    number = control.join(stale)
    control.claim(stale)
    assert control.join(fresh, resume=number) == number
    assert control.holds(fresh)
    control.leave(stale)
    assert control.holds(fresh)
    assert control.join(object(), resume=7) == 2  # an unknown number is not resumed


def test_control_is_free_since_a_time_on_the_sessions_clock():
    clock, holder = ManualClock(50.0), object()
    control = Control(clock)
    assert control.away_since == 50.0
    control.join(holder)
    control.claim(holder)
    clock.advance(7.0)
    control.leave(holder)
    assert control.away_since == 57.0
