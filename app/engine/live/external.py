"""An external run: a session whose frames come from the user's own script through the SDK.

The server runs no model for it; the session's driver publishes binary frames (see
app/realtime/relay.py), which viewers receive exactly like a model's frames.
"""

from typing import Any

import numpy as np
import torch
from safetensors.torch import save

from app.engine.live.base import ModelSpec
from app.protocol.messages import InputMessage

MAX_POINTS = 2000  # curve points kept for late joiners; past it every other one is dropped


class ExternalRun:
    """The stand-in live model of an SDK run: no weights, no inputs, an empty first frame; it keeps the
    run's curves (logged scalars, gradient norms) for pages that open late."""

    def __init__(self, config: dict, controls: dict, seed: int, device: torch.device) -> None:
        self._points: list[tuple[int, dict, dict]] = []

    def record(self, step: int, scalars: dict[str, float | None], grad_norms: dict[str, float]) -> None:
        """Keep one frame's curve points (a single list append: safe to read from any thread)."""
        if not scalars and not grad_norms:
            return
        if len(self._points) >= MAX_POINTS:
            self._points = self._points[::2]
        self._points.append((step, scalars, grad_norms))

    def curves(self) -> dict[str, list]:
        """One entry per frame: ``{"step": [...], "scalars": [{name: v}…], "grad_norms": [{module: v}…]}``."""
        points = list(self._points)
        return {
            "step": [p[0] for p in points],
            "scalars": [p[1] for p in points],
            "grad_norms": [p[2] for p in points],
        }

    def describe(self) -> dict[str, Any]:
        """Where the frames come from."""
        return {"source": "sdk"}

    def reset(self) -> None:
        """Nothing to reset: the script owns the model."""

    def handle(self, message: InputMessage) -> None:
        """Takes no input messages (the catalog lists none)."""

    def set_controls(self, controls: dict[str, Any]) -> None:
        """Has no controls."""

    def take_running(self) -> None:
        """Training metrics travel in the script's frames."""

    def frame(self, grads: bool, dtype: torch.dtype) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
        """The frame before the script's first one: no modules yet."""
        return {"modules": []}, {}

    def export_weights(self) -> bytes:
        """The weights stay in the script: an empty safetensors file."""
        return save({})


INSPECT = ModelSpec(
    name="inspect",
    title="Your own model (SDK)",
    page="/inspect",
    config=(),
    controls=(),
    tensors=(),
    optional_tensors={},
    inputs=frozenset(),
    trains=False,
    precision="float16",
    build=ExternalRun,
    relayed=True,
)
