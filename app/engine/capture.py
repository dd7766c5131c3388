"""What a captured frame's tensors go through before they leave torch."""

import torch


def to_numpy(tensors: dict[str, torch.Tensor], dtype: torch.dtype) -> dict:
    """Detach, cast on the tensors' own device (fewer bytes to move), then bring them to the CPU."""
    return {name: t.detach().to(dtype).cpu().numpy() for name, t in tensors.items()}
