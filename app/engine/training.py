"""Mini-batch training of a classifier: batches from a shuffled epoch order, optimizer from controls."""

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

OPTIMIZERS: dict[str, Callable[[Any, dict], torch.optim.Optimizer]] = {
    "sgd": lambda params, c: torch.optim.SGD(params, lr=c["lr"]),
    "sgd_momentum": lambda params, c: torch.optim.SGD(params, lr=c["lr"], momentum=c["momentum"]),
    "adam": lambda params, c: torch.optim.Adam(params, lr=c["lr"]),
}


@dataclass(frozen=True)
class Metrics:
    """Mean cross-entropy and accuracy over some examples; ``exploded``: see ExplosionWatch."""

    loss: float
    acc: float
    exploded: bool = False


# A run has exploded when its loss is not finite, or has stayed above this many times its first step's loss
# (the untrained model's) and at least this much above it (a run resumed from trained weights starts low,
# where noise is a large factor) for at least this many steps: a spike that comes back down is not one.
EXPLODED_FACTOR = 3.0
EXPLODED_MARGIN = 1.0
EXPLODED_STEPS = 20


class ExplosionWatch:
    """Tells from a run's mean losses whether it exploded (diverged, or saturated far above its start)."""

    def __init__(self) -> None:
        self.start: float | None = None  # the first step's loss
        self._high_steps = 0.0

    def see(self, mean_loss: float, steps: float) -> bool:
        """Whether the run has exploded, given the mean loss of its next ``steps`` steps."""
        if not math.isfinite(mean_loss):
            return True
        start = self.start if self.start is not None else mean_loss
        high = mean_loss > max(EXPLODED_FACTOR * start, start + EXPLODED_MARGIN)
        self._high_steps = self._high_steps + steps if high else 0.0
        return self._high_steps >= EXPLODED_STEPS


class RunningMetrics:
    """Loss and accuracy summed step by step on the device (no GPU sync per step), averaged when taken;
    whether the run exploded is told from the first step's loss and each mean."""

    def __init__(self, device: torch.device) -> None:
        self._sums = torch.zeros(3, device=device)  # loss sum, accuracy sum, steps
        self._first: torch.Tensor | None = None  # the first step's loss, read at the first take
        self.watch = ExplosionWatch()

    def add(self, loss: torch.Tensor, acc: torch.Tensor) -> None:
        """One step's mean loss and accuracy (0-d tensors)."""
        if self._first is None and self.watch.start is None:
            self._first = loss.detach().clone()
        self._sums += torch.stack((loss.detach(), acc.detach(), torch.ones_like(acc)))

    def take(self) -> Metrics | None:
        """The means since the last call (None if no step)."""
        loss_sum, acc_sum, steps = self._sums.tolist()
        self._sums.zero_()
        if not steps:
            return None
        if self._first is not None:
            self.watch.start, self._first = self._first.item(), None
        loss = loss_sum / steps
        return Metrics(loss, acc_sum / steps, self.watch.see(loss, steps))


class EpochOrder:
    """Indices of ``count`` examples in a seeded shuffled order, a batch at a time; a new order when an
    epoch has too few left for the next batch."""

    def __init__(self, count: int, seed: int) -> None:
        self.count = count
        self.generator = torch.Generator().manual_seed(seed)
        self._order = torch.empty(0, dtype=torch.long)
        self._cursor = 0

    def next(self, size: int) -> torch.Tensor:
        """The next ``min(size, count)`` indices (CPU)."""
        size = min(size, self.count)
        if self._cursor + size > len(self._order):
            self._order = torch.randperm(self.count, generator=self.generator)
            self._cursor = 0
        batch = self._order[self._cursor : self._cursor + size]
        self._cursor += size
        return batch


class ClassifierTrainer:
    """Trains ``model`` on (x, y) tensors already on its device; ``controls`` hold the hyperparameters."""

    def __init__(self, model: nn.Module, train: tuple, val: tuple, controls: dict, seed: int) -> None:
        self.model = model
        self.train_x, self.train_y = train
        self.val_x, self.val_y = val
        self.controls = dict(controls)
        self.optimizer = OPTIMIZERS[controls["optimizer"]](model.parameters(), controls)
        self._order = EpochOrder(len(self.train_y), seed)
        self._running = RunningMetrics(self.train_y.device)

    def update(self, controls: dict) -> None:
        """Apply new controls: a new optimizer or momentum rebuilds it (its state restarts), lr is set."""
        old, self.controls = self.controls, {**self.controls, **controls}
        if (old["optimizer"], old["momentum"]) != (self.controls["optimizer"], self.controls["momentum"]):
            self.optimizer = OPTIMIZERS[self.controls["optimizer"]](self.model.parameters(), self.controls)
        for group in self.optimizer.param_groups:
            group["lr"] = self.controls["lr"]

    def step(self) -> None:
        """One optimizer step on the next mini-batch; its loss and accuracy join the running means."""
        idx = self._order.next(self.controls["batch_size"]).to(self.train_y.device)
        x, y = self.train_x[idx], self.train_y[idx]
        self.model.train()
        logits = self.model(x)
        loss = F.cross_entropy(logits, y)  # the mean over the mini-batch
        self.optimizer.zero_grad(set_to_none=True)
        loss.backward()
        self.optimizer.step()
        with torch.no_grad():  # kept on the device: no sync with a GPU on every step
            acc = (logits.argmax(1) == y).float().mean()
            self._running.add(loss, acc)

    def take_running(self) -> Metrics | None:
        """Mean training loss and accuracy over the steps since the last call (None if no step)."""
        return self._running.take()

    @torch.no_grad()
    def evaluate(self) -> Metrics:
        """Loss and accuracy on the whole validation split, in eval mode."""
        self.model.eval()
        logits = self.model(self.val_x)
        self.model.train()
        loss = F.cross_entropy(logits, self.val_y).item()
        return Metrics(loss, (logits.argmax(1) == self.val_y).float().mean().item())
