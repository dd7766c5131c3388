"""The training queue on its own: slots, first come first served, places moving up."""

from app.sessions.training_queue import TrainingQueue


def recorder(log: list, key: str):
    return lambda place: log.append((key, place))


def test_sessions_beyond_the_slots_wait_in_order_and_move_up():
    queue, told = TrainingQueue(2), []
    assert [queue.enter(k, recorder(told, k)) for k in "abcde"] == [0, 0, 1, 2, 3]
    assert queue.enter("d", recorder(told, "d")) == 2  # asking again keeps its place
    queue.leave("a")  # a slot frees: c, first in line, starts; the others move up
    assert told == [("c", 0), ("d", 1), ("e", 2)]
    assert [queue.place(k) for k in "abcde"] == [None, 0, 0, 1, 2]
    told.clear()
    queue.leave("d")  # ended while waiting: it leaves the line, e moves up
    assert told == [("e", 1)]
    assert queue.counts() == {"training": 2, "queued": 1, "slots": 2}


def test_leaving_twice_or_never_entered_changes_nothing():
    queue, told = TrainingQueue(1), []
    queue.enter("a", recorder(told, "a"))
    queue.enter("b", recorder(told, "b"))
    queue.leave("x")
    queue.leave("b")
    queue.leave("b")
    assert told == []
    assert queue.counts() == {"training": 1, "queued": 0, "slots": 1}


def test_a_newcomer_does_not_overtake_the_line():
    queue, told = TrainingQueue(1), []
    queue.enter("a", recorder(told, "a"))
    queue.enter("b", recorder(told, "b"))
    queue.leave("a")
    assert told == [("b", 0)]
    assert queue.enter("c", recorder(told, "c")) == 1
