"""Long memory, RNN vs LSTM: recall the first symbol after T − 1 distractors; ‖∂L/∂h_t‖ for every t.

The defaults (T = 50, 32 units, Adam 1e-2, batches of 64) are where the lesson shows within a minute on
two CPU cores: the LSTM, its forget gate starting open, reaches 100 % within a few hundred steps while
the RNN's gradient from the label vanishes before it reaches the first step and it stays at chance.
"""

from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from safetensors.torch import save

from app.engine.capture import to_numpy
from app.engine.data.memory import memory_task
from app.engine.device import seeded
from app.engine.live.base import ModelSpec
from app.engine.live.classifier import LiveClassifier
from app.engine.models.lstm import CELLS, MemoryNet, MemoryNetConfig
from app.engine.params import Param
from app.engine.training import OPTIMIZERS
from app.protocol.messages import InputMessage

TRAIN_SIZE, VAL_SIZE, PROBE_SIZE, LENGTH_SIZE = 4096, 512, 64, 128
LENGTHS = (5, 10, 20, 50, 100, 200)  # where accuracy vs T is measured


class MemoryLive(LiveClassifier):
    """A recurrent classifier training on generated sequences; frames carry its gradient through time."""

    def __init__(self, config: dict, controls: dict, seed: int, device: torch.device) -> None:
        self.device, self.seed, self.length = device, seed, config["T"]
        net = MemoryNetConfig(cell=config["cell"], symbols=config["symbols"], hidden=config["hidden"])
        model = seeded(seed, lambda: MemoryNet(net)).to(device)
        data = memory_task(TRAIN_SIZE + VAL_SIZE, self.length, config["symbols"], seed)
        x, y = (t.to(device) for t in data)
        train, val = (x[:TRAIN_SIZE], y[:TRAIN_SIZE]), (x[TRAIN_SIZE:], y[TRAIN_SIZE:])
        self._probe = (val[0][:PROBE_SIZE], val[1][:PROBE_SIZE])
        self._by_length = [memory_task(LENGTH_SIZE, n, config["symbols"], seed + n) for n in LENGTHS]
        self.start_training(model, train, val, controls, seed)

    def describe(self) -> dict[str, Any]:
        """The task's sizes and where accuracy vs T is measured."""
        facts = {"train": TRAIN_SIZE, "val": VAL_SIZE, "probe": PROBE_SIZE, "per_length": LENGTH_SIZE}
        return {"task": facts, "lengths": list(LENGTHS)}

    def handle(self, message: InputMessage) -> None:
        """No input messages."""

    def set_controls(self, controls: dict[str, Any]) -> None:
        """Optimizer, learning rate, batch size."""
        self.trainer.update(controls)

    def grad_norms(self) -> torch.Tensor:
        """‖∂L/∂h_t‖ (T,) for L = the probe batch cross-entropy, by autograd through the unrolled steps."""
        x, y = self._probe
        logits, hs = self.model.unroll(x)
        grads = torch.autograd.grad(F.cross_entropy(logits, y), hs)
        return torch.stack([g.norm() for g in grads]).detach()

    @torch.no_grad()
    def accuracy_by_length(self) -> torch.Tensor:
        """Accuracy (len(LENGTHS),) of the model as trained at T, on fresh sequences of each length."""
        self.model.eval()
        accs = [
            (self.model(x.to(self.device)).argmax(1) == y.to(self.device)).float().mean()
            for x, y in self._by_length
        ]
        self.model.train()
        return torch.stack(accs)

    def frame(self, grads: bool, dtype: torch.dtype) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
        """The gradient norm at every step and accuracy vs T."""
        tensors = {"grad_norm": self.grad_norms(), "acc_by_length": self.accuracy_by_length()}
        arrays = to_numpy(tensors, dtype)
        arrays["lengths"] = np.array(LENGTHS, dtype=np.int32)
        return {"cell": self.model.cell, "T": self.length}, arrays

    def export_weights(self) -> bytes:
        """The state_dict as safetensors bytes."""
        return save({k: v.detach().cpu().contiguous() for k, v in self.model.state_dict().items()})


MEMORY = ModelSpec(
    name="memory",
    title="Long memory: RNN vs LSTM",
    page="/lstm",
    config=(
        Param("cell", "choice", "lstm", "recurrent layer", choices=tuple(CELLS)),
        Param("T", "int", 50, "sequence length; the label is the first symbol", min=5, max=200),
        Param("hidden", "int", 32, "recurrent units", min=2, max=64),
        Param("symbols", "int", 4, "symbols to remember (chance accuracy is 1/symbols)", min=2, max=8),
    ),
    controls=(
        Param("optimizer", "choice", "adam", "torch.optim algorithm", choices=tuple(OPTIMIZERS)),
        Param("lr", "float", 1e-2, "learning rate", min=1e-5, max=1.0),
        Param("momentum", "float", 0.9, "momentum of sgd_momentum", min=0.0, max=0.99),
        Param("batch_size", "int", 64, "sequences per mini-batch", min=1, max=512),
    ),
    tensors=("grad_norm", "acc_by_length", "lengths"),
    optional_tensors={},
    inputs=frozenset(),
    trains=True,
    precision="float32",
    build=MemoryLive,
)
