"""Recurrent nets and their insides: nn.LSTM's gates recomputed from its own weights, and h_t unrolled.

PyTorch stacks the four gates of ``weight_ih_l0`` / ``weight_hh_l0`` in the order i, f, g, o.
"""

from dataclasses import dataclass

import torch
from torch import nn

from app.engine.data.memory import DISTRACTORS

CELLS = {"rnn": nn.RNN, "lstm": nn.LSTM}
FORGET_BIAS = 5.0  # the LSTM starts remembering: f = σ(5) ≈ 0.993, so c keeps ≈ 0.993^T of its start


def lstm_gates(lstm: nn.LSTM, x: torch.Tensor, h: torch.Tensor) -> dict[str, torch.Tensor]:
    """The gates of a one-layer nn.LSTM after the fact, from its input ``x`` (T, E) and output ``h`` (T, H).

    All pre-activations come from one batched matmul over time (h_{t−1} is ``h`` shifted by one, h_{−1} = 0),
    the sigmoid gates from one call over all of them, and c_t = f_t ⊙ c_{t−1} + i_t ⊙ g_t from a scan in
    ⌈log₂ T⌉ steps (``cell_states``), so no Python loop runs over time.
    """
    hidden = h.shape[1]
    h_prev = torch.cat([h.new_zeros(1, hidden), h[:-1]])  # (T, H)
    pre_x = x @ lstm.weight_ih_l0.T  # (T, 4H)
    pre_h = h_prev @ lstm.weight_hh_l0.T  # (T, 4H)
    bias = lstm.bias_ih_l0 + lstm.bias_hh_l0  # (4H,)
    pre = pre_x + pre_h + bias  # (T, 4H), gates in PyTorch's order i, f, g, o
    sig = torch.sigmoid(pre)  # (T, 4H): i, f and o are read from it
    i, f, o = sig[:, :hidden], sig[:, hidden : 2 * hidden], sig[:, 3 * hidden :]
    g = torch.tanh(pre[:, 2 * hidden : 3 * hidden])
    c = cell_states(f, i * g)  # (T, H)
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


def cell_states(f: torch.Tensor, u: torch.Tensor) -> torch.Tensor:
    """c_t = f_t ⊙ c_{t−1} + u_t with c_{−1} = 0, for every t of ``f`` and ``u`` (T, H), by a doubling scan.

    After the step of distance d, ``c[t]`` holds the recurrence's last 2d terms and ``a[t]`` the product of
    the f's over those 2d steps, so ⌈log₂ T⌉ vectorised steps replace T sequential ones. Products
    and sums only (no division, no logarithm): as exact as the loop, to float rounding.
    """
    a, c = f, u.clone()
    distance = 1
    while distance < len(f):
        c[distance:] = torch.addcmul(c[distance:], a[distance:], c[:-distance])
        if 2 * distance < len(f):
            a = torch.cat([a[:distance], a[distance:] * a[:-distance]])
        distance *= 2
    return c


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
        self.embedding = nn.Embedding(config.symbols + DISTRACTORS, config.embedding)
        self.rnn = CELLS[config.cell](config.embedding, config.hidden, batch_first=True)
        if config.cell == "lstm":  # gates in the order i, f, g, o: the f block of the bias
            with torch.no_grad():
                self.rnn.bias_ih_l0[config.hidden : 2 * config.hidden] = FORGET_BIAS
                self.rnn.bias_hh_l0[config.hidden : 2 * config.hidden] = 0.0
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
