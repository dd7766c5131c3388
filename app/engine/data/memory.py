"""The long-memory task: a random sequence of symbols whose label is its first symbol."""

import torch


def memory_task(count: int, length: int, symbols: int, seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    """``count`` sequences of ``length`` uniform symbols below ``symbols``: (x (N, T) uint8, y (N,) long).

    Every position is random, so the first symbol is the only thing that tells the label: a model must
    carry it across all T steps.
    """
    generator = torch.Generator().manual_seed(seed)
    x = torch.randint(symbols, (count, length), generator=generator, dtype=torch.uint8)  # (N, T)
    return x, x[:, 0].long()
