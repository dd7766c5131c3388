"""A character-level RNN (after Karpathy): embedding → nn.RNN / nn.GRU / nn.LSTM → linear."""

from dataclasses import dataclass

import torch
from torch import nn

CELLS: dict[str, type[nn.RNNBase]] = {"rnn": nn.RNN, "gru": nn.GRU, "lstm": nn.LSTM}

State = torch.Tensor | tuple[torch.Tensor, torch.Tensor] | None  # h (layers, B, H), or (h, c) for LSTM


@dataclass(frozen=True)
class CharRNNConfig:
    """The architecture: vocabulary size, recurrent cell, depth and widths."""

    vocab: int
    cell: str = "lstm"
    layers: int = 1
    hidden: int = 128
    embedding: int = 32


class CharRNN(nn.Module):
    """Next-character logits for every position of a batch of token sequences."""

    def __init__(self, config: CharRNNConfig) -> None:
        super().__init__()
        self.config = config
        self.embed = nn.Embedding(config.vocab, config.embedding)
        self.rnn = CELLS[config.cell](config.embedding, config.hidden, config.layers, batch_first=True)
        self.head = nn.Linear(config.hidden, config.vocab)

    def forward(self, ids: torch.Tensor, state: State = None) -> tuple[torch.Tensor, torch.Tensor, State]:
        """ids (B, T) → logits (B, T, V), the top layer's hidden states (B, T, H), the final state."""
        hidden, state = self.rnn(self.embed(ids), state)  # (B, T, H)
        return self.head(hidden), hidden, state


def detach_state(state: State) -> State:
    """The state cut from the graph (truncated backprop through time keeps its value, not its history)."""
    if state is None:
        return None
    if isinstance(state, tuple):
        return tuple(s.detach() for s in state)  # type: ignore[return-value]
    return state.detach()
