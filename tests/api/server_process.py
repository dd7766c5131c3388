"""A real uvicorn process serving the app, as deployed (it gets signals, unlike the in-thread test server)."""

import os
import subprocess
import sys
from pathlib import Path

import httpx
from polling import wait_until
from redis_server import free_port

from api.helpers import WAIT_S
from app.cli import WS_MAX_BYTES

START_S = 120.0  # importing torch and restoring sessions, on a busy machine


def start_server(
    env: dict[str, str] | None = None, log: Path | None = None, port: int = 0
) -> tuple[str, subprocess.Popen]:
    """Start ``uvicorn app.main:app`` on ``port`` (0: a free one) with ``env`` added (its stderr into
    ``log``); return its base URL and the process once it answers /healthz."""
    port = port or free_port()
    command = [sys.executable, "-m", "uvicorn", "app.main:app", "--port", str(port), "--log-level", "warning"]
    command += ["--ws-per-message-deflate", "false", "--ws-max-size", str(WS_MAX_BYTES)]
    stderr = open(log, "ab") if log else None  # noqa: SIM115 (the child writes to it; closed below)
    try:
        process = subprocess.Popen(
            command, env={**os.environ, "NNLIVE_DEVICE": "cpu", **(env or {})}, stderr=stderr
        )
    finally:
        if stderr:
            stderr.close()
    base = f"http://127.0.0.1:{port}"

    def answers() -> bool:
        assert process.poll() is None, "uvicorn stopped"
        try:
            return httpx.get(f"{base}/healthz", timeout=1).status_code == 200
        except httpx.HTTPError:
            return False

    try:
        wait_until(answers, "uvicorn did not start", START_S)
    except BaseException:
        stop_server(process)
        raise
    return base, process


def stop_server(process: subprocess.Popen) -> None:
    """Kill the process if it still runs, and reap it."""
    if process.poll() is None:
        process.kill()
    process.wait(WAIT_S)
