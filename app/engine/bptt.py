"""Truncated backprop through time on one long token sequence, for a next-token model (CharRNN)."""

import time

import torch
import torch.nn.functional as F
from torch import nn

from app.engine.models.charrnn import State, detach_state
from app.engine.training import Metrics, RunningMetrics

CLIP_NORM = 5.0  # gradient norm clipping, as usual for recurrent nets
VAL_STREAMS = 16  # validation reads the held-out slice as this many parallel streams (at most)


def as_streams(ids: torch.Tensor, streams: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Inputs and next-token targets, both (B, L): ``ids`` cut into B contiguous streams."""
    count = max(1, min(streams, (len(ids) - 1) // 2))
    length = (len(ids) - 1) // count
    x = ids[: count * length].view(count, length)
    y = ids[1 : count * length + 1].view(count, length)
    return x, y


class BpttTrainer:
    """Adam on chunks of ``bptt`` tokens from ``batch_size`` parallel streams; the state runs on, detached."""

    def __init__(self, model: nn.Module, train: torch.Tensor, val: torch.Tensor, controls: dict) -> None:
        self.model = model
        self.train_ids, self.val_ids = train, val  # (N,), (M,) on the model's device
        self.controls = dict(controls)
        self.optimizer = torch.optim.Adam(model.parameters(), lr=controls["lr"])
        self._streams: tuple[torch.Tensor, torch.Tensor] | None = None
        self._cursor = 0
        self._state: State = None
        self._running = RunningMetrics(train.device)
        self._chars, self._seconds = 0, 0.0

    def update(self, controls: dict) -> None:
        """New lr, batch size or BPTT length; a new batch size restarts the streams and the state."""
        old, self.controls = self.controls, {**self.controls, **controls}
        for group in self.optimizer.param_groups:
            group["lr"] = self.controls["lr"]
        if old["batch_size"] != self.controls["batch_size"]:
            self._streams = None

    def _next_chunk(self) -> tuple[torch.Tensor, torch.Tensor]:
        if self._streams is None:
            self._streams, self._cursor, self._state = (
                as_streams(self.train_ids, self.controls["batch_size"]),
                0,
                None,
            )
        x, y = self._streams
        length = min(self.controls["bptt"], x.shape[1])
        if self._cursor + length > x.shape[1]:  # the end of the streams: start again from a zero state
            self._cursor, self._state = 0, None
        chunk = slice(self._cursor, self._cursor + length)
        self._cursor += length
        return x[:, chunk], y[:, chunk]  # (B, T) each

    def step(self) -> None:
        """One optimizer step on the next chunk; loss, accuracy and characters per second are recorded."""
        start = time.perf_counter()
        x, y = self._next_chunk()
        self.model.train()
        logits, _, state = self.model(x, self._state)  # (B, T, V)
        self._state = detach_state(state)
        loss = F.cross_entropy(logits.flatten(0, 1), y.flatten())
        self.optimizer.zero_grad(set_to_none=True)
        loss.backward()
        nn.utils.clip_grad_norm_(self.model.parameters(), CLIP_NORM)
        self.optimizer.step()
        with torch.no_grad():  # kept on the device: no sync with a GPU on every step
            acc = (logits.argmax(-1) == y).float().mean()
            self._running.add(loss, acc)
        self._chars += x.numel()
        self._seconds += time.perf_counter() - start

    def take_running(self) -> Metrics | None:
        """Mean training loss and next-character accuracy since the last call (None if no step)."""
        return self._running.take()

    def take_speed(self) -> float | None:
        """Characters trained on per second of training time since the last call (None if none)."""
        chars, seconds = self._chars, self._seconds
        self._chars, self._seconds = 0, 0.0
        return chars / seconds if chars and seconds > 0 else None

    @torch.no_grad()
    def evaluate(self) -> Metrics:
        """Loss and accuracy on the held-out slice, read as parallel streams from a zero state."""
        x, y = as_streams(self.val_ids, VAL_STREAMS)
        self.model.eval()
        logits, _, _ = self.model(x)
        self.model.train()
        loss = F.cross_entropy(logits.flatten(0, 1), y.flatten()).item()
        return Metrics(loss, (logits.argmax(-1) == y).float().mean().item())
