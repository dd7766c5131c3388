"""A user's training script for the SDK browser test: a small CNN of its own (the app knows nothing
about it) learns to tell three synthetic patterns apart, streaming to the server at argv[1] as run
argv[2], until the file argv[3] appears. It prints its step now and then and ``done`` at the end."""

import sys
import time
from pathlib import Path

import torch
from torch import nn

import nnlive

STEP_PAUSE_S = 0.02  # a gentle pace: the test machine's cores are shared
MAX_S = 120.0


class PatternNet(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.features = nn.Sequential(nn.Conv2d(1, 6, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2))
        self.head = nn.Linear(6 * 8 * 8, 3)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.features(x).flatten(1))


def batch(generator: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
    """Stripes across, stripes down, or a centre blob, with noise."""
    y = torch.randint(3, (16,), generator=generator)
    grid = torch.arange(16.0)
    patterns = torch.stack(
        [
            (grid[:, None] % 4 < 2).float().expand(16, 16),
            (grid[None, :] % 4 < 2).float().expand(16, 16),
            (((grid[:, None] - 7.5) ** 2 + (grid[None, :] - 7.5) ** 2) < 20).float(),
        ]
    )
    x = patterns[y][:, None] + 0.3 * torch.randn(16, 1, 16, 16, generator=generator)
    return x, y


def main(url: str, run_name: str, stop_file: Path) -> None:
    torch.manual_seed(0)
    generator = torch.Generator().manual_seed(0)
    model = PatternNet()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.05)
    start = time.monotonic()
    with nnlive.connect(url, run=run_name, fps=10) as run:
        run.watch(model)
        step = 0
        while not stop_file.exists() and time.monotonic() - start < MAX_S:
            x, y = batch(generator)
            logits = model(x)
            loss = nn.functional.cross_entropy(logits, y)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            run.log(loss=loss, acc=(logits.argmax(1) == y).float().mean())
            if step % 10 == 0:
                print(f"step {step} loss {loss.item():.4f}", flush=True)
            step += 1
            time.sleep(STEP_PAUSE_S)
    print(f"done after {step} steps", flush=True)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], Path(sys.argv[3]))
