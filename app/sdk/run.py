"""A run: the user's side of an external session — hooks on a model, logged scalars, frames to a server."""

import logging
import math
import re
import sys
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import torch
from torch import nn

from app.sdk.capture import FRAME_BUDGET_BYTES, Watcher
from app.sdk.embedded import EmbeddedServer
from app.sdk.transport import Transport

log = logging.getLogger("nnlive.sdk")
PRECISIONS = {"float16": torch.float16, "float32": torch.float32}


def default_run_name() -> str:
    """The script's file name without its suffix (``train.py`` → ``train``), or ``notebook``."""
    stem = Path(sys.argv[0]).stem if sys.argv and sys.argv[0] else ""
    name = re.sub(r"[^A-Za-z0-9_.-]", "-", stem).strip("-.")[:64]
    return name if name and not name.startswith("ipykernel") else "notebook"


def finite_or_none(values: dict[str, float]) -> dict[str, float | None]:
    """NaN and infinities as None: JSON has no such numbers (a diverging loss shows as a gap)."""
    return {name: value if math.isfinite(value) else None for name, value in values.items()}


class Run:
    """Streams one training run to an nnlive server; ``log`` and the hooks never raise or block."""

    def __init__(
        self,
        url: str,
        name: str,
        fps: float,
        precision: str,
        server: EmbeddedServer | None,
        *,
        frame_bytes: int = FRAME_BUDGET_BYTES,
    ) -> None:
        if precision not in PRECISIONS:
            raise ValueError(f"precision must be one of {', '.join(PRECISIONS)}")
        if fps <= 0:
            raise ValueError("fps must be positive")
        self.url = url.rstrip("/")
        self._interval, self._dtype, self._frame_bytes = 1.0 / fps, PRECISIONS[precision], frame_bytes
        self._server = server
        self._transport = Transport(self.url, name)
        self._watcher: Watcher | None = None
        self._step = 0
        self._sums: dict[str, Any] = {}  # scalars summed since the last frame (tensors stay on device)
        self._counts: dict[str, int] = {}
        self._last_frame = float("-inf")

    @property
    def name(self) -> str:
        """The run's name: the one asked for, or a free one the server gave when another script holds it."""
        return self._transport.run

    @property
    def viewer_url(self) -> str:
        """The page that shows this run (it follows the run's newest session)."""
        return f"{self.url}/inspect?run={self.name}"

    @property
    def sent(self) -> int:
        """Frames handed to the server so far."""
        return self._transport.sent

    @property
    def connected(self) -> bool:
        """Whether the run's socket to the server is open now."""
        return self._transport.connected

    def wait_connected(self, timeout: float | None = None) -> bool:
        """Wait until the run's socket to the server is open; False when ``timeout`` seconds passed first."""
        return self._transport.wait_connected(timeout)

    @property
    def session_id(self) -> str | None:
        """The server session the run streams to (a new one after a server restart), or None yet."""
        session = self._transport.session
        return session["id"] if session else None

    def watch(
        self, model: nn.Module, include: Iterable[str] | None = None, exclude: Iterable[str] | None = None
    ) -> "Run":
        """Hook every named module of ``model`` whose name matches a glob of ``include`` (all when None)
        and none of ``exclude``; replaces an earlier ``watch``."""
        if self._watcher is not None:
            self._watcher.remove()
        self._watcher = Watcher(model, self._due, self._publish, include, exclude)
        return self

    def log(self, step: int | None = None, **scalars: float | torch.Tensor) -> None:
        """Record this step's scalars (numbers or 0-d tensors); send a frame when one is due."""
        try:
            if step is not None:
                self._step = int(step)
            for name, raw in scalars.items():
                value = raw.detach() if isinstance(raw, torch.Tensor) else float(raw)
                self._sums[name] = self._sums.get(name, 0.0) + value
                self._counts[name] = self._counts.get(name, 0) + 1
            if self._watcher is not None:
                if self._watcher.capture is not None:  # this step's forward was captured
                    self._publish()
            elif self._due():
                self._publish()
            self._step += 1
        except Exception:
            log.exception("nnlive: log() failed; training goes on")

    def close(self) -> None:
        """Send what is pending, remove the hooks, disconnect (and stop an embedded server)."""
        if self._watcher is not None:
            if self._watcher.capture is not None:
                self._publish()
            self._watcher.remove()
            self._watcher = None
        self._transport.close()
        if self._server is not None:
            self._server.stop()

    def __enter__(self) -> "Run":
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def _due(self) -> bool:
        return time.monotonic() - self._last_frame >= self._interval

    def _publish(self) -> None:
        arrays, norms = self._watcher.take(self._dtype, self._frame_bytes) if self._watcher else ({}, {})
        means = {name: float(total) / self._counts[name] for name, total in self._sums.items()}
        self._sums, self._counts = {}, {}
        header = {
            "step": self._step,
            "run": self.name,
            "scalars": finite_or_none(means),
            "grad_norms": finite_or_none(norms),
            "modules": self._watcher.tree() if self._watcher else [],
        }
        self._last_frame = time.monotonic()
        self._transport.offer(header, arrays)


def connect(
    url: str | None = None,
    run: str | None = None,
    fps: float = 10.0,
    precision: str = "float16",
    frame_bytes: int = FRAME_BUDGET_BYTES,
) -> Run:
    """Stream to the nnlive server at ``url``, or to one started in this process when ``url`` is None.

    ``run`` names the run (default: the script's name); ``fps`` caps frames per second; ``precision``
    is the dtype of streamed activations and gradients; ``frame_bytes`` bounds a frame's tensors (when
    a model's modules do not fit one frame, frames take turns showing them).
    """
    server = EmbeddedServer() if url is None else None
    name = run or default_run_name()
    result = Run(url or server.url, name, fps, precision, server, frame_bytes=frame_bytes)
    print(f"nnlive: watch this run at {result.viewer_url}", flush=True)
    return result
