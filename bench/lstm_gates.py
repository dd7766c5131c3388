"""The LSTM page's gates after the fact vs two loops over time, each against nn.LSTM's forward.

A frame of the `lstm` model runs nn.LSTM on the sequence, then recomputes the gates from its weights and
its output h (``lstm_gates``: one matmul over all steps, c_t by a scan in ⌈log₂ T⌉ steps). The
alternatives: the same with c_t from a Python loop over t (what the page did before), and stepping an
nn.LSTMCell holding the same weights through the sequence. All are timed per call on the CPU clock, best
of 25 runs, for the page's default and largest sizes, and printed as multiples of the nn.LSTM forward
they come with; the goal is at most 1.6× at T = 40.

Run: python -m bench.lstm_gates [--threads 1]
"""

import argparse

import torch
from torch import nn

from app.engine.models.lstm import lstm_gates
from bench._common import best_of, fix_threads, verdict

SIZES = ((11, 4, 6), (40, 16, 16))  # (T, E, H): the page's default sequence and its largest


def cell_loop(cell: nn.LSTMCell, x: torch.Tensor) -> list[torch.Tensor]:
    """Each step's gates with a Python loop of nn.LSTMCell (its weights give the pre-activations)."""
    h = c = x.new_zeros(cell.hidden_size)
    gates = []
    for x_t in x:
        pre = cell.weight_ih @ x_t + cell.bias_ih + cell.weight_hh @ h + cell.bias_hh  # (4H,)
        gates.append(pre)
        h, c = cell(x_t, (h, c))
    return gates


def gates_with_loop(lstm: nn.LSTM, x: torch.Tensor, h: torch.Tensor) -> torch.Tensor:
    """The gates with c_t stepped in a Python loop over t (the page's way before the scan)."""
    h_prev = torch.cat([torch.zeros_like(h[:1]), h[:-1]])  # (T, H)
    pre = x @ lstm.weight_ih_l0.T + h_prev @ lstm.weight_hh_l0.T + lstm.bias_ih_l0 + lstm.bias_hh_l0
    z_i, z_f, z_g, z_o = pre.chunk(4, dim=1)  # each (T, H)
    i, f, g, o = torch.sigmoid(z_i), torch.sigmoid(z_f), torch.tanh(z_g), torch.sigmoid(z_o)
    cells, c = [], torch.zeros_like(h[0])
    for t in range(len(x)):
        c = f[t] * c + i[t] * g[t]  # (H,)
        cells.append(c)
    return o * torch.tanh(torch.stack(cells))


def measure(steps: int, embedding: int, hidden: int) -> dict[str, float]:
    """CPU seconds per call of nn.LSTM's forward, the gates after the fact, and the cell loop."""
    torch.manual_seed(0)
    lstm, cell = nn.LSTM(embedding, hidden), nn.LSTMCell(embedding, hidden)
    cell.load_state_dict({k.removesuffix("_l0"): v for k, v in lstm.state_dict().items()})
    x = torch.randn(steps, embedding)  # (T, E)
    with torch.no_grad():
        h = lstm(x)[0]  # (T, H)
        return best_of(
            {
                "nn.LSTM forward": lambda: lstm(x),
                "gates after the fact": lambda: lstm_gates(lstm, x, h),
                "gates, loop over t": lambda: gates_with_loop(lstm, x, h),
                "nn.LSTMCell loop": lambda: cell_loop(cell, x),
            }
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=1)
    threads = fix_threads(parser.parse_args().threads)
    print(f"torch {torch.__version__}, {threads} thread(s); µs per call, and × nn.LSTM's forward")
    for steps, embedding, hidden in SIZES:
        times = measure(steps, embedding, hidden)
        base = times["nn.LSTM forward"]
        print(f"T={steps} E={embedding} H={hidden}")
        for name, seconds in times.items():
            print(f"  {name:22s} {seconds * 1e6:9.1f} µs  {seconds / base:5.2f}×")
        faster = times["gates after the fact"] < times["nn.LSTMCell loop"]
        print(f"  after the fact faster than the cell loop: {verdict(faster)}")
        if steps == 40:
            within = times["gates after the fact"] <= 1.6 * base
            print(f"  after the fact within 1.6× the forward at T = 40: {verdict(within)}")


if __name__ == "__main__":
    main()
