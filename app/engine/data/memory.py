"""The long-memory task: a symbol to remember, then T − 1 distractors; the label is the first symbol."""

import torch

DISTRACTORS = 4  # distractor symbols, numbered after the ones to remember


def memory_task(count: int, length: int, symbols: int, seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    """``count`` sequences of ``length``: (x (N, T) uint8, y (N,) long).

    x[:, 0] is uniform below ``symbols`` and is the label; every later position is a uniform distractor
    from ``symbols`` … ``symbols + DISTRACTORS − 1``, so nothing after the first step tells the label: a
    model must carry it across all T steps.
    """
    generator = torch.Generator().manual_seed(seed)
    first = torch.randint(symbols, (count, 1), generator=generator)  # (N, 1)
    rest = symbols + torch.randint(DISTRACTORS, (count, length - 1), generator=generator)  # (N, T − 1)
    return torch.cat([first, rest], 1).to(torch.uint8), first[:, 0]
