"""The LSTM page's gates after the fact vs a Python loop of nn.LSTMCell, each against nn.LSTM's forward.

A frame of the `lstm` model runs nn.LSTM on the sequence, then recomputes the gates from its weights and
its output h (``lstm_gates``: one matmul over all steps, an elementwise loop for c_t). The alternative
is stepping an nn.LSTMCell holding the same weights through the sequence and computing each step's gates
on the way. Both are timed per call on the CPU clock, best of 25 runs, for the page's largest and
default sizes, and printed as multiples of the nn.LSTM forward they come with.

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


if __name__ == "__main__":
    main()
