"""A hand-written multi-layer RNN: the loop h_t = act(W_ih x_t + b_ih + W_hh h_(t−1) + b_hh) over the
weights of an ``nn.RNN``, layer by layer and direction by direction, with nn.RNN's dropout between layers.

Run under the same RNG seed as the ``nn.RNN`` call, it draws the same inter-layer dropout masks: CPU
``at::dropout`` fills ``empty_like(layer output).bernoulli_(1 − p)`` on the time-major (T, B, D·H) output
of each layer below the top one, in layer order, and scales by 1/(1 − p).
"""

import warnings
from dataclasses import dataclass

import torch
from torch import nn

ACTIVATIONS = {"tanh": torch.tanh, "relu": torch.relu}
ARGS = (
    "input_size",
    "hidden_size",
    "num_layers",
    "nonlinearity",
    "bias",
    "batch_first",
    "dropout",
    "bidirectional",
)


def make_rnn(settings: dict) -> nn.RNN:
    """An nn.RNN from the constructor arguments in ``settings`` (others ignored), drawing from torch's RNG."""
    with warnings.catch_warnings():  # torch warns that dropout does nothing with one layer; pages say so
        warnings.simplefilter("ignore", UserWarning)
        return nn.RNN(**{name: settings[name] for name in ARGS})


@dataclass
class ManualRun:
    """What the loop computed, time-major; ``output`` and ``h_n`` in nn.RNN's own layouts."""

    output: torch.Tensor  # (T, B, D·H), or (B, T, D·H) when batch_first
    h_n: torch.Tensor  # (L·D, B, H)
    hidden: list[torch.Tensor]  # per layer (T, B, D·H): forward direction first, then reverse
    inputs: list[torch.Tensor]  # per layer (T, B, in): what the layer read (after dropout above layer 0)


def weights(rnn: nn.RNN, layer: int, reverse: bool) -> tuple[torch.Tensor, ...]:
    """(W_ih, W_hh, b_ih, b_hh) of one layer and direction; zero biases when the RNN has none."""
    suffix = f"_l{layer}{'_reverse' if reverse else ''}"
    w_ih, w_hh = getattr(rnn, f"weight_ih{suffix}"), getattr(rnn, f"weight_hh{suffix}")
    if not rnn.bias:
        zeros = w_hh.new_zeros(rnn.hidden_size)
        return w_ih, w_hh, zeros, zeros
    return w_ih, w_hh, getattr(rnn, f"bias_ih{suffix}"), getattr(rnn, f"bias_hh{suffix}")


def run_direction(x: torch.Tensor, h0: torch.Tensor, params: tuple, act, reverse: bool) -> torch.Tensor:
    """One direction of one layer over x (T, B, in) from h0 (B, H) → every h_t (T, B, H)."""
    w_ih, w_hh, b_ih, b_hh = params
    h, states = h0, [None] * x.shape[0]
    steps = range(x.shape[0] - 1, -1, -1) if reverse else range(x.shape[0])
    for t in steps:
        h = act(x[t] @ w_ih.T + b_ih + h @ w_hh.T + b_hh)  # (B, H)
        states[t] = h
    return torch.stack(states)


def manual_rnn(rnn: nn.RNN, x: torch.Tensor, h0: torch.Tensor | None = None) -> ManualRun:
    """The RNN's forward pass written as its loop; ``x`` in the RNN's layout, ``h0`` (L·D, B, H) or zeros."""
    seq = x.transpose(0, 1) if rnn.batch_first else x  # (T, B, I)
    directions = 2 if rnn.bidirectional else 1
    if h0 is None:
        h0 = seq.new_zeros(rnn.num_layers * directions, seq.shape[1], rnn.hidden_size)
    act = ACTIVATIONS[rnn.nonlinearity]
    hidden, inputs, finals = [], [], []
    layer_input = seq
    for layer in range(rnn.num_layers):
        inputs.append(layer_input)
        outs = []
        for d in range(directions):
            states = run_direction(
                layer_input, h0[layer * directions + d], weights(rnn, layer, d == 1), act, d == 1
            )
            outs.append(states)
            finals.append(states[0] if d == 1 else states[-1])
        out = torch.cat(outs, dim=-1)  # (T, B, D·H)
        hidden.append(out)
        layer_input = _dropout(out, rnn.dropout) if rnn.training and layer < rnn.num_layers - 1 else out
    output = out.transpose(0, 1) if rnn.batch_first else out
    return ManualRun(output=output, h_n=torch.stack(finals), hidden=hidden, inputs=inputs)


def _dropout(out: torch.Tensor, p: float) -> torch.Tensor:
    """at::dropout on the CPU: a Bernoulli(1 − p) mask drawn like ``out``, scaled by 1/(1 − p)."""
    if p == 0:
        return out
    noise = torch.empty_like(out).bernoulli_(1 - p).div_(1 - p)
    return out * noise
