"""The playground's network: input features of a 2-D point, then hidden layers of one activation."""

from collections.abc import Callable
from itertools import pairwise

import torch
import torch.nn.functional as F
from torch import nn

FEATURES: dict[str, Callable[[torch.Tensor], torch.Tensor]] = {
    "x1": lambda p: p[:, 0],
    "x2": lambda p: p[:, 1],
    "x1_sq": lambda p: p[:, 0] ** 2,
    "x2_sq": lambda p: p[:, 1] ** 2,
    "x1_x2": lambda p: p[:, 0] * p[:, 1],
    "sin_x1": lambda p: p[:, 0].sin(),
    "sin_x2": lambda p: p[:, 1].sin(),
}
ACTIVATIONS: dict[str, Callable[[torch.Tensor], torch.Tensor]] = {
    "tanh": torch.tanh,
    "relu": F.relu,
    "sigmoid": torch.sigmoid,
    "linear": lambda z: z,
}


def feature_columns(points: torch.Tensor, names: list[str]) -> torch.Tensor:
    """[n, 2] points → [n, F] the named features."""
    return torch.stack([FEATURES[name](points) for name in names], 1)


def as_maps(columns: torch.Tensor, size: int) -> torch.Tensor:
    """[size², F] columns over a size × size grid of points (row by row) → [F, size, size] maps."""
    return columns.T.reshape(-1, size, size)


class PlaygroundMLP(nn.Module):
    """Linear layers features → hidden… → outputs, ``activation`` after each hidden one, dropout after it."""

    def __init__(self, inputs: int, hidden: list[int], outputs: int, activation: str) -> None:
        super().__init__()
        widths = [inputs, *hidden, outputs]
        self.layers = nn.ModuleList(nn.Linear(a, b) for a, b in pairwise(widths))
        self.activation = ACTIVATIONS[activation]
        self.dropout = 0.0

    def forward(self, x: torch.Tensor, hidden: list | None = None) -> torch.Tensor:
        """The output; each hidden layer's activations are appended to ``hidden`` when it is given."""
        for layer in self.layers[:-1]:
            x = self.activation(layer(x))
            if hidden is not None:
                hidden.append(x)
            x = F.dropout(x, self.dropout, self.training)
        return self.layers[-1](x)
