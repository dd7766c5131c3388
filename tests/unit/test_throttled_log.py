"""Warnings that repeat are logged at most once a minute, with how many were left out: counted in the log
records, the minute stepped by hand."""

import logging

from clock import ManualClock

from app.realtime import rooms
from app.throttled_log import EVERY_S, ThrottledWarning

log = logging.getLogger("nnlive.test.throttled")


def _lines(caplog, logger: str) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == logger and r.levelno == logging.WARNING]


def test_a_thousand_warnings_in_ten_seconds_make_one_line_and_the_next_minute_says_how_many_were_left_out(
    caplog,
):
    clock = ManualClock(0.0)
    warning = ThrottledWarning(log, every_s=60.0, clock=clock)
    with caplog.at_level(logging.WARNING, logger=log.name):
        for viewer in range(1000):
            warning.warning("viewer %d turned away", viewer)
            clock.advance(0.01)
        first = _lines(caplog, log.name)
        clock.advance(60.0)
        warning.warning("viewer %d turned away", 1000)
        warning.warning("viewer %d turned away", 1001)  # within the new minute: left out again
        summary = _lines(caplog, log.name)[len(first) :]
        clock.advance(60.0)
        warning.warning("viewer %d turned away", 1002)
        clock.advance(60.0)
        warning.warning("viewer %d turned away", 1003)  # none left out since the last line
        last = _lines(caplog, log.name)[len(first) + len(summary) :]
    assert first == ["viewer 0 turned away"]
    assert summary == ["viewer 1000 turned away (and 999 more like it in the last 70 s)"]
    assert last == [
        "viewer 1002 turned away (and 1 more like it in the last 60 s)",
        "viewer 1003 turned away",
    ]


def test_viewers_turned_away_by_a_room_without_subscriptions_log_one_line_a_minute(monkeypatch, caplog):
    clock = ManualClock(0.0)
    monkeypatch.setattr(rooms, "_turned_away", ThrottledWarning(rooms.log, clock=clock))
    with caplog.at_level(logging.WARNING, logger=rooms.log.name):
        refusals = [rooms.not_subscribed(f"s{n % 3}") for n in range(5000)]  # a Redis outage, 3 sessions
        during = _lines(caplog, rooms.log.name)
        clock.advance(EVERY_S)
        rooms.not_subscribed("s1")
        after = _lines(caplog, rooms.log.name)[len(during) :]
    assert all("could not subscribe" in str(refusal) for refusal in refusals)  # every viewer still told why
    assert during == ["session s0: no bus subscription in 5 s; a viewer turned away"]
    assert {r.funcName for r in caplog.records} == {"not_subscribed"}  # the line names its call site
    turned_away = "session s1: no bus subscription in 5 s; a viewer turned away"
    assert after == [f"{turned_away} (and 4999 more like it in the last 60 s)"]


def test_a_new_outage_after_the_problem_cleared_is_logged_at_once_with_the_count_of_the_last_one(caplog):
    clock = ManualClock(0.0)
    warning = ThrottledWarning(log, every_s=60.0, clock=clock)
    with caplog.at_level(logging.WARNING, logger=log.name):
        for _ in range(5):  # the first outage: five seconds
            warning.warning("Redis unavailable (%s)", "refused")
            clock.advance(1.0)
        warning.cleared()  # Redis answered again
        clock.advance(20.0)
        warning.warning("Redis unavailable (%s)", "NOAUTH")  # another outage within the minute
        warning.warning("Redis unavailable (%s)", "NOAUTH")
    assert _lines(caplog, log.name) == [
        "Redis unavailable (refused)",
        "Redis unavailable (NOAUTH) (and 4 more like it in the last 25 s)",
    ]
