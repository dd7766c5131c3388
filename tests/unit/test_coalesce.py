"""Coalesced calls: the first at once, a burst within the interval as one call at its end (ManualClock)."""

from clock import ManualClock

from app.realtime.coalesce import Coalesced


class Timers:
    """A stand-in for ``loop.call_later``: the test fires the waiting callbacks itself."""

    def __init__(self) -> None:
        self.waiting: list = []

    def __call__(self, delay, callback):
        timer = Timer(delay, callback)
        self.waiting.append(timer)
        return timer

    def fire(self) -> None:
        due, self.waiting = self.waiting, []
        for timer in due:
            if not timer.cancelled:
                timer.callback()


class Timer:
    def __init__(self, delay, callback) -> None:
        self.delay, self.callback, self.cancelled = delay, callback, False

    def cancel(self) -> None:
        self.cancelled = True


def test_a_burst_of_requests_runs_once_now_and_once_when_the_interval_ends():
    clock, timers, runs = ManualClock(), Timers(), []
    states = Coalesced(lambda: runs.append(clock()), 0.25, clock, timers)
    for _ in range(500):  # 500 joins in one instant
        states.request()
    assert runs == [1000.0]
    assert len(timers.waiting) == 1
    assert timers.waiting[0].delay == 0.25
    timers.fire()  # the timer woke but the clock says the interval is not over: it waits again
    assert runs == [1000.0]
    assert states.pending
    clock.advance(0.25)
    timers.fire()
    assert runs == [1000.0, 1000.25]
    assert not states.pending
    assert not timers.waiting
    clock.advance(10)
    states.request()  # long after: at once again
    assert runs == [1000.0, 1000.25, 1010.25]


def test_flush_runs_a_waiting_request_now_and_cancel_drops_it():
    clock, timers, runs = ManualClock(), Timers(), []
    states = Coalesced(lambda: runs.append(clock()), 0.25, clock, timers)
    states.request()
    states.request()
    states.flush()
    assert runs == [1000.0, 1000.0]
    assert timers.waiting[0].cancelled
    states.flush()  # nothing waits: nothing runs
    states.request()
    states.cancel()
    clock.advance(1)
    timers.fire()
    assert runs == [1000.0, 1000.0]
    assert not states.pending
