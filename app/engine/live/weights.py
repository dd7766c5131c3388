"""Weights into a live model: the import side of every model's ``export_weights`` (safetensors), and
its optimizer's state (moments, step counts) for the models that train.

Each live model exports the ``state_dict`` of the one module it streams (``model``, ``conv``, ``rnn``…);
importing finds that module among the live model's attributes by its parameter names and shapes, so no
model needs code of its own for it. The optimizer is the one of its ``trainer`` (every trainer has one).
"""

import copy
from typing import Any

import torch
from safetensors import SafetensorError
from safetensors.torch import load
from torch import nn

from app.engine.params import ParamError


def import_weights(live: object, data: bytes, field: str = "weights") -> None:
    """Copy the tensors of a safetensors file into the module of ``live`` that has exactly those names
    and shapes (in place: optimizers keep their parameters). A file without tensors changes nothing."""
    try:
        state = load(data)
    except SafetensorError as exc:
        raise ParamError(field, f"not a safetensors file: {exc}") from None
    if not state:
        return
    if hasattr(live, "load_weights"):  # a model that is no single nn.Module (backprop, learning, optim)
        live.load_weights(state, field)
        return
    for module in vars(live).values():
        if isinstance(module, nn.Module) and _fits(module.state_dict(), state):
            with torch.no_grad():
                module.load_state_dict(state)
            return
    raise ParamError(field, "these weights fit none of the model's modules (names or shapes differ)")


def optimizer_state(live: object) -> dict[str, Any] | None:
    """A copy of the live model's optimizer state, or None for a model without a trainer."""
    optimizer = getattr(getattr(live, "trainer", None), "optimizer", None)
    return None if optimizer is None else copy.deepcopy(optimizer.state_dict())


def load_optimizer_state(live: Any, state: dict[str, Any] | None) -> None:
    """Give the live model's optimizer a state taken from a model of the same family and controls."""
    if state is not None:
        live.trainer.optimizer.load_state_dict(state)


def check_fits(own: dict[str, torch.Tensor], new: dict[str, torch.Tensor], field: str) -> None:
    """Refuse ``new`` unless it has exactly the names and shapes of ``own``."""
    if not _fits(own, new):
        raise ParamError(field, "these weights fit none of the model's modules (names or shapes differ)")


def _fits(own: dict[str, torch.Tensor], new: dict[str, torch.Tensor]) -> bool:
    return own.keys() == new.keys() and all(own[k].shape == new[k].shape for k in own)
