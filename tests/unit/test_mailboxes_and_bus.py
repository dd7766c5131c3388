"""Newest-wins mailboxes and the memory bus: bounded memory for slow readers, order otherwise."""

import asyncio
import threading

from app.bus.memory import MemoryBus
from app.latest import LatestSlots
from app.protocol.server import Closed
from app.realtime.rooms import Room
from app.sessions.manager import channel


def test_newest_value_wins_per_stream(run_async):
    async def scenario():
        slots = LatestSlots()
        for i in range(100):
            slots.put("frame", i)
        slots.put("state", "paused")
        slots.put("frame", 100)
        assert len(slots) == 2
        return [await slots.get(), await slots.get()]

    assert run_async(scenario()) == [("state", "paused"), ("frame", 100)]


def test_a_deep_stream_keeps_its_newest_values_in_order_among_the_others(run_async):
    async def scenario():
        slots = LatestSlots({"frame": 3})
        slots.put("frame", 1)
        slots.put("state", "paused")
        slots.put("frame", 2)  # a momentary lag: nothing is lost
        first = [await slots.get(), await slots.get(), await slots.get()]
        for i in range(3, 10):  # a reader that is really behind: only the newest three wait
            slots.put("frame", i)
        slots.put("state", "training")
        assert slots.waiting("frame") == [7, 8, 9]
        assert len(slots) == 4
        rest = [await slots.get() for _ in range(4)]
        return first, rest

    first, rest = run_async(scenario())
    assert first == [("frame", 1), ("state", "paused"), ("frame", 2)]
    assert rest == [("frame", 7), ("frame", 8), ("frame", 9), ("state", "training")]


def test_get_waits_for_a_value(run_async):
    async def scenario():
        slots = LatestSlots()
        waiter = asyncio.create_task(slots.get())
        await asyncio.sleep(0.01)
        assert not waiter.done()
        slots.put("frame", b"x")
        return await asyncio.wait_for(waiter, 1)

    assert run_async(scenario()) == ("frame", b"x")


def test_memory_bus_fans_out_in_order_and_drops_oldest_for_laggards(run_async):
    async def scenario():
        bus = MemoryBus(depth=4)
        async with bus.subscribe("ch") as fast, bus.subscribe("ch") as slow:
            got_fast = []
            for i in range(10):
                await bus.publish("ch", bytes([i]))
                got_fast.append(await anext(fast))
            got_slow = [await anext(slow) for _ in range(4)]
        await bus.publish("ch", b"nobody listens")
        return got_fast, got_slow, bus._subscribers

    fast, slow, subscribers = run_async(scenario())
    assert fast == [bytes([i]) for i in range(10)]
    assert slow == [bytes([i]) for i in range(6, 10)]
    assert not subscribers


def test_a_room_skips_an_unreadable_snapshot_and_goes_on(run_async):
    class Recorder:
        def __init__(self) -> None:
            self.got: asyncio.Queue = asyncio.Queue()

        def offer(self, stream, payload) -> None:
            self.got.put_nowait((stream, payload))

    async def scenario():
        bus, viewer = MemoryBus(), Recorder()
        room = Room(bus, "s1")
        room.viewers.add(viewer)
        await room.ready()
        await bus.publish(channel("s1", "state"), b'{"type":"state","from":"another version"}')
        await bus.publish(channel("s1", "state"), Closed(reason="deleted").encoded)
        got = await asyncio.wait_for(viewer.got.get(), 1)
        await room.close()
        return got

    assert run_async(scenario()) == ("state", Closed(reason="deleted"))


def test_a_putter_puts_at_once_on_the_loop_and_through_the_loop_from_another_thread(run_async):
    async def scenario():
        slots = LatestSlots({"frame": 4})
        put = slots.putter()
        put("frame", 1)  # on the loop's thread: there before anything else runs
        assert slots.waiting("frame") == [1]
        worker = threading.Thread(target=lambda: [put("frame", 2), put("state", "paused")])
        worker.start()
        worker.join()
        assert slots.waiting("frame") == [1]  # handed to the loop, not put from the other thread
        return [await asyncio.wait_for(slots.get(), 1) for _ in range(3)]

    assert run_async(scenario()) == [("frame", 1), ("frame", 2), ("state", "paused")]


def test_a_putter_hands_a_value_to_at_once_only_while_the_reader_waits_with_nothing_unread(run_async):
    async def scenario():
        slots, handled = LatestSlots({"frame": 4}), []
        put = slots.putter(lambda stream, value: handled.append(value) or value != "declined")
        put("frame", 1)  # no reader yet
        reader = asyncio.create_task(slots.get())
        await asyncio.sleep(0)
        assert reader.result() == ("frame", 1)
        reader = asyncio.create_task(slots.get())
        await asyncio.sleep(0)  # now it waits with nothing unread
        put("frame", 2)
        put("state", "declined")  # at_once says no: it waits in the mailbox
        assert (handled, slots.waiting("state")) == ([2, "declined"], ["declined"])
        put("frame", 3)  # something is unread: it waits behind it, at_once is not asked
        assert await reader == ("state", "declined")
        assert (handled, await slots.get()) == ([2, "declined"], ("frame", 3))

    run_async(scenario())
