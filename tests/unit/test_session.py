"""A session on its own: errors it reports and the frames it publishes (real models, no server)."""

import asyncio
import threading

import pytest
import torch
from client_messages import typed

from app.engine.live.dropout import DROPOUT
from app.engine.params import validate
from app.errors import BadRequest, Busy, NotFound
from app.protocol import decode_frame
from app.sessions.session import Session


def dropout_session(published: list) -> Session:
    config = DROPOUT.validate_config({})
    controls = validate(DROPOUT.controls, {}, "controls")
    return Session(
        session_id="s",
        token="t",
        spec=DROPOUT,
        config=config,
        controls=controls,
        seed=0,
        precision="float32",
        live=DROPOUT.build(config, controls, 0, torch.device("cpu")),
        emit=lambda stream, payload: published.append((stream, payload)),
        frame_interval=0.0,
    )


def test_a_session_whose_worker_is_swamped_says_busy_and_recovers(run_async):
    published: list = []
    session = dropout_session(published)
    started, gate = threading.Event(), threading.Event()
    session.worker.submit(lambda: (started.set(), gate.wait()))
    assert started.wait(10)

    async def flood() -> list:
        calls = [session.run(session.apply, typed({"type": "resample", "id": i})) for i in range(40)]
        return await asyncio.gather(*calls, return_exceptions=True)

    async def scenario() -> list:
        pending = asyncio.ensure_future(flood())
        await asyncio.sleep(0.05)
        gate.set()
        return await pending

    results = run_async(scenario())
    busy = [r for r in results if isinstance(r, Busy)]
    assert busy
    assert busy[0].code == "busy"
    assert busy[0].retry_after
    answered = [decode_frame(p)[0]["reply_to"] for s, p in published if s == "frame"]
    assert len(answered) == 40 - len(busy)  # every accepted message got its frame
    session.close()


def test_a_message_the_model_does_not_take_is_a_bad_request(run_async):
    session = dropout_session([])
    with pytest.raises(BadRequest) as error:
        run_async(session.run(session.apply, typed({"type": "kernel", "preset": "edge", "id": 1})))
    assert error.value.field == "type"
    session.close()


def test_a_command_to_an_ended_session_is_not_found_instead_of_waiting_forever(run_async):
    session = dropout_session([])
    session.close()
    with pytest.raises(NotFound, match="has ended"):
        run_async(asyncio.wait_for(session.run(session.reset), 5))
