"""The session worker: ordered calls, a background task between them, bounded queue."""

import threading

import pytest

from app.engine.worker import Worker, WorkerBusy, WorkerClosed


@pytest.fixture
def worker():
    w = Worker("test")
    yield w
    w.close()


def test_calls_run_in_order_on_the_worker_thread(worker):
    seen = []
    futures = [worker.submit(lambda i=i: seen.append((i, threading.current_thread().name))) for i in range(5)]
    for future in futures:
        future.result(5)
    assert seen == [(i, "test") for i in range(5)]


def test_errors_reach_the_caller_and_the_worker_goes_on(worker):
    with pytest.raises(ZeroDivisionError):
        worker.submit(lambda: 1 / 0).result(5)
    assert worker.submit(lambda: 42).result(5) == 42


def test_background_runs_between_calls_until_stopped(worker):
    ticks = []
    reached = threading.Event()

    def tick():
        ticks.append(1)
        if len(ticks) >= 50:
            reached.set()

    worker.submit(worker.set_background, tick).result(5)
    assert reached.wait(5)
    assert worker.submit(lambda: "a call still gets through").result(5) == "a call still gets through"
    worker.submit(worker.set_background, None).result(5)
    count = len(ticks)
    assert worker.submit(len, ticks).result(5) == count


def test_a_failing_background_task_stops_but_calls_go_on(worker):
    def broken():
        raise RuntimeError("boom")

    worker.submit(worker.set_background, broken).result(5)
    assert worker.submit(lambda: worker._background).result(5) is None


def test_a_full_queue_says_busy():
    started, gate = threading.Event(), threading.Event()
    w = Worker("busy", max_pending=2)
    w.submit(lambda: (started.set(), gate.wait()))
    assert started.wait(5)
    w.submit(lambda: None)
    w.submit(lambda: None)
    with pytest.raises(WorkerBusy):
        w.submit(lambda: None)
    gate.set()
    w.close()


def test_a_closed_worker_refuses_calls_instead_of_leaving_them_unanswered():
    w = Worker("closed")
    w.close()
    with pytest.raises(WorkerClosed):
        w.submit(lambda: None)
