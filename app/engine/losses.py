"""The loss functions of the loss lab: torch's nn losses built from a config, and a mini-batch checked
against each loss's domain before torch sees it (so a bad value is refused by name, never a NaN)."""

from typing import Any

import torch
from torch import nn

from app.engine.params import ParamError

LOSSES = ("l1", "mse", "nll", "cross_entropy", "bce", "bce_with_logits", "smooth_l1", "huber")
CLASS_LOSSES = frozenset({"nll", "cross_entropy"})  # input (N, C), target (N) class indices
BCE_LOSSES = frozenset({"bce", "bce_with_logits"})
REGRESSION_LOSSES = ("l1", "mse", "smooth_l1", "huber")
WEIGHTED_LOSSES = CLASS_LOSSES | BCE_LOSSES
REDUCTIONS = ("mean", "sum", "none")
IGNORE_DEFAULT = -100
MAX_BATCH, MAX_WIDTH = 32, 16  # samples N; classes C or features D
INPUT_LIMIT = 1000.0


def make_loss(config: dict[str, Any], reduction: str) -> nn.Module:
    """The torch loss module the config names, with ``reduction``."""
    name = config["loss"]
    weight = _tensor_or_none(config["weight"])
    if name == "l1":
        return nn.L1Loss(reduction=reduction)
    if name == "mse":
        return nn.MSELoss(reduction=reduction)
    if name == "nll":
        return nn.NLLLoss(weight=weight, ignore_index=config["ignore_index"], reduction=reduction)
    if name == "cross_entropy":
        return nn.CrossEntropyLoss(
            weight=weight,
            ignore_index=config["ignore_index"],
            reduction=reduction,
            label_smoothing=config["label_smoothing"],
        )
    if name == "bce":
        return nn.BCELoss(weight=weight, reduction=reduction)
    if name == "bce_with_logits":
        pos_weight = _tensor_or_none(config["pos_weight"])
        return nn.BCEWithLogitsLoss(weight=weight, reduction=reduction, pos_weight=pos_weight)
    if name == "smooth_l1":
        return nn.SmoothL1Loss(reduction=reduction, beta=config["beta"])
    return nn.HuberLoss(reduction=reduction, delta=config["delta"])


def _tensor_or_none(values: float | list[float] | None) -> torch.Tensor | None:
    if values is None:
        return None
    return torch.tensor(values if isinstance(values, list) else [values], dtype=torch.float32)


def check_config(config: dict[str, Any]) -> None:
    """Refuse options the chosen loss does not take (torch would ignore or reject them)."""
    name = config["loss"]
    if config["weight"] is not None and name not in WEIGHTED_LOSSES:
        raise ParamError(
            "config.weight", f"{name} takes no weight (only nll, cross_entropy, bce, bce_with_logits)"
        )
    if config["pos_weight"] is not None and name != "bce_with_logits":
        raise ParamError("config.pos_weight", "only bce_with_logits takes pos_weight")
    if config["label_smoothing"] and name != "cross_entropy":
        raise ParamError("config.label_smoothing", "only cross_entropy takes label_smoothing")
    if config["ignore_index"] != IGNORE_DEFAULT and name not in CLASS_LOSSES:
        raise ParamError("config.ignore_index", "only nll and cross_entropy take ignore_index")
    _check_options(config, *default_batch(config))


def parse_weights(value: Any, field: str) -> list[float] | None:
    """``weight``: null, or 1 to MAX_WIDTH·2 non-negative finite numbers."""
    if value is None:
        return None
    return _numbers(value, field, MAX_BATCH)


def parse_pos_weight(value: Any, field: str) -> float | list[float] | None:
    """``pos_weight``: null, one non-negative number, or a list of them (one per class)."""
    if value is None:
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return _numbers([value], field, 1)[0]
    return _numbers(value, field, MAX_WIDTH)


def _numbers(value: Any, field: str, most: int) -> list[float]:
    if not isinstance(value, list) or not 1 <= len(value) <= most:
        raise ParamError(field, f"must be null or a list of 1 to {most} numbers")
    for i, v in enumerate(value):
        if (
            isinstance(v, bool)
            or not isinstance(v, int | float)
            or not torch.isfinite(torch.tensor(float(v)))
        ):
            raise ParamError(f"{field}[{i}]", "must be a finite number")
        if v < 0:
            raise ParamError(f"{field}[{i}]", "must not be negative")
    return [float(v) for v in value]


def check_batch(config: dict[str, Any], values: Any, targets: Any) -> tuple[torch.Tensor, torch.Tensor]:
    """A mini-batch (input, target) as torch takes it for this loss, or ParamError naming the field."""
    name = config["loss"]
    x = _array(values, "input")
    if targets is None:
        raise ParamError("target", "is required with the input")
    t = _array(targets, "target")
    if name in CLASS_LOSSES:
        if x.dim() != 2:
            raise ParamError("input", f"{name} takes scores of shape [N, C], got {list(x.shape)}")
        t = _class_indices(t, x.shape, config["ignore_index"])
    else:
        if x.dim() not in (1, 2):
            raise ParamError("input", f"{name} takes shape [N] or [N, D], got {list(x.shape)}")
        if t.shape != x.shape:
            raise ParamError("target", f"must have the input's shape {list(x.shape)}, got {list(t.shape)}")
    if x.shape[0] > MAX_BATCH or (x.dim() == 2 and not 1 <= x.shape[1] <= MAX_WIDTH) or x.shape[0] < 1:
        raise ParamError("input", f"at most {MAX_BATCH} samples of at most {MAX_WIDTH} values each")
    if name == "bce":
        _in_unit_interval(
            x,
            "input",
            "is not a probability: BCELoss takes probabilities in [0, 1]; "
            "a raw score (logit) needs a sigmoid first, or bce_with_logits",
        )
    if name in BCE_LOSSES:
        _in_unit_interval(t, "target", "is not a probability: a BCE target lies in [0, 1]")
    _check_options(config, x, t)
    return x, t


def _array(values: Any, field: str) -> torch.Tensor:
    try:
        x = torch.tensor(values, dtype=torch.float32)
    except (ValueError, TypeError):
        raise ParamError(field, "must be a rectangular array of numbers (rows of equal length)") from None
    if not torch.isfinite(x).all():
        raise ParamError(field, "must hold finite numbers only (no NaN or infinity)")
    if x.numel() and x.abs().max() > INPUT_LIMIT:
        raise ParamError(field, f"values must lie within ±{INPUT_LIMIT:g}")
    return x


def _class_indices(t: torch.Tensor, shape: torch.Size, ignore_index: int) -> torch.Tensor:
    n, classes = shape
    if t.shape != (n,):
        raise ParamError("target", f"must be {n} class indices (shape [{n}]), got shape {list(t.shape)}")
    for i, v in enumerate(t.tolist()):
        whole = v == int(v)
        if not whole or not (0 <= v < classes or v == ignore_index):
            raise ParamError(
                f"target[{i}]",
                f"target[{i}] = {v:g} is not a class index 0…{classes - 1} (nor ignore_index {ignore_index})",
            )
    return t.long()


def _in_unit_interval(x: torch.Tensor, field: str, why: str) -> None:
    outside = ((x < 0) | (x > 1)).flatten().nonzero()
    if len(outside):
        i = int(outside[0])
        where = f"{field}[{i}]" if x.dim() == 1 else f"{field}[{i // x.shape[1]}][{i % x.shape[1]}]"
        raise ParamError(where, f"{where} = {float(x.flatten()[i]):g} {why}")


def sample_weights(config: dict[str, Any], target: torch.Tensor) -> torch.Tensor:
    """Each sample's class weight w_y (1 without weights), 0 where the target is ignore_index."""
    weight = config["weight"]
    w = torch.tensor(weight)[target.clamp(min=0)] if weight else torch.ones(len(target))
    return torch.where(target != config["ignore_index"], w, torch.zeros_like(w))


def _check_options(config: dict[str, Any], x: torch.Tensor, t: torch.Tensor) -> None:
    """Weights that fit the batch: one per class (nll, cross-entropy) or broadcast on the last axis; a
    class loss's mean must have something to divide by."""
    name, weight = config["loss"], config["weight"]
    width = x.shape[-1]
    if weight is not None:
        if name in CLASS_LOSSES and len(weight) != width:
            raise ParamError("config.weight", f"has {len(weight)} entries but the input has {width} classes")
        if name in BCE_LOSSES and len(weight) not in (1, width):
            raise ParamError("config.weight", f"has {len(weight)} entries; the input's last axis has {width}")
    pos = config["pos_weight"]
    if isinstance(pos, list) and len(pos) not in (1, width):
        raise ParamError("config.pos_weight", f"has {len(pos)} entries; the input's last axis has {width}")
    if name in CLASS_LOSSES and config["reduction"] == "mean" and not sample_weights(config, t).sum() > 0:
        raise ParamError("target", "every sample is ignored or weighs 0: the mean would divide by 0")


def default_batch(config: dict[str, Any]) -> tuple[torch.Tensor, torch.Tensor]:
    """A small mini-batch that fits the loss and its options (the weights' length decides C or N)."""
    name, weight = config["loss"], config["weight"]
    if name in CLASS_LOSSES:
        classes = len(weight) if weight else 3
        scores = torch.tensor([[2.0, 0.5, -1.0], [0.2, 1.5, 0.3], [-0.5, 0.1, 2.2], [1.0, 1.0, 0.0]])
        x = scores[:, :classes] if classes <= 3 else torch.cat([scores, torch.zeros(4, classes - 3)], 1)
        if name == "nll":
            x = torch.log_softmax(x, 1)
        return x, torch.tensor([0, 1, 2, 1]) % classes
    if name in BCE_LOSSES:
        lengths = [len(v) for v in (weight, config["pos_weight"]) if isinstance(v, list) and len(v) > 1]
        n = lengths[0] if lengths else 4
        x = torch.tensor([0.9, 0.2, 0.6, 0.05] * 8)[:n]
        if name == "bce_with_logits":
            x = torch.logit(x)
        return x, torch.tensor([1.0, 0.0, 1.0, 1.0] * 8)[:n]
    return torch.tensor([1.0, 2.0, 3.0, 4.0, 5.0]), torch.tensor(
        [1.5, 1.5, 3.5, 4.0, 12.0]
    )  # the last: an outlier
