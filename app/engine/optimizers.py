"""torch.optim optimizers as the /optim page configures them: a list of ``{"name", "lr", …}`` entries
checked field by field, built on one parameter each, and each with its learning-rate schedule."""

import math
from typing import Any

import torch

from app.engine.params import ParamError

NAMES = ("sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam", "adamw")
MAX_OPTIMIZERS = 8
# Which of the torch parameters each entry may give, besides lr (the others are that optimizer's own).
ACCEPTS: dict[str, frozenset[str]] = {
    "sgd": frozenset({"momentum", "dampening", "weight_decay"}),
    "momentum": frozenset({"momentum", "dampening", "weight_decay"}),
    "nesterov": frozenset({"momentum", "weight_decay"}),
    "adagrad": frozenset({"weight_decay", "eps"}),
    "rmsprop": frozenset({"momentum", "alpha", "weight_decay", "eps"}),
    "adam": frozenset({"betas", "weight_decay", "eps"}),
    "adamw": frozenset({"betas", "weight_decay", "eps"}),
}
DEFAULT_LR = {
    "sgd": 0.01,
    "momentum": 0.01,
    "nesterov": 0.01,
    "adagrad": 0.5,
    "rmsprop": 0.01,
    "adam": 0.1,
    "adamw": 0.1,
}
HEAVY_BALL = 0.9  # the momentum of "momentum" and "nesterov" when none is given


def parse_optimizers(value: Any, field: str) -> list[dict[str, Any]] | None:
    """``optimizers``: null (the function's defaults) or 1 to MAX_OPTIMIZERS entries, each checked."""
    if value is None:
        return None
    if not isinstance(value, list) or not 1 <= len(value) <= MAX_OPTIMIZERS:
        raise ParamError(field, f"must be a list of 1 to {MAX_OPTIMIZERS} optimizers")
    return [_entry(item, f"{field}[{i}]") for i, item in enumerate(value)]


def _entry(item: Any, field: str) -> dict[str, Any]:
    if not isinstance(item, dict) or item.get("name") not in NAMES:
        raise ParamError(f"{field}.name", f"must be one of {', '.join(NAMES)}")
    name = item["name"]
    entry: dict[str, Any] = {"name": name}
    for key, value in item.items():
        if key == "name":
            continue
        where = f"{field}.{key}"
        if key != "lr" and key not in ACCEPTS[name]:
            allowed = ", ".join(sorted({"lr", *ACCEPTS[name]}))
            raise ParamError(where, f"{name} takes no {key}; it takes {allowed}")
        entry[key] = _betas(value, where) if key == "betas" else _number(value, where, key)
    if name == "nesterov" and entry.get("momentum", HEAVY_BALL) <= 0:
        raise ParamError(f"{field}.momentum", "Nesterov momentum needs a momentum above 0")
    return entry


BOUNDS = {
    "lr": (0.0, 100.0),
    "momentum": (0.0, 0.999),
    "dampening": (0.0, 1.0),
    "alpha": (0.0, 0.9999),
    "weight_decay": (0.0, 10.0),
    "eps": (0.0, 1.0),
}


def _number(value: Any, field: str, key: str) -> float:
    low, high = BOUNDS[key]
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ParamError(field, "must be a finite number")
    if not low <= value <= high or (key in ("lr", "eps") and value == 0):
        raise ParamError(
            field, f"must be {'above' if key in ('lr', 'eps') else 'at least'} {low:g} and at most {high:g}"
        )
    return float(value)


def _betas(value: Any, field: str) -> list[float]:
    if not isinstance(value, list) or len(value) != 2:
        raise ParamError(field, "must be two numbers [beta1, beta2]")
    for i, beta in enumerate(value):
        if isinstance(beta, bool) or not isinstance(beta, int | float) or not 0 <= beta < 1:
            raise ParamError(f"{field}[{i}]", "must be a number in [0, 1)")
    return [float(b) for b in value]


def build_optimizer(entry: dict[str, Any], param: torch.Tensor, lr: float) -> torch.optim.Optimizer:
    """The torch optimizer an entry names, on ``param``, with the parameters the entry gives."""
    name = entry["name"]
    given = {k: (tuple(v) if k == "betas" else v) for k, v in entry.items() if k not in ("name", "lr")}
    if name in ("sgd", "momentum", "nesterov"):
        if name != "sgd":
            given.setdefault("momentum", HEAVY_BALL)
        return torch.optim.SGD([param], lr=lr, nesterov=name == "nesterov", **given)
    kinds = {
        "adagrad": torch.optim.Adagrad,
        "rmsprop": torch.optim.RMSprop,
        "adam": torch.optim.Adam,
        "adamw": torch.optim.AdamW,
    }
    return kinds[name]([param], lr=lr, **given)


def build_schedule(optimizer: torch.optim.Optimizer, config: dict[str, Any]) -> Any:
    """The config's learning-rate schedule on ``optimizer`` (None for a constant rate)."""
    if config["schedule"] == "step":
        return torch.optim.lr_scheduler.StepLR(
            optimizer, step_size=config["step_size"], gamma=config["gamma"]
        )
    if config["schedule"] == "cosine":
        return torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=config["t_max"])
    return None
