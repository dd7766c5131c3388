"""Frames sent inline from the room's pump: no task when the socket is writable, the order kept when not."""

import asyncio

from app.realtime.inline import run_inline
from app.realtime.viewer import FRAME_DEPTH, Viewer


class GatedSocket:
    """A socket whose sends complete at once while ``open`` is set, and wait for it otherwise."""

    def __init__(self) -> None:
        self.sent: list = []
        self.open = asyncio.Event()
        self.open.set()

    async def send_bytes(self, data: bytes) -> None:
        await self.open.wait()
        self.sent.append(data)

    async def send_text(self, text: str) -> None:
        await self.open.wait()
        self.sent.append(text)


def test_a_coroutine_that_never_waits_runs_to_its_end_inline_and_one_that_waits_becomes_a_task(run_async):
    async def scenario():
        done: list[str] = []

        async def quick() -> None:
            done.append("quick")

        async def slow(gate: asyncio.Event) -> None:
            await gate.wait()  # as uvicorn's send waits for a backed-up socket to drain
            done.append("slow")

        assert run_inline(quick()) is None
        assert done == ["quick"]
        gate = asyncio.Event()
        task = run_inline(slow(gate))
        assert task is not None
        await asyncio.sleep(0)
        assert not task.done()
        gate.set()
        await task
        return done

    assert run_async(scenario()) == ["quick", "slow"]


def test_frames_to_an_idle_viewer_go_out_inline_and_in_order_when_a_send_must_wait(run_async):
    async def scenario():
        socket = GatedSocket()
        viewer = Viewer(socket)
        loop = asyncio.create_task(viewer.send_loop())
        await asyncio.sleep(0)  # the loop waits on its empty mailbox
        viewer.offer("frame", b"1")  # sent inline: no task switch needed
        inline = list(socket.sent)
        socket.open.clear()  # the socket backs up
        for frame in (b"2", b"3", b"4", b"5", b"6"):
            viewer.offer("frame", frame)  # 2 waits in flight; 3..6 queue, the newest FRAME_DEPTH kept
        queued = viewer._mailbox.waiting("frame")
        socket.open.set()
        for _ in range(20):
            await asyncio.sleep(0)
        loop.cancel()
        return inline, queued, socket.sent

    inline, queued, sent = run_async(scenario())
    assert inline == [b"1"]
    assert len(queued) == FRAME_DEPTH
    assert sent == [b"1", b"2", b"4", b"5", b"6"]
