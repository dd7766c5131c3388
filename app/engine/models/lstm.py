"""Recurrent nets and their insides: nn.LSTM's gates recomputed from its own weights, and h_t unrolled.

PyTorch stacks the four gates of ``weight_ih_l0`` / ``weight_hh_l0`` in the order i, f, g, o.
"""

from dataclasses import dataclass

import torch
from torch import nn

CELLS = {"rnn": nn.RNN, "lstm": nn.LSTM}


def lstm_gates(lstm: nn.LSTM, x: torch.Tensor, h: torch.Tensor) -> dict[str, torch.Tensor]:
    """The gates of a one-layer nn.LSTM after the fact, from its input ``x`` (T, E) and output ``h`` (T, H).

    All pre-activations come from one batched matmul over time (h_{t−1} is ``h`` shifted by one, h_{−1} = 0);
    only c_t = f_t ⊙ c_{t−1} + i_t ⊙ g_t needs a loop over T, of elementwise ops.
    """
    h_prev = torch.cat([torch.zeros_like(h[:1]), h[:-1]])  # (T, H)
    pre_x = x @ lstm.weight_ih_l0.T  # (T, 4H)
    pre_h = h_prev @ lstm.weight_hh_l0.T  # (T, 4H)
    bias = lstm.bias_ih_l0 + lstm.bias_hh_l0  # (4H,)
    pre = pre_x + pre_h + bias  # (T, 4H)
    z_i, z_f, z_g, z_o = pre.chunk(4, dim=1)  # each (T, H)
    i, f, g, o = torch.sigmoid(z_i), torch.sigmoid(z_f), torch.tanh(z_g), torch.sigmoid(z_o)
    cells, c_prev = [], torch.zeros_like(h[0])
    for t in range(len(x)):
        c_prev = f[t] * c_prev + i[t] * g[t]  # (H,)
        cells.append(c_prev)
    c = torch.stack(cells)  # (T, H)
    tanh_c = torch.tanh(c)
    return {
        "pre.x": pre_x,
        "pre.h": pre_h,
        "bias": bias,
        "pre": pre,
        "i": i,
        "f": f,
        "g": g,
        "o": o,
        "c": c,
        "tanh_c": tanh_c,
        "h": o * tanh_c,
    }


@dataclass(frozen=True)
class CharLSTMConfig:
    """An embedding of ``vocab`` symbols into ``embedding`` numbers, then an LSTM of ``hidden`` units."""

    vocab: int
    embedding: int
    hidden: int


class CharLSTM(nn.Module):
    """nn.Embedding → one-layer nn.LSTM; ``run`` returns the LSTM's input, output and final (h, c)."""

    def __init__(self, config: CharLSTMConfig) -> None:
        super().__init__()
        self.embedding = nn.Embedding(config.vocab, config.embedding)
        self.lstm = nn.LSTM(config.embedding, config.hidden)

    def run(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, tuple[torch.Tensor, torch.Tensor]]:
        """Token ids (T,) or numbers (T, E) → (the numbers x (T, E), h (T, H), (h_n, c_n) each (1, H))."""
        if x.dtype == torch.long:
            x = self.embedding(x)  # (T, E)
        out, (h_n, c_n) = self.lstm(x)
        return x, out, (h_n, c_n)


@dataclass(frozen=True)
class MemoryNetConfig:
    """The long-memory classifier: ``symbols`` classes, a ``cell`` (rnn or lstm) of ``hidden`` units."""

    cell: str
    symbols: int
    hidden: int
    embedding: int = 8


class MemoryNet(nn.Module):
    """Symbols → nn.Embedding → nn.RNN (tanh) or nn.LSTM → linear readout of the last hidden state."""

    def __init__(self, config: MemoryNetConfig) -> None:
        super().__init__()
        self.cell = config.cell
        self.embedding = nn.Embedding(config.symbols, config.embedding)
        self.rnn = CELLS[config.cell](config.embedding, config.hidden, batch_first=True)
        self.readout = nn.Linear(config.hidden, config.symbols)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """``x`` (B, T) symbols → logits (B, symbols) from h_T."""
        out, _ = self.rnn(self.embedding(x.long()))  # (B, T, H)
        return self.readout(out[:, -1])

    def unroll(self, x: torch.Tensor) -> tuple[torch.Tensor, list[torch.Tensor]]:
        """The same forward pass one step at a time with the module's own weights: (logits, [h_t (B, H)]).

        Each h_t is a node of the graph, so autograd gives the total ∂L/∂h_t (through every later step),
        which nn.RNN's fused output tensor does not expose.
        """
        r = self.rnn
        e = self.embedding(x.long())  # (B, T, E)
        pre_x = e @ r.weight_ih_l0.T + r.bias_ih_l0  # (B, T, gates·H)
        h = e.new_zeros(len(x), r.hidden_size)  # (B, H)
        c = torch.zeros_like(h)
        hs = []
        for t in range(x.shape[1]):
            pre = pre_x[:, t] + h @ r.weight_hh_l0.T + r.bias_hh_l0
            if self.cell == "rnn":
                h = torch.tanh(pre)
            else:
                z_i, z_f, z_g, z_o = pre.chunk(4, dim=1)
                c = torch.sigmoid(z_f) * c + torch.sigmoid(z_i) * torch.tanh(z_g)
                h = torch.sigmoid(z_o) * torch.tanh(c)
            hs.append(h)
        return self.readout(h), hs
