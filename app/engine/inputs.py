"""Inputs that clients send or ask for, turned into tensors: typed numbers and generated patterns."""

from typing import Any

import torch

from app.engine.params import ParamError


def as_tensor(values: Any, field: str) -> torch.Tensor:
    """Nested lists of numbers → a float32 tensor; ragged lists are refused naming ``field``."""
    try:
        return torch.tensor(values, dtype=torch.float32)
    except (ValueError, TypeError):
        raise ParamError(field, "must be a rectangular array of numbers (rows of equal length)") from None
