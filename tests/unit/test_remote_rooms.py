"""A viewer on a worker that does not own the session starts from the owner's snapshot and then gets the
room's frames: never one of them twice, never an older one after a newer."""

import asyncio
import dataclasses

import numpy as np
from restored_session import restored_session

from app.bus.memory import MemoryBus
from app.cluster.manager import entry_of
from app.cluster.remote_socket import RemoteRooms
from app.protocol import decode_frame, encode_frame
from app.sessions.manager import channel


class Recorder:
    """Stands for a viewer: keeps the seq of each frame it is offered, in order."""

    def __init__(self) -> None:
        self.seqs: list[int] = []

    def reply(self, message) -> None:
        pass

    def offer(self, stream, payload) -> None:
        if stream == "frame":
            self.seqs.append(decode_frame(payload)[0]["seq"])

    def offer_frame(self, message, wire) -> None:
        self.seqs.append(decode_frame(message["bytes"])[0]["seq"])


def _frame(seq: int) -> bytes:
    """A frame as the session makes them: its id and seq in the header."""
    return encode_frame({"type": "frame", "session": "s1", "seq": seq}, {"x": np.zeros(4, np.float32)})


def test_a_joiner_never_gets_its_snapshot_frame_again_nor_an_older_one(run_async):
    session = restored_session()
    entry = entry_of(session, "owner")
    session.close()

    async def scenario():
        bus = MemoryBus()
        rooms = RemoteRooms(type("Node", (), {"bus": bus})())  # the rooms use only the node's bus
        first, joiner = Recorder(), Recorder()
        await rooms.join("s1", first, entry)  # a snapshot without a frame yet
        for seq in (3, 4):
            bus.publish_nowait(channel("s1", "frame"), _frame(seq))
        await asyncio.sleep(0)  # the room relays them
        # The owner's snapshot already holds frame 5; the room is yet to relay it (and 4 again: a
        # republished older one stands for any frame the room receives after the snapshot was read).
        await rooms.join("s1", joiner, dataclasses.replace(entry, frame=_frame(5)))
        for seq in (4, 5, 6, 7):
            bus.publish_nowait(channel("s1", "frame"), _frame(seq))
        await asyncio.sleep(0)
        await rooms.close()
        return first.seqs, joiner.seqs

    first, joiner = run_async(scenario())
    assert joiner == [5, 6, 7]
    assert first == [3, 4, 4, 5, 6, 7]  # viewers already in the room get what the room relays


def test_a_joiner_is_not_frozen_when_the_sessions_frame_count_begins_again(run_async):
    """A session restored or adopted elsewhere numbers its frames from 0 again: a joiner that started
    from frame 500 gets frame 1 at once instead of waiting for frame 501."""
    session = restored_session()
    entry = entry_of(session, "owner")
    session.close()

    async def scenario():
        bus = MemoryBus()
        rooms = RemoteRooms(type("Node", (), {"bus": bus})())
        joiner = Recorder()
        await rooms.join("s1", joiner, dataclasses.replace(entry, frame=_frame(500)))
        for seq in (499, 1, 2):  # a late frame (skipped), then the count from the start again
            bus.publish_nowait(channel("s1", "frame"), _frame(seq))
        await asyncio.sleep(0)
        await rooms.close()
        return joiner.seqs

    assert run_async(scenario()) == [500, 1, 2]
