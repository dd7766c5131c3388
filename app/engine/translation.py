"""Training a sequence-to-sequence model on (text, translation) pairs: Adam on shuffled mini-batches with
a teacher forcing ratio; exact match (every character right) as the accuracy, overall and by input length.
"""

from itertools import pairwise

import torch
import torch.nn.functional as F
from torch import nn

from app.engine.data.dates import DatePairs
from app.engine.models.seq2seq import Seq2Seq
from app.engine.training import EpochOrder, Metrics, RunningMetrics

CLIP_NORM = 5.0


class TranslationTrainer:
    """Trains ``model`` on ``train`` pairs; ``controls`` hold lr, batch size and teacher forcing ratio."""

    def __init__(self, model: Seq2Seq, train: DatePairs, val: DatePairs, controls: dict, seed: int) -> None:
        self.model, self.train, self.val = model, train, val
        self.controls = dict(controls)
        self.generator = torch.Generator().manual_seed(seed)  # teacher forcing draws
        self.optimizer = torch.optim.Adam(model.parameters(), lr=controls["lr"])
        self._order = EpochOrder(len(train.y), seed)
        self._running = RunningMetrics(train.y.device)  # loss and exact match

    def update(self, controls: dict) -> None:
        """New lr (set on the optimizer), batch size or teacher forcing ratio (used from the next step)."""
        self.controls |= controls
        for group in self.optimizer.param_groups:
            group["lr"] = self.controls["lr"]

    def step(self) -> None:
        """One optimizer step on the next mini-batch, decoding with teacher forcing."""
        idx = self._order.next(self.controls["batch_size"])
        lengths = self.train.lengths[idx]
        x = self.train.x[idx.to(self.train.x.device), : int(lengths.max())]
        y = self.train.y[idx.to(self.train.y.device)]
        self.model.train()
        out = self.model(x, lengths, y, self.controls["teacher_forcing"], self.generator)
        loss = F.cross_entropy(out.logits.flatten(0, 1), y.flatten())
        self.optimizer.zero_grad(set_to_none=True)
        loss.backward()
        nn.utils.clip_grad_norm_(self.model.parameters(), CLIP_NORM)
        self.optimizer.step()
        with torch.no_grad():  # kept on the device: no sync with a GPU on every step
            exact = (out.logits.argmax(-1) == y).all(-1).float().mean()
            self._running.add(loss, exact)

    def take_running(self) -> Metrics | None:
        """Mean training loss and exact match (teacher-forced) since the last call (None if no step)."""
        return self._running.take()

    @torch.no_grad()
    def evaluate(self) -> tuple[Metrics, torch.Tensor]:
        """Greedy decoding of the held-out pairs: loss, exact match, and each pair's exact match (N,)."""
        self.model.eval()
        out = self.model(self.val.x, self.val.lengths)
        self.model.train()
        loss = F.cross_entropy(out.logits.flatten(0, 1), self.val.y.flatten()).item()
        exact = (out.logits.argmax(-1) == self.val.y).all(-1).float()
        return Metrics(loss, exact.mean().item()), exact.cpu()


def accuracy_by_length(exact: torch.Tensor, lengths: torch.Tensor, edges: tuple[int, ...]) -> torch.Tensor:
    """Mean exact match in each input-length bucket [edges[k], edges[k + 1]) (NaN for an empty one)."""
    means = []
    for low, high in pairwise(edges):
        inside = (lengths >= low) & (lengths < high)
        means.append(exact[inside].mean() if inside.any() else torch.tensor(float("nan")))
    return torch.stack(means)
