"""Server processes for the scale-out tests: ``nnlive serve`` on a free port and a given Redis."""

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
from polling import wait_until
from redis_server import free_port

ROOT = Path(__file__).resolve().parents[1]
START_S = 120.0


class Worker:
    """``nnlive serve`` in a process of its own, on the given Redis."""

    def __init__(self, redis_url: str, extra: tuple[str, ...] = (), **env: str) -> None:
        """Start it and wait until it answers; ``extra``: more ``serve`` options; ``env``: settings."""
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        environment = {
            **os.environ,
            "NNLIVE_BUS_URL": redis_url,
            "NNLIVE_DEVICE": "cpu",
            "NNLIVE_TORCH_THREADS": "1",
            "NNLIVE_DATA_DIR": "",  # no snapshots unless a test asks: none restored from other runs
            **env,
        }
        command = [sys.executable, "-m", "app.cli", "serve", "--port", str(self.port), *extra]
        self.process = subprocess.Popen(command, cwd=ROOT, env=environment, stdout=subprocess.DEVNULL)
        try:  # importing torch in every worker takes long on a busy machine
            wait_until(self.healthy, f"the worker on port {self.port} did not start", wait_s=START_S)
        except BaseException:
            self.process.kill()
            self.process.wait()
            raise

    def healthy(self) -> bool:
        assert self.process.poll() is None, f"the worker exited with {self.process.returncode}"
        try:
            return httpx.get(f"{self.base}/healthz", timeout=2).status_code == 200
        except httpx.HTTPError:
            return False

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(30)


@contextmanager
def running_workers(redis_url: str, count: int = 2, **env: str) -> Iterator[list[Worker]]:
    """``count`` workers on one Redis with the settings ``env``; those still running are stopped after."""
    started: list[Worker] = []
    try:
        for _ in range(count):
            started.append(Worker(redis_url, **env))
        yield started
    finally:
        for worker in started:
            if worker.process.poll() is None:
                worker.stop()
