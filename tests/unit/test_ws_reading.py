"""A connection's reading (in the handler's task) and its send loop (a task) end together, whichever
ends first, and a cancel from outside still cancels."""

import asyncio

import pytest

from app.realtime import ws


@pytest.fixture
def reading_forever(monkeypatch: pytest.MonkeyPatch) -> asyncio.Event:
    """Make ``_receive`` wait forever (a client that sends nothing); the event is set once it waits."""
    started = asyncio.Event()

    async def receive(_conn: object, _session: object, _viewer: object) -> None:
        started.set()
        await asyncio.Event().wait()

    monkeypatch.setattr(ws, "_receive", receive)
    return started


def read_while(run_async, sender_body):
    """Read until the send loop made of ``sender_body`` ends: that loop, and whether the reading task is still
    being cancelled afterwards."""

    async def scenario():
        sender = asyncio.create_task(sender_body())
        await ws._receive_while_sending(None, None, None, sender)  # type: ignore[arg-type]
        return sender, asyncio.current_task().cancelling()

    return run_async(asyncio.wait_for(scenario(), 5))


def test_the_send_loops_end_ends_the_reading(run_async, reading_forever: asyncio.Event):
    async def send_loop_that_closes():
        await reading_forever.wait()  # (it sent a close, say)

    sender, cancelling = read_while(run_async, send_loop_that_closes)
    assert sender.done()
    assert not sender.cancelled()
    assert cancelling == 0  # the reading's own cancel was taken back


def test_a_send_loop_that_fails_ends_the_reading(run_async, reading_forever: asyncio.Event):
    async def send_loop_that_fails():
        await reading_forever.wait()
        raise ConnectionResetError

    sender, cancelling = read_while(run_async, send_loop_that_fails)
    assert isinstance(sender.exception(), ConnectionResetError)
    assert cancelling == 0


def test_a_sender_ending_as_the_reading_returns_cancels_nothing(run_async, monkeypatch: pytest.MonkeyPatch):
    async def client_leaves(_conn: object, _session: object, _viewer: object) -> None:
        await asyncio.sleep(0)  # the send loop ends meanwhile: its done-callback runs after this returns

    monkeypatch.setattr(ws, "_receive", client_leaves)

    async def scenario():
        async def send_loop_that_ends_at_once() -> None:
            return

        sender = asyncio.create_task(send_loop_that_ends_at_once())
        await ws._receive_while_sending(None, None, None, sender)  # type: ignore[arg-type]
        await asyncio.sleep(0)  # (the handler's clean-up awaits here)
        await asyncio.sleep(0)
        return asyncio.current_task().cancelling()

    assert run_async(scenario()) == 0


def test_a_cancel_from_outside_still_cancels_the_reading(run_async, reading_forever: asyncio.Event):
    async def scenario():
        sender = asyncio.create_task(asyncio.Event().wait())
        reading = asyncio.create_task(ws._receive_while_sending(None, None, None, sender))  # type: ignore[arg-type]
        await reading_forever.wait()
        reading.cancel()
        with pytest.raises(asyncio.CancelledError):
            await reading
        assert not sender.done()  # the handler's finally cancels it
        sender.cancel()

    run_async(scenario())
