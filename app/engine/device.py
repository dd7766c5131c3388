"""Device choice and seeded model construction, shared by every model family."""

import threading
from collections.abc import Callable
from typing import TypeVar

import torch

T = TypeVar("T")
_INIT_LOCK = threading.Lock()


def resolve_device(name: str) -> torch.device:
    """``auto`` picks CUDA when present, else the CPU; ``cuda`` without a GPU is an error."""
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if name == "cuda" and not torch.cuda.is_available():
        raise RuntimeError("NNLIVE_DEVICE=cuda but torch sees no CUDA device")
    return torch.device(name)


def configure_threads(threads: int) -> None:
    """Cap torch's intra-op threads (0 keeps torch's default)."""
    if threads:
        torch.set_num_threads(threads)


def seeded(seed: int, build: Callable[[], T]) -> T:
    """Run ``build`` with the global CPU RNG seeded, restoring it after; one build at a time."""
    with _INIT_LOCK, torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        return build()
