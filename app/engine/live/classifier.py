"""What every live model trained as a classifier shares: going back to its seed's weights, and the
session's training methods handed to its ClassifierTrainer."""

import torch
from torch import nn

from app.engine.training import ClassifierTrainer, Metrics

Split = tuple[torch.Tensor, torch.Tensor]  # (x, y) on the model's device


class LiveClassifier:
    """Base of live models whose training is a ClassifierTrainer on fixed train/validation splits."""

    def start_training(self, model: nn.Module, train: Split, val: Split, controls: dict, seed: int) -> None:
        """Keep ``model``'s current (seeded) weights to come back to, and train it on the splits."""
        self.model, self.seed, self._splits = model, seed, (train, val)
        self._initial = {k: v.clone() for k, v in model.state_dict().items()}
        self.trainer = ClassifierTrainer(model, train, val, controls, seed)

    def reset(self) -> None:
        """The seed's initial weights, a fresh optimizer and batch order (the controls stay)."""
        self.model.load_state_dict(self._initial)
        self.trainer = ClassifierTrainer(self.model, *self._splits, self.trainer.controls, self.seed)

    def train_step(self) -> None:
        """One optimizer step on the next mini-batch."""
        self.trainer.step()

    def take_running(self) -> Metrics | None:
        """Training metrics averaged since the last call."""
        return self.trainer.take_running()

    def evaluate(self) -> Metrics:
        """Validation loss and accuracy now."""
        return self.trainer.evaluate()
