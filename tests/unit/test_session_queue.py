"""Sessions sharing a training queue: admission from another session's thread, and a failing step."""

import json
import threading

import torch

from app.engine.live.lenet import LENET
from app.engine.params import validate
from app.sessions.session import Session
from app.sessions.training_queue import TrainingQueue

WAIT_S = 30.0


class StateLog:
    """The ``state`` messages one session published, with an event per state reached."""

    def __init__(self) -> None:
        self.states: list[dict] = []
        self._changed = threading.Condition()

    def emit(self, stream: str, payload: bytes) -> None:
        if stream == "state":
            with self._changed:
                self.states.append(json.loads(payload))
                self._changed.notify_all()

    def wait_for(self, state: str) -> dict:
        with self._changed:
            assert self._changed.wait_for(lambda: any(s["state"] == state for s in self.states), WAIT_S)
            return next(s for s in reversed(self.states) if s["state"] == state)


def lenet_session(name: str, queue: TrainingQueue, log: StateLog) -> Session:
    config = LENET.validate_config({})
    controls = validate(LENET.controls, {}, "controls")
    return Session(
        session_id=name,
        token="t",
        spec=LENET,
        config=config,
        controls=controls,
        seed=0,
        precision="float32",
        live=LENET.build(config, controls, 0, torch.device("cpu")),
        emit=log.emit,
        frame_interval=10.0,
        training_queue=queue,
    )


def test_a_failing_training_step_frees_the_slot_for_the_next_in_line():
    queue, first_log, second_log = TrainingQueue(1), StateLog(), StateLog()
    first, second = lenet_session("a", queue, first_log), lenet_session("b", queue, second_log)
    try:
        broken = threading.Event()

        def failing_step() -> None:
            broken.wait(WAIT_S)
            raise RuntimeError("out of memory")

        first.live.train_step = failing_step
        first.worker.submit(first.train).result(WAIT_S)
        second.worker.submit(second.train).result(WAIT_S)
        assert second_log.wait_for("queued")["place"] == 1
        broken.set()  # the first session's step fails: it stops and the second one's turn comes
        assert "place" not in first_log.wait_for("paused")
        second_log.wait_for("training")
        assert queue.counts() == {"training": 1, "queued": 0, "slots": 1}
    finally:
        first.close()
        second.close()
