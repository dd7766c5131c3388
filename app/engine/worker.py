"""A thread that owns one session's torch work, so the event loop never waits on a model.

Calls submitted from any thread run in order; between calls, while a background task is set (training),
the worker runs it repeatedly. Calls always go first, so a drawing is answered even mid-training.
"""

import asyncio
import contextlib
import logging
import queue
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any

_STOP = object()
_WAKE = object()  # look again at the background task (it was set from another thread)
log = logging.getLogger(__name__)


class WorkerBusy(RuntimeError):
    """Too many calls are waiting for this worker."""


class WorkerClosed(RuntimeError):
    """The worker was closed (its session ended): a call would never run."""


class Worker:
    """One daemon thread with a bounded call queue and an optional repeating background task."""

    def __init__(self, name: str, max_pending: int = 32) -> None:
        self._calls: queue.Queue = queue.Queue(maxsize=max_pending)
        self._background: Callable[[], None] | None = None
        self._closed = False
        self._closing = threading.Lock()  # no call is queued behind the stop
        self._cpu_clock: int | None = None  # the thread's CPU-time clock, set by the thread itself
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    def submit(self, fn: Callable[..., Any], *args: Any) -> Future:
        """Queue ``fn(*args)`` to run on the worker; raises WorkerBusy when the queue is full, WorkerClosed
        once the worker was closed."""
        future: Future = Future()
        with self._closing:
            if self._closed:
                raise WorkerClosed(f"{self._thread.name} has ended")
            try:
                self._calls.put_nowait((fn, args, future))
            except queue.Full:
                raise WorkerBusy("the model is busy; try again in a moment") from None
        return future

    async def call(self, fn: Callable[..., Any], *args: Any) -> Any:
        """Run ``fn(*args)`` on the worker and await its result.

        Cancelling the awaiting task (its client left) does not cancel the call: a command that was
        received is carried out.
        """
        return await asyncio.shield(asyncio.wrap_future(self.submit(fn, *args)))

    def set_background(self, task: Callable[[], None] | None) -> None:
        """Repeat ``task`` whenever no call is waiting (None stops); from the worker or any thread."""
        self._background = task
        if task is not None and threading.current_thread() is not self._thread:
            with contextlib.suppress(queue.Full):  # a full queue wakes the worker anyway
                self._calls.put_nowait(_WAKE)

    def cpu_seconds(self) -> float:
        """CPU time the worker thread has used so far (0 before it starts, after it ends, or where the
        platform has no per-thread CPU clock)."""
        try:
            return time.clock_gettime(self._cpu_clock) if self._cpu_clock is not None else 0.0
        except OSError:  # the thread has ended: its clock is gone
            return 0.0

    def close(self, timeout: float = 5.0) -> None:
        """Stop after the calls already queued; wait up to ``timeout`` seconds for the thread."""
        self._background = None
        with self._closing:
            self._closed = True
            self._calls.put(_STOP)
        self._thread.join(timeout)

    def _run(self) -> None:
        clock_of = getattr(time, "pthread_getcpuclockid", None)  # Linux and most Unixes, not macOS
        self._cpu_clock = clock_of(threading.get_ident()) if clock_of else None
        while True:
            try:
                item = self._calls.get(block=self._background is None)
            except queue.Empty:
                self._run_background()
                continue
            if item is _STOP:
                return
            if item is _WAKE:
                continue
            fn, args, future = item
            if future.set_running_or_notify_cancel():
                try:
                    future.set_result(fn(*args))
                except BaseException as exc:  # delivered to the caller, the worker goes on
                    future.set_exception(exc)

    def _run_background(self) -> None:
        task = self._background
        if task is None:
            return
        try:
            task()
        except Exception:  # a failing task stops repeating; the worker keeps serving calls
            log.exception("background task of %s failed; stopped", self._thread.name)
            self._background = None
