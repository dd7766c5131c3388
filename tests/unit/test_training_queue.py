"""The training queue on its own: slots, first come first served, places moving up."""

from app.sessions.training_queue import TrainingQueue


def recorder(log: list, key: str):
    return lambda place: log.append((key, place))


def test_sessions_beyond_the_slots_wait_in_order_and_move_up():
    queue, told = TrainingQueue(2), []
    for key in "abcde":
        queue.enter(key, recorder(told, key))
    assert told == [("a", 0), ("b", 0), ("c", 1), ("d", 2), ("e", 3)]
    told.clear()
    queue.enter("d", recorder(told, "d"))  # asking again keeps its place
    assert told == [("d", 2)]
    told.clear()
    queue.leave("a")  # a slot frees: c, first in line, starts; the others move up
    assert told == [("c", 0), ("d", 1), ("e", 2)]
    told.clear()
    queue.leave("d")  # ended while waiting: it leaves the line, e moves up
    assert told == [("e", 1)]
    assert queue.counts() == {"training": 2, "queued": 1, "slots": 2}


def test_leaving_twice_or_never_entered_changes_nothing():
    queue, told = TrainingQueue(1), []
    queue.enter("a", recorder(told, "a"))
    queue.enter("b", recorder(told, "b"))
    told.clear()
    queue.leave("x")
    queue.leave("b")
    queue.leave("b")
    assert told == []
    assert queue.counts() == {"training": 1, "queued": 0, "slots": 1}


def test_a_failing_session_does_not_stop_the_others_moving_up():
    queue, told = TrainingQueue(1), []

    def broken(place: int) -> None:
        if place == 0:
            raise RuntimeError("its worker is gone")

    queue.enter("a", recorder(told, "a"))
    queue.enter("b", broken)
    queue.enter("c", recorder(told, "c"))
    queue.leave("a")
    assert told[-1] == ("c", 1)
    assert queue.counts() == {"training": 1, "queued": 1, "slots": 1}
