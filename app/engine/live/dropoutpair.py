"""Why dropout exists: the same small MLP, from the same initial weights, trained side by side on a few
digits, once without dropout and once with it; both runs' training and validation loss and accuracy.

With a handful of training digits the network without dropout learns them by heart (its training loss
goes to ≈ 0) while its validation loss turns up: it grows confident in its wrong answers. The twin with
dropout (on the input and on each hidden layer) fits the same digits yet keeps a lower validation loss.
"""

from functools import cache
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from safetensors.torch import save
from sklearn.datasets import load_digits
from torch import nn

from app.engine.device import seeded
from app.engine.live.base import ModelSpec
from app.engine.params import Param
from app.protocol.messages import InputMessage

RUNS = ("plain", "dropout")  # the twin without dropout, the twin with it
VAL_SIZE = 500  # held-out digits, the same for every training-set size
DATA_SEED = 0  # which digits are drawn does not follow the session's seed: only the weights do


@cache
def _digits() -> tuple[torch.Tensor, torch.Tensor]:
    """scikit-learn's 1,797 real 8×8 digits, as 64 features in [0, 1], and their labels."""
    raw = load_digits()
    return torch.tensor(raw.data / 16.0, dtype=torch.float32), torch.tensor(raw.target)


Split = tuple[torch.Tensor, torch.Tensor]  # (x, y)


def digit_splits(per_class: int) -> tuple[Split, Split]:
    """A balanced training set (``per_class`` digits of each class) and ``VAL_SIZE`` others held out."""
    x, y = _digits()
    order = np.random.RandomState(DATA_SEED)
    labels = y.numpy()
    train = np.concatenate([order.permutation(np.flatnonzero(labels == c))[:per_class] for c in range(10)])
    rest = np.setdiff1d(np.arange(len(y)), train)
    val = order.permutation(rest)[:VAL_SIZE]
    return (x[train], y[train]), (x[val], y[val])


def mlp(hidden: int, p_input: float, p_hidden: float) -> nn.Sequential:
    """64 → hidden → hidden → 10, ReLU, with nn.Dropout before each Linear (p 0: the identity)."""
    return nn.Sequential(
        nn.Dropout(p_input),
        nn.Linear(64, hidden),
        nn.ReLU(),
        nn.Dropout(p_hidden),
        nn.Linear(hidden, hidden),
        nn.ReLU(),
        nn.Dropout(p_hidden),
        nn.Linear(hidden, 10),
    )


def set_dropout(net: nn.Module, p_input: float, p_hidden: float) -> None:
    """Give the net's first Dropout ``p_input`` and the others ``p_hidden``."""
    layers = [m for m in net.modules() if isinstance(m, nn.Dropout)]
    layers[0].p = p_input
    for layer in layers[1:]:
        layer.p = p_hidden


@torch.no_grad()
def scores(net: nn.Module, x: torch.Tensor, y: torch.Tensor) -> tuple[float, float]:
    """Cross-entropy and accuracy of ``net`` in eval mode (no units dropped) on (x, y)."""
    net.eval()
    logits = net(x)
    return float(F.cross_entropy(logits, y)), float((logits.argmax(1) == y).float().mean())


class DropoutPairLive:
    """Two copies of one seeded MLP, one with dropout; each step is one full-batch Adam step of each."""

    def __init__(self, config: dict, controls: dict, seed: int, device: torch.device) -> None:
        self.seed, self.device = seed, device
        train, val = digit_splits(config["per_class"])
        self.train = (train[0].to(device), train[1].to(device))
        self.val = (val[0].to(device), val[1].to(device))
        plain = seeded(seed, lambda: mlp(config["hidden"], 0.0, 0.0))
        twin = mlp(config["hidden"], 0.0, 0.0)
        twin.load_state_dict(plain.state_dict())  # the same initial weights
        self.nets = nn.ModuleDict({"plain": plain, "dropout": twin}).to(device)
        self._initial = {k: v.clone() for k, v in self.nets.state_dict().items()}
        self.controls = dict(controls)
        self.set_controls(controls)
        self.reset()

    def reset(self) -> None:
        """The initial weights again, fresh optimizers, and the dropout masks from the start."""
        self.nets.load_state_dict(self._initial)
        self.optimizers = {
            run: torch.optim.Adam(self.nets[run].parameters(), lr=self.controls["lr"]) for run in RUNS
        }
        self.steps = 0

    def describe(self) -> dict[str, Any]:
        """The layers, the data sizes and what differs between the two runs."""
        hidden = self.nets["plain"][1].out_features
        return {
            "layers": [64, hidden, hidden, 10],
            "runs": list(RUNS),
            "dataset": {"name": "digits8", "train": len(self.train[1]), "val": len(self.val[1])},
        }

    def handle(self, message: InputMessage) -> None:
        """No inputs: the two networks only train."""

    def set_controls(self, controls: dict[str, Any]) -> None:
        """Dropout probabilities of the twin with dropout, and both runs' learning rate."""
        self.controls.update(controls)
        set_dropout(self.nets["dropout"], self.controls["p_input"], self.controls["p"])
        for optimizer in getattr(self, "optimizers", {}).values():
            for group in optimizer.param_groups:
                group["lr"] = self.controls["lr"]

    def train_step(self) -> None:
        """One Adam step on all the training digits for each run (the masks seeded by the step)."""
        x, y = self.train
        for run in RUNS:
            net, optimizer = self.nets[run], self.optimizers[run]
            net.train()
            loss = seeded(self.seed + self.steps, lambda net=net: F.cross_entropy(net(x), y))
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        self.steps += 1

    def take_running(self) -> None:
        """The runs' metrics travel in each frame instead (two runs, not one)."""

    def evaluate(self) -> None:
        """See ``frame``."""

    def frame(self, grads: bool, dtype: torch.dtype) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
        """Each run's loss and accuracy on the training digits and on the held-out ones (eval mode)."""
        fields: dict[str, Any] = {}
        for run in RUNS:
            train_loss, train_acc = scores(self.nets[run], *self.train)
            val_loss, val_acc = scores(self.nets[run], *self.val)
            fields[run] = {"train_loss": train_loss, "train_acc": train_acc}
            fields[run] |= {"val_loss": val_loss, "val_acc": val_acc}
        return fields, {}

    def export_weights(self) -> bytes:
        """Both networks' weights, as ``plain.*`` and ``dropout.*``."""
        return save({k: v.detach().cpu().contiguous() for k, v in self.nets.state_dict().items()})


DROPOUT_PAIR = ModelSpec(
    name="dropout_pair",
    title="Dropout against overfitting",
    page="/dropout",
    config=(
        Param("per_class", "int", 8, "training digits of each class", min=2, max=50),
        Param("hidden", "int", 256, "units in each of the two hidden layers", min=16, max=512),
    ),
    controls=(
        Param("p", "float", 0.5, "dropout on each hidden layer (the twin with dropout)", min=0.0, max=0.9),
        Param("p_input", "float", 0.2, "dropout on the input pixels (that twin)", min=0.0, max=0.9),
        Param("lr", "float", 1e-3, "Adam's learning rate (both runs)", min=1e-5, max=0.1),
    ),
    tensors=(),
    optional_tensors={},
    inputs=frozenset(),
    trains=True,
    precision="float32",
    build=DropoutPairLive,
)
