"""Sending from outside any task: done at once, finished by the task that awaits the rest when the send
waits, its error raised where the rest is awaited, a cancellation of that task passed on to the send."""

import asyncio

import pytest
from fake_send import FakeSend

from app.realtime.send_now import SendNow, Unfinished


async def finish(unfinished: Unfinished) -> None:
    await unfinished


def test_sends_that_do_not_wait_complete_at_once_without_a_task(run_async):
    async def scenario() -> tuple[list, list, int]:
        transport = FakeSend()
        sender = SendNow(transport)
        tasks_before = asyncio.all_tasks()
        results = [sender.send(n) for n in range(3)]
        return results, transport.sent, len(asyncio.all_tasks() - tasks_before)

    assert run_async(scenario()) == ([None, None, None], [0, 1, 2], 0)


def test_a_send_that_waits_is_finished_by_the_task_that_awaits_the_rest(run_async):
    async def scenario() -> tuple[list, bool, list, object]:
        transport = FakeSend()
        sender = SendNow(transport)
        transport.writable.clear()
        unfinished = sender.send("first")
        assert isinstance(unfinished, Unfinished)
        finishing = asyncio.create_task(finish(unfinished))
        for _ in range(3):
            await asyncio.sleep(0)
        waited = list(transport.sent)  # the task waits on the send's future, as if it awaited the send
        still_waiting = not finishing.done()
        transport.writable.set()
        await asyncio.wait_for(finishing, 5)
        return waited, still_waiting, list(transport.sent), sender.send("next")  # at once again

    assert run_async(scenario()) == ([], True, ["first"], None)


def test_the_rest_may_be_awaited_after_what_it_waits_on_is_done(run_async):
    async def scenario() -> list:
        transport = FakeSend()
        sender = SendNow(transport)
        transport.writable.clear()
        unfinished = sender.send("first")
        assert unfinished is not None
        transport.writable.set()  # before any task awaits the rest
        await unfinished
        return transport.sent

    assert run_async(scenario()) == ["first"]


@pytest.mark.parametrize("gone", [ConnectionResetError("the client went away"), asyncio.CancelledError()])
def test_an_error_at_once_is_raised_where_the_rest_is_awaited(run_async, gone: BaseException):
    calls: list = []

    async def send(message: object) -> None:
        calls.append(message)
        raise gone

    async def scenario() -> None:
        unfinished = SendNow(send).send("frame")
        assert unfinished is not None  # nothing raised here
        assert calls == ["frame"]
        await unfinished

    with pytest.raises(type(gone)) as raised:
        run_async(scenario())
    assert raised.value is gone
    assert calls == ["frame"]  # run once, not again when awaited


def test_cancelling_the_finishing_task_reaches_the_send(run_async):
    async def scenario() -> tuple[bool, int, list]:
        transport = FakeSend()
        transport.writable.clear()
        unfinished = SendNow(transport).send("frame")
        assert unfinished is not None
        finishing = asyncio.create_task(finish(unfinished))
        await asyncio.sleep(0)
        finishing.cancel()
        await asyncio.gather(finishing, return_exceptions=True)
        transport.writable.set()
        await asyncio.sleep(0)
        return finishing.cancelled(), transport.abandoned, transport.sent

    assert run_async(scenario()) == (True, 1, [])


def test_closing_the_rest_closes_the_send(run_async):
    async def scenario() -> list:
        log: list = []

        async def send(message: object) -> None:
            try:
                await asyncio.Event().wait()
            finally:
                log.append("closed")

        unfinished = SendNow(send).send("frame")
        assert unfinished is not None
        unfinished.close()
        return log

    assert run_async(scenario()) == ["closed"]
