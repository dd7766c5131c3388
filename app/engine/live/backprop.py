"""Backpropagation with every number: a small network, one batch, the hand-written chain rule checked
against autograd on every frame, and `step` as one SGD update on that batch."""

import math
from typing import Any

import numpy as np
import torch
from safetensors.torch import save

from app.engine.inputs import TYPED_LIMIT, as_tensor, check_range
from app.engine.live.base import ModelSpec
from app.engine.live.weights import check_fits
from app.engine.models.backprop import (
    ACTIVATIONS,
    DTYPE,
    LOSSES,
    OUTPUTS,
    autograd_grads,
    backward,
    forward,
    init_net,
    max_error,
    updated,
)
from app.engine.params import Param, ParamError
from app.engine.training import Metrics

MAX_BATCH = 16


class BackpropLive:
    """One session's network and batch; ``train_step`` is one SGD update on the whole batch."""

    def __init__(self, config: dict, controls: dict, seed: int, device: torch.device) -> None:
        self.sizes, self.loss = config["sizes"], config["loss"]
        self.activation, self.output = config["activation"], config["output"]
        self.seed, self.lr = seed, controls["lr"]
        self.reset()
        self.x, self.target = self._first_batch()

    def reset(self) -> None:
        """The seed's initial weights (the batch stays)."""
        self.net = init_net(
            self.sizes, self.activation, self.output, torch.Generator().manual_seed(self.seed)
        )
        self._running: list[float] = []

    def _first_batch(self) -> tuple[torch.Tensor, torch.Tensor]:
        """One sample: inputs in [−1, 1] and targets in [0, 1], rounded to 0.1 so they read well."""
        generator = torch.Generator().manual_seed(self.seed + 1)
        x = torch.rand(1, self.sizes[0], generator=generator, dtype=DTYPE) * 2 - 1
        y = torch.rand(1, self.sizes[-1], generator=generator, dtype=DTYPE)
        return (x * 10).round() / 10, (y * 10).round() / 10

    def describe(self) -> dict[str, Any]:
        """Layer sizes and each layer's activation."""
        return {"layers": self.sizes, "activations": self.net.activations, "limits": {"batch": MAX_BATCH}}

    def handle(self, message: dict[str, Any]) -> None:
        """``forward``: a new batch, ``input`` [N, sizes[0]] and ``target`` [N, sizes[-1]]."""
        x = self._rows(message["input"], "input", self.sizes[0])
        if message.get("target") is None:
            raise ParamError("target", f"required: {len(x)} rows of {self.sizes[-1]} numbers")
        target = self._rows(message["target"], "target", self.sizes[-1])
        if len(target) != len(x):
            raise ParamError("target", f"must have as many rows as input ({len(x)}), got {len(target)}")
        if self.loss == "bce" and (target.min() < 0 or target.max() > 1):
            raise ParamError("target", "values must be in [0, 1] for binary cross-entropy")
        self.x, self.target = x, target

    @staticmethod
    def _rows(values: Any, field: str, width: int) -> torch.Tensor:
        rows = check_range(as_tensor(values, field), TYPED_LIMIT, field)
        if rows.dim() != 2 or rows.shape[1] != width or not 1 <= rows.shape[0] <= MAX_BATCH:
            raise ParamError(
                field, f"must be 1–{MAX_BATCH} rows of {width} numbers, got shape {list(rows.shape)}"
            )
        return rows.to(DTYPE)

    def set_controls(self, controls: dict[str, Any]) -> None:
        """The learning rate α."""
        self.lr = controls.get("lr", self.lr)

    def train_step(self) -> None:
        """One SGD update on the batch: W ← W − α·∂L/∂W, b ← b − α·∂L/∂b (hand-written gradients).

        An update that would overflow (a learning rate far too large) is refused naming ``lr``."""
        fwd = forward(self.net, self.x, self.target, self.loss)
        after = updated(self.net, backward(self.net, fwd, self.target, self.loss), self.lr)
        finite = all(torch.isfinite(t).all() for t in (*after.weights, *after.biases))
        if not (finite and math.isfinite(forward(after, self.x, self.target, self.loss).loss)):
            raise ParamError(
                "lr", f"the update overflowed the weights: lower the learning rate (now {self.lr:g})"
            )
        self.net = after
        self._running.append(fwd.loss)

    def take_running(self) -> Metrics | None:
        """The mean loss of the batch before each update since the last call."""
        running, self._running = self._running, []
        return Metrics(sum(running) / len(running), None) if running else None

    def evaluate(self) -> Metrics:
        """The loss on the batch now."""
        return Metrics(forward(self.net, self.x, self.target, self.loss).loss, None)

    def frame(self, grads: bool, dtype: torch.dtype) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
        """Weights, z, a and every gradient per layer; the loss now and after the next update."""
        fwd = forward(self.net, self.x, self.target, self.loss)
        hand = backward(self.net, fwd, self.target, self.loss)
        error = max_error(hand, autograd_grads(self.net, self.x, self.target, self.loss))
        tensors = {"input": self.x, "target": self.target}
        for i in range(len(self.net.weights)):
            layer = i + 1
            tensors |= {
                f"W.l{layer}": self.net.weights[i],
                f"b.l{layer}": self.net.biases[i],
                f"z.l{layer}": fwd.z[i],
                f"a.l{layer}": fwd.a[layer],
                f"da.l{layer}": hand.da[i],
                f"dz.l{layer}": hand.dz[i],
                f"dW.l{layer}": hand.dw[i],
                f"db.l{layer}": hand.db[i],
            }
        loss_next = forward(updated(self.net, hand, self.lr), self.x, self.target, self.loss).loss
        fields = {
            "loss": _finite(fwd.loss),
            "loss_next": _finite(loss_next),  # null: the next update would overflow
            "max_error": _finite(error),
            "lr": self.lr,
        }
        return fields, {k: v.detach().to(torch.float32).numpy() for k, v in tensors.items()}

    def _state(self) -> dict[str, torch.Tensor]:
        named = {f"W.l{i + 1}": w for i, w in enumerate(self.net.weights)}
        named |= {f"b.l{i + 1}": b for i, b in enumerate(self.net.biases)}
        return named | {"batch.input": self.x, "batch.target": self.target}

    def export_weights(self) -> bytes:
        """W.l<l>, b.l<l> and the batch (``batch.input``, ``batch.target``) as safetensors (float64)."""
        return save({k: v.contiguous() for k, v in self._state().items()})

    def load_weights(self, state: dict[str, torch.Tensor], field: str) -> None:
        """Take the weights and the batch of an export of the same sizes (a fork)."""
        own = self._state()
        check_fits(
            {k: v for k, v in own.items() if not k.startswith("batch.")},
            {k: v for k, v in state.items() if not k.startswith("batch.")},
            field,
        )
        for layer in range(len(self.net.weights)):
            self.net.weights[layer] = state[f"W.l{layer + 1}"].to(DTYPE).clone()
            self.net.biases[layer] = state[f"b.l{layer + 1}"].to(DTYPE).clone()
        if "batch.input" in state and "batch.target" in state:
            self.x, self.target = state["batch.input"].to(DTYPE), state["batch.target"].to(DTYPE)


def _finite(value: float) -> float | None:
    """``value``, or None where it is not a finite number (JSON has no NaN)."""
    return value if math.isfinite(value) else None


def check_config(config: dict) -> None:
    """Binary cross-entropy needs a sigmoid output (a probability)."""
    if config["loss"] == "bce" and config["output"] != "sigmoid":
        raise ParamError("config.output", "must be sigmoid when loss is bce")


def _layer_names(layer: int) -> tuple[str, ...]:
    return tuple(f"{n}.l{layer}" for n in ("W", "b", "z", "a", "da", "dz", "dW", "db"))


BACKPROP = ModelSpec(
    name="backprop",
    title="Backpropagation, number by number",
    page="/backprop",
    config=(
        Param("sizes", "ints", [2, 3, 2, 1], "units per layer, input first", min=1, max=6, length=(2, 5)),
        Param("activation", "choice", "sigmoid", "g of the hidden layers", choices=tuple(ACTIVATIONS)),
        Param("output", "choice", "sigmoid", "g of the output layer", choices=OUTPUTS),
        Param(
            "loss", "choice", "mse", "mse (mean squared error) or bce (binary cross-entropy)", choices=LOSSES
        ),
    ),
    controls=(Param("lr", "float", 0.5, "learning rate α of the SGD update", min=1e-4, max=10.0),),
    tensors=("input", "target", *_layer_names(1)),  # and the same per layer up to len(sizes) − 1
    optional_tensors={},
    inputs=frozenset({"forward"}),
    trains=True,
    precision="float32",
    build=BackpropLive,
    check=check_config,
)
