"""Named capture points: forward hooks attached only for the duration of a ``with`` block.

Usage::

    with capture_outputs(model, ["c1", "s2"]) as outputs:
        logits = model(x)
    outputs["c1"]  # the c1 module's output for x (still in the graph when grad is enabled)

Nothing stays attached after the block, even when the forward pass raises.
"""

from collections.abc import Iterable, Iterator
from contextlib import contextmanager

import torch
from torch import nn


@contextmanager
def capture_outputs(model: nn.Module, names: Iterable[str]) -> Iterator[dict[str, torch.Tensor]]:
    """Record the output of each named submodule of ``model`` while the block runs."""
    outputs: dict[str, torch.Tensor] = {}
    modules = dict(model.named_modules())
    handles = []
    try:
        for name in names:
            if name not in modules:
                raise KeyError(f"{type(model).__name__} has no submodule {name!r}")
            handles.append(modules[name].register_forward_hook(_recorder(outputs, name)))
        yield outputs
    finally:
        for handle in handles:
            handle.remove()


def _recorder(outputs: dict[str, torch.Tensor], name: str):
    def hook(_module: nn.Module, _inputs: tuple, output: torch.Tensor) -> None:
        outputs[name] = output

    return hook


def to_numpy(tensors: dict[str, torch.Tensor], dtype: torch.dtype) -> dict:
    """Detach, cast on the tensors' own device (fewer bytes to move), then bring them to the CPU."""
    return {name: t.detach().to(dtype).cpu().numpy() for name, t in tensors.items()}
