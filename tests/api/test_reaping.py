"""An idle session that is reaped really returns its memory: model, optimizer state and worker go."""

import gc
import weakref

from clock import ManualClock
from fastapi.testclient import TestClient
from polling import wait_until

from api.helpers import WAIT_S
from app.config import Settings
from app.factory import create_app


def test_a_reaped_training_session_releases_its_model_and_its_worker():
    settings = Settings(device="cpu", torch_threads=1, session_idle_s=60, max_training=1)
    clock = ManualClock()
    with TestClient(create_app(settings, clock)) as client:
        info = client.post("/api/sessions", json={"model": "lenet"}).json()
        manager = client.app.state.sessions
        session = manager.get(info["id"])
        client.portal.call(session.run, session.step_batches, 3)  # optimizer state exists
        client.portal.call(session.run, session.train)  # on the app's loop, as a driver's `train` does
        assert session.step >= 3
        live = weakref.ref(session.live)
        weight = weakref.ref(next(session.live.model.parameters()))
        optimizer = weakref.ref(session.live.trainer.optimizer)
        thread = session.worker._thread
        assert manager.training_queue.counts()["training"] == 1
        del session

        client.portal.call(manager.end_idle, settings.session_idle_s)
        assert len(manager) == 1  # training is not activity, but a minute has not passed
        clock.advance(settings.session_idle_s + 1)
        client.portal.call(manager.end_idle, settings.session_idle_s)  # the reaper's pass
        assert len(manager) == 0
        thread.join(WAIT_S)
        assert not thread.is_alive()

        def freed() -> bool:
            gc.collect()
            return live() is None and weight() is None and optimizer() is None

        # Under load a finished thread's last C-level reference can outlive the join by a moment (seen:
        # 1.7 s with no Python referrer left), so the memory is awaited rather than checked at once.
        wait_until(freed, "the reaped session's model, weights or optimizer are still referenced")
        assert manager.training_queue.counts()["training"] == 0  # its slot is free again
