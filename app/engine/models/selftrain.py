"""Small 2-D classifiers: trained on every label, on k labels alone, or self-trained on k labels plus
pseudo-labels (the unlabelled points the model itself is confident about)."""

import torch
import torch.nn.functional as F
from torch import nn

HIDDEN = 16
PSEUDO_EVERY = 10  # training steps between two refreshes of the pseudo-labels
UNLABELLED = -1


def classifier(classes: int) -> nn.Module:
    """2 → 16 → 16 → classes with tanh (the caller seeds torch)."""
    return nn.Sequential(
        nn.Linear(2, HIDDEN), nn.Tanh(), nn.Linear(HIDDEN, HIDDEN), nn.Tanh(), nn.Linear(HIDDEN, classes)
    )


class Fitted:
    """A classifier and its Adam optimizer, stepped on a fixed set of (points, labels)."""

    def __init__(self, model: nn.Module, lr: float) -> None:
        self.model = model
        self.optimizer = torch.optim.Adam(model.parameters(), lr=lr)

    def step(self, x: torch.Tensor, y: torch.Tensor) -> tuple[float, float]:
        """One full-batch step on (x, y); the loss and accuracy before it."""
        logits = self.model(x)
        loss = F.cross_entropy(logits, y)
        self.optimizer.zero_grad()
        loss.backward()
        self.optimizer.step()
        return float(loss.detach()), float((logits.argmax(1) == y).float().mean())

    def score(self, x: torch.Tensor, y: torch.Tensor) -> tuple[float, float]:
        """Cross-entropy and accuracy on (x, y)."""
        with torch.no_grad():
            logits = self.model(x)
        return float(F.cross_entropy(logits, y)), float((logits.argmax(1) == y).float().mean())

    def probs(self, x: torch.Tensor) -> torch.Tensor:
        """Class probabilities for x."""
        with torch.no_grad():
            return torch.softmax(self.model(x), 1)

    def set_lr(self, lr: float) -> None:
        """The optimizer's learning rate."""
        for group in self.optimizer.param_groups:
            group["lr"] = lr


def pick_labelled(labels: torch.Tensor, count: int, classes: int, generator: torch.Generator) -> torch.Tensor:
    """``count`` indices taken class by class in turn (every class gets one before any gets two)."""
    order = torch.randperm(len(labels), generator=generator)
    per_class = [order[labels[order] == c] for c in range(classes)]
    picks = [int(per_class[i % classes][i // classes]) for i in range(count)]
    return torch.tensor(picks)


class SelfTraining:
    """Self-training beside its baseline: both start from the same weights and see the same k labels;
    the self-trained one also learns from pseudo-labels above ``threshold``, refreshed every few steps."""

    def __init__(
        self, semi: Fitted, base: Fitted, points: torch.Tensor, labels: torch.Tensor, labelled: torch.Tensor
    ) -> None:
        self.semi, self.base = semi, base
        self.points, self.labels, self.labelled = points, labels, labelled
        self.pseudo = torch.full((len(points),), UNLABELLED)
        self.threshold = 0.9
        self.steps = 0

    def refresh(self) -> None:
        """Pseudo-label every unlabelled point whose most likely class has probability ≥ threshold."""
        confidence, guess = self.semi.probs(self.points).max(1)
        self.pseudo = torch.where(confidence >= self.threshold, guess, UNLABELLED)
        self.pseudo[self.labelled] = UNLABELLED

    def step(self) -> None:
        """One step of each classifier (refreshing the pseudo-labels first, every PSEUDO_EVERY steps)."""
        if self.steps % PSEUDO_EVERY == 0:
            self.refresh()
        self.steps += 1
        chosen = self.pseudo != UNLABELLED
        x = torch.cat((self.points[self.labelled], self.points[chosen]))
        y = torch.cat((self.labels[self.labelled], self.pseudo[chosen]))
        self.semi.step(x, y)
        self.base.step(self.points[self.labelled], self.labels[self.labelled])
