"""nn.Embedding as a lookup: a batch of index sequences → rows of the weight matrix, beside one-hot @ W."""

from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from safetensors.torch import save
from torch import nn

from app.engine.device import seeded
from app.engine.live.base import ModelSpec
from app.engine.params import Param, ParamError
from app.protocol.messages import Forward, InputMessage

FIRST_BATCH = [[1, 2, 4, 5], [4, 3, 2, 9]]  # the example of PyTorch's nn.Embedding documentation
MAX_BATCH, MAX_LENGTH = 8, 16  # index sequences, indices per sequence
MEMORY_VOCABS = (10_000, 30_522, 100_000)  # vocabularies compared besides the session's own


def memory(vocab: int, dim: int, positions: int) -> dict[str, int]:
    """Bytes of each side for a vocabulary of ``vocab`` words, from the dtypes' element sizes: the V × V
    one-hot matrix and the V × d float32 table; a batch of ``positions`` tokens as one-hot rows (× V) or
    as int64 indices."""
    floats = torch.empty((), dtype=torch.float32).element_size()
    longs = torch.empty((), dtype=torch.long).element_size()
    return {
        "vocab": vocab,
        "dim": dim,
        "onehot_table": vocab * vocab * floats,
        "embedding_table": vocab * dim * floats,
        "onehot_batch": positions * vocab * floats,
        "index_batch": positions * longs,
    }


class EmbeddingLive:
    """One ``nn.Embedding(V, d)`` and the index batch it looks up; it does not train."""

    def __init__(self, config: dict, controls: dict, seed: int, device: torch.device) -> None:
        self.vocab, self.dim, self.device = config["vocab"], config["dim"], device
        self.embedding = seeded(seed, lambda: nn.Embedding(self.vocab, self.dim)).to(device)
        self.reset()

    def describe(self) -> dict[str, Any]:
        """The table's shape and the bounds of an index batch."""
        return {"weight": [self.vocab, self.dim], "max_batch": MAX_BATCH, "max_length": MAX_LENGTH}

    def reset(self) -> None:
        """The first index batch again (PyTorch's example, indices modulo V); the weights never change."""
        batch = [[i % self.vocab for i in row] for row in FIRST_BATCH]
        self.indices = torch.tensor(batch, dtype=torch.long, device=self.device)

    def handle(self, message: InputMessage) -> None:
        """``forward`` with ``input``: B rows of T whole numbers in [0, V)."""
        if not isinstance(message, Forward):
            return
        rows = message.input
        shape_ok = 1 <= len(rows) <= MAX_BATCH and all(isinstance(r, list) for r in rows)
        if not shape_ok or len({len(r) for r in rows}) != 1 or not 1 <= len(rows[0]) <= MAX_LENGTH:
            raise ParamError(
                "input", f"must be 1–{MAX_BATCH} rows of the same length, 1–{MAX_LENGTH} indices"
            )
        values = [v for row in rows for v in row]
        if any(not isinstance(v, int | float) or v != int(v) or not 0 <= v < self.vocab for v in values):
            raise ParamError("input", f"indices must be whole numbers from 0 to {self.vocab - 1}")
        self.indices = torch.tensor(rows, dtype=torch.long, device=self.device)

    def take_running(self) -> None:
        """Nothing trains here."""

    def set_controls(self, controls: dict[str, Any]) -> None:
        """No controls."""

    @torch.no_grad()
    def frame(self, grads: bool, dtype: torch.dtype) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
        """The lookup beside the one-hot product, their largest difference, and the memory of both."""
        weight = self.embedding.weight  # (V, d)
        output = self.embedding(self.indices)  # (B, T, d)
        onehot = F.one_hot(self.indices, self.vocab).to(weight.dtype)  # (B, T, V)
        product = onehot @ weight  # (B, T, d)
        positions = self.indices.numel()
        header = {
            "max_diff": (output - product).abs().max().item(),
            "memory": [memory(v, self.dim, positions) for v in (self.vocab, *MEMORY_VOCABS)],
        }
        tensors = {
            "indices": self.indices.to(torch.int32).cpu().numpy(),
            "weight": weight.to(dtype).cpu().numpy(),
            "output": output.to(dtype).cpu().numpy(),
            "onehot": onehot.to(dtype).cpu().numpy(),
            "onehot_output": product.to(dtype).cpu().numpy(),
        }
        return header, tensors

    def export_weights(self) -> bytes:
        """The state_dict as safetensors bytes."""
        return save({k: v.detach().cpu().contiguous() for k, v in self.embedding.state_dict().items()})


EMBEDDING = ModelSpec(
    name="embedding",
    title="nn.Embedding lookup",
    page="/embedding",
    config=(
        Param("vocab", "int", 10, "V: rows of the table (the vocabulary size)", min=2, max=1000),
        Param("dim", "int", 3, "d: the size of each row (an embedding)", min=1, max=16),
    ),
    controls=(),
    tensors=("indices", "weight", "output", "onehot", "onehot_output"),
    optional_tensors={},
    inputs=frozenset({"forward"}),
    trains=False,
    precision="float32",
    build=EmbeddingLive,
)
