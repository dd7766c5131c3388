"""A viewer's mailbox: the newest frames, snapshots newest-wins, everything in first-queued order."""

import asyncio

from app.realtime.mailbox import Mailbox


def frame(n: int) -> dict:
    return {"type": "websocket.send", "bytes": bytes([n])}


def drain(box: Mailbox) -> list:
    """Everything waiting, in the order a sender takes it."""
    taken = []
    while True:
        other = box.due_other()
        if other is not None:
            taken.append(other)
        elif box.frames:
            taken.append(("frame", box.frames.popleft()["bytes"][0]))
        else:
            return taken


def test_frames_and_other_messages_leave_in_the_order_they_were_queued():
    box = Mailbox(3)
    box.put("state", "state", "paused")
    box.put_frame(frame(1))
    box.put(("reply", 0), "reply", "pong")
    box.put_frame(frame(2))
    box.put("end", "end", "bye")
    assert len(box) == 5
    assert drain(box) == [("state", "paused"), ("frame", 1), ("reply", "pong"), ("frame", 2), ("end", "bye")]


def test_a_stalled_viewer_keeps_only_its_newest_frames_and_one_snapshot_per_stream():
    box = Mailbox(3)
    box.put_frame(frame(1))
    box.put("state", "state", "training")
    for n in range(2, 10):
        box.put_frame(frame(n))
        box.put("state", "state", f"step {n}")  # replaces the waiting one, queued after this frame
    assert len(box) == 4
    assert drain(box) == [("frame", 7), ("frame", 8), ("frame", 9), ("state", "step 9")]


def test_a_message_queued_after_frames_that_were_dropped_is_not_held_back():
    box = Mailbox(2)
    box.put_frame(frame(1))
    box.put_frame(frame(2))
    box.put("view", "view", "tab 2")  # after frames 1 and 2
    box.put_frame(frame(3))
    box.put_frame(frame(4))  # 1 and 2 are dropped: the view is due first
    assert drain(box) == [("view", "tab 2"), ("frame", 3), ("frame", 4)]


def test_the_sender_wakes_when_something_is_queued(run_async):
    async def scenario() -> tuple[bool, bool]:
        box = Mailbox(3)
        arrival = box.arrival()
        await asyncio.sleep(0)
        before = arrival.done()
        box.put_frame(frame(1))
        await asyncio.wait_for(arrival, 1)
        return before, arrival.done()

    assert run_async(scenario()) == (False, True)


def test_the_sender_is_parked_from_arrival_until_something_is_queued_or_it_is_woken(run_async):
    async def scenario() -> list[bool]:
        box = Mailbox(3)
        seen = [box.parked]  # no sender waits yet
        box.arrival()
        seen.append(box.parked)
        box.put_frame(frame(1))  # it is woken: no longer parked
        seen.append(box.parked)
        box.frames.clear()
        box.arrival()
        box.put("state", "state", "s")  # any message wakes it
        seen.append(box.parked)
        box.arrival().cancel()  # its sender was cancelled while it waited: it calls wake as it stops
        box.wake()
        seen.append(box.parked)
        return seen

    assert run_async(scenario()) == [False, True, False, False, False]
