"""A connection's viewer counts refused messages over a window of the app's clock."""

from clock import ManualClock

from app.realtime.viewer import ERROR_WINDOW_S, MAX_ERRORS_IN_WINDOW, Viewer


def test_refused_messages_are_counted_within_a_window_of_the_injected_clock():
    clock = ManualClock()
    viewer = Viewer(ws=None, clock=clock)  # the socket is not used
    assert not any(viewer.misbehaving() for _ in range(MAX_ERRORS_IN_WINDOW))
    clock.advance(ERROR_WINDOW_S + 1)
    assert not viewer.misbehaving()  # the earlier ones fell out of the window
    assert any(viewer.misbehaving() for _ in range(MAX_ERRORS_IN_WINDOW))
