"""The deployment's training queue on a real Redis: two workers' queues share the slots and the line,
a session waits while Redis is away, and the queue carries on with a restarted Redis."""

import asyncio
from collections.abc import Iterator

import pytest
import redis.asyncio as redis
from redis_server import RedisServer

from app.cluster.training_slots import KEYS, SharedTrainingQueue

WAIT_S = 30.0


@pytest.fixture
def redis_server() -> Iterator[RedisServer]:
    server = RedisServer().start()
    yield server
    server.stop()


class Told:
    """Every place a queue told its sessions, in order."""

    def __init__(self) -> None:
        self.places: asyncio.Queue[tuple[str, int]] = asyncio.Queue()

    def teller(self, key: str):
        return lambda place: self.places.put_nowait((key, place))

    async def next(self) -> tuple[str, int]:
        return await asyncio.wait_for(self.places.get(), WAIT_S)


def test_two_workers_share_one_slot_wait_without_redis_and_carry_on(redis_server, run_async):
    async def scenario() -> None:
        told = Told()
        one, two = SharedTrainingQueue(redis_server.url, 1), SharedTrainingQueue(redis_server.url, 1)
        one.start()
        two.start()
        try:
            one.enter("a", told.teller("a"))
            assert await told.next() == ("a", 0)
            two.enter("b", told.teller("b"))
            assert await told.next() == ("b", 1)  # a, on the other worker, holds the only slot
            two.enter("c", told.teller("c"))
            assert await told.next() == ("c", 2)
            two.enter("b", told.teller("b"))  # asking again keeps its place
            assert await told.next() == ("b", 1)

            one.leave("a")  # the slot freed on one worker goes to the head of the line on the other
            assert [await told.next(), await told.next()] == [("b", 0), ("c", 1)]
            assert two.counts() == {"training": 1, "queued": 1, "slots": 1}

            redis_server.stop()  # Redis away: a new session is told it waits
            one.enter("d", told.teller("d"))
            assert await told.next() == ("d", 2)

            redis_server.start()  # an empty Redis again: the sessions still asking line up anew
            two.leave("b")
            places = {"c": 1, "d": 2}  # as told last
            while places["d"] == 2 or sorted(places.values()) != [0, 1]:  # times out unless it comes true
                key, place = await told.next()
                places[key] = place  # whichever worker synced first trains; the other is next
        finally:
            await one.close()
            await two.close()
        check = redis.from_url(redis_server.url)
        assert await check.zcard(KEYS[0]) == 0  # closing gave the slots back at once
        assert await check.zcard(KEYS[1]) == 0
        await check.aclose()

    run_async(scenario())
