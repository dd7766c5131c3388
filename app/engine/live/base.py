"""What a session needs from a live model, whatever its family."""

from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
import torch

from app.engine.params import Param, validate
from app.engine.training import Metrics
from app.protocol.messages import InputMessage


class LiveModel(Protocol):
    """A model with its data and optimizer, driven by one session's worker thread only."""

    def describe(self) -> dict[str, Any]:
        """Static facts for clients: layer geometry, dataset sizes."""

    def reset(self) -> None:
        """Back to the initial weights and a fresh optimizer."""

    def handle(self, message: InputMessage) -> bool | None:
        """Take an input message of a type listed in the spec's ``inputs`` (raise ParamError if bad).

        Return True when the model started again (new weights, e.g. a new vocabulary): the session then
        goes back to step 0 and forgets its history."""

    def train_step(self) -> None:
        """Run one optimizer step (models whose spec trains)."""

    def take_running(self) -> Metrics | None:
        """Training metrics averaged since the last call (None when there is no training)."""

    def evaluate(self) -> Metrics | None:
        """Validation metrics now (models whose spec trains; None when nothing is held out).

        A model watched step by step may set ``step_interval``: the seconds a training step takes at
        least while training runs in the background (a ``step`` message runs its steps at once)."""

    def set_controls(self, controls: dict[str, Any]) -> None:
        """Apply already-validated live controls."""

    def frame(self, grads: bool, dtype: torch.dtype) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
        """Header fields and CPU arrays of the model's response to its current probe."""

    def export_weights(self) -> bytes:
        """The state_dict as a safetensors file."""


@dataclass(frozen=True)
class ModelSpec:
    """A catalog entry: declared parameters, streamed tensor names and how to build the live model."""

    name: str
    title: str
    page: str
    config: tuple[Param, ...]
    controls: tuple[Param, ...]
    tensors: tuple[str, ...]  # in every frame
    optional_tensors: dict[str, tuple[str, ...]]  # added while the named boolean control is on
    inputs: frozenset[str]  # the input message types the model takes (forward, sample, kernel…)
    trains: bool  # whether train / pause / step apply
    precision: str  # default dtype of frame tensors: float16 (feature maps) or float32 (numbers shown)
    build: Any  # (config: dict, controls: dict, seed: int, device: torch.device) -> LiveModel
    check: Any = None  # (config: dict) -> None, raising ParamError for fields that clash
    relayed: bool = False  # its frames come from its driver (an SDK run), checked and relayed as they are

    def validate_config(self, values: Any) -> dict[str, Any]:
        """Defaults filled in, each field within its bounds, and the fields consistent together."""
        config = validate(self.config, values, "config")
        if self.check is not None:
            self.check(config)
        return config

    def describe(self) -> dict[str, Any]:
        """The public catalog entry (GET /api/models)."""
        return {
            "name": self.name,
            "title": self.title,
            "page": self.page,
            "config": [p.describe() for p in self.config],
            "controls": [p.describe() for p in self.controls],
            "tensors": list(self.tensors),
            "optional_tensors": {k: list(v) for k, v in self.optional_tensors.items()},
            "inputs": sorted(self.inputs),
            "trains": self.trains,
        }
