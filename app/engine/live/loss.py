"""The loss lab: one torch loss on a mini-batch the user edits — each sample's loss, the reduced loss,
∂loss/∂input, the facts behind them (CE = log_softmax + NLL, the weighted mean's divisor, the naive
sigmoid + BCE beside BCEWithLogits, L1/MSE/Huber on the same residuals) and a curve of the loss and its
gradient as one input value moves."""

from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from safetensors.torch import save
from torch.func import grad_and_value, vmap

from app.engine.live.base import ModelSpec
from app.engine.losses import (
    CLASS_LOSSES,
    IGNORE_DEFAULT,
    INPUT_LIMIT,
    LOSSES,
    MAX_BATCH,
    MAX_WIDTH,
    REDUCTIONS,
    REGRESSION_LOSSES,
    check_batch,
    check_config,
    default_batch,
    make_loss,
    parse_pos_weight,
    parse_weights,
    sample_weights,
)
from app.engine.params import Param, ParamError
from app.protocol.messages import Forward, InputMessage

CURVE_POINTS = 61
LOG_FLOOR = -100.0  # BCELoss clamps its logs here, so log(0) costs 100 rather than infinity


class LossLive:
    """A loss and its current mini-batch; every number of a frame is computed by torch when asked."""

    def __init__(self, config: dict, controls: dict, seed: int, device: torch.device) -> None:
        self.config = config
        self.curve_index = 0
        self.set_controls(controls)
        self.reset()

    def reset(self) -> None:
        """The loss's default mini-batch."""
        self.input, self.target = default_batch(self.config)

    def describe(self) -> dict[str, Any]:
        """Which loss, the batch bounds and the classes' kind of target."""
        return {
            "loss": self.config["loss"],
            "targets": "classes" if self.config["loss"] in CLASS_LOSSES else "values",
            "limits": {"batch": MAX_BATCH, "width": MAX_WIDTH, "input": INPUT_LIMIT},
        }

    def handle(self, message: InputMessage) -> None:
        """``forward`` with ``input`` and ``target``: a new mini-batch, checked against the loss's domain."""
        if not isinstance(message, Forward):
            return
        self.input, self.target = check_batch(self.config, message.input, message.target)
        self.curve_index = min(self.curve_index, self.input.numel() - 1)

    def set_controls(self, controls: dict[str, Any]) -> None:
        """``curve``: the flat index of the input value the curve moves."""
        if "curve" in controls:
            self.curve_index = int(controls["curve"])

    def take_running(self) -> None:
        """Nothing trains here."""

    def frame(self, grads: bool, dtype: torch.dtype) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
        """Per-sample and reduced losses, ∂loss/∂input, the loss's own facts and the curve."""
        reduction = self.config["reduction"]
        per_sample = make_loss(self.config, "none")(self.input, self.target).detach()
        loss, grad = self._loss_and_grad(self.input)
        index = min(self.curve_index, self.input.numel() - 1)
        header = {
            "loss_name": self.config["loss"],
            "reduction": reduction,
            "value": float(loss.sum()),
            "per_sample_sum": float(per_sample.sum()),
            "curve_index": index,
            **self._divisor(),
        }
        tensors = {
            "input": self.input,
            "target": self.target.float(),
            "per_sample": per_sample,
            "loss": loss.sum(),  # shape []: for "none", the sum that input.grad differentiates
            "input.grad": grad,
            **self._curve(index),
        }
        facts, extra = self._facts(per_sample)
        header.update(facts)
        tensors.update(extra)
        return header, {name: t.detach().float().numpy() for name, t in tensors.items()}

    def _loss_and_grad(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """The configured loss and ∂loss/∂input (for ``none``: of the per-sample losses' sum)."""
        x = x.clone().requires_grad_(True)
        loss = make_loss(self.config, self.config["reduction"])(x, self.target)
        (grad,) = torch.autograd.grad(loss.sum(), x)
        return loss.detach(), grad

    def _divisor(self) -> dict[str, Any]:
        """What ``mean`` divides by: the batch's size, or Σ of the targets' class weights (unignored)."""
        if self.config["loss"] not in CLASS_LOSSES:
            return {"divisor": float(self.input.numel()), "divisor_kind": "count"}
        w = sample_weights(self.config, self.target)
        kind = "class_weights" if self.config["weight"] else "unignored"
        return {"divisor": float(w.sum()), "divisor_kind": kind, "sample_weights": w.tolist()}

    def _facts(self, per_sample: torch.Tensor) -> tuple[dict[str, Any], dict[str, torch.Tensor]]:
        """The teaching facts of this loss: both sides of each identity, computed by torch."""
        name = self.config["loss"]
        if name == "cross_entropy":
            return self._cross_entropy_as_nll()
        if name == "bce_with_logits":
            return self._naive_bce(per_sample)
        if name in REGRESSION_LOSSES:
            return self._regression_compared()
        return {}, {}

    def _cross_entropy_as_nll(self) -> tuple[dict[str, Any], dict[str, torch.Tensor]]:
        log_probs = F.log_softmax(self.input, dim=1)
        weight = torch.tensor(self.config["weight"]) if self.config["weight"] else None
        nll = F.nll_loss(
            log_probs, self.target, weight=weight, ignore_index=self.config["ignore_index"], reduction="none"
        )
        reduced = F.nll_loss(
            log_probs,
            self.target,
            weight=weight,
            ignore_index=self.config["ignore_index"],
            reduction=self.config["reduction"],
        )
        return {"nll_of_log_softmax": float(reduced.sum())}, {"log_softmax": log_probs, "nll": nll}

    def _naive_bce(self, per_sample: torch.Tensor) -> tuple[dict[str, Any], dict[str, torch.Tensor]]:
        """sigmoid then BCE's formula with BCELoss's log clamp: past |logit| ≈ 17 the sigmoid rounds to 0 or 1
        in float32 and the loss saturates at 100, where BCEWithLogits (log-sum-exp) stays exact."""
        p = torch.sigmoid(self.input)
        log_p, log_q = torch.log(p).clamp(min=LOG_FLOOR), torch.log1p(-p).clamp(min=LOG_FLOOR)
        pos = torch.tensor(self.config["pos_weight"]) if self.config["pos_weight"] is not None else 1.0
        weight = torch.tensor(self.config["weight"]) if self.config["weight"] else 1.0
        naive = -weight * (pos * self.target * log_p + (1 - self.target) * log_q)
        differs = (naive - per_sample).abs() > 1e-3 * (1 + per_sample.abs())
        saturated = (p == 0) | (p == 1)
        return {"naive_differs": bool(differs.any()), "sigmoid_saturated": bool(saturated.any())}, {
            "sigmoid": p,
            "naive_per_sample": naive,
        }

    def _regression_compared(self) -> tuple[dict[str, Any], dict[str, torch.Tensor]]:
        """L1, MSE, smooth L1 and Huber on the same residuals: the mean loss and the share of the gradient
        the largest residual takes (an outlier dominates MSE, not L1)."""
        worst = int((self.input - self.target).abs().flatten().argmax())
        compared = {}
        for name in REGRESSION_LOSSES:
            x = self.input.clone().requires_grad_(True)
            loss = make_loss({**self.config, "loss": name}, "mean")(x, self.target)
            (grad,) = torch.autograd.grad(loss, x)
            total = float(grad.abs().sum())
            share = float(grad.abs().flatten()[worst]) / total if total else 0.0
            compared[name] = {"loss": float(loss.detach()), "outlier_share": share}
        return {"compared": compared, "outlier_index": worst}, {}

    def _curve(self, index: int) -> dict[str, torch.Tensor]:
        """The loss and ∂loss/∂x as input value ``index`` sweeps a range, the other values fixed."""
        value = float(self.input.flatten()[index])
        if self.config["loss"] == "bce":
            xs = torch.linspace(0.005, 0.995, CURVE_POINTS)
        else:
            anchor = float(self.target.flatten()[index]) if self.config["loss"] not in CLASS_LOSSES else value
            low, high = min(value, anchor) - 3.0, max(value, anchor) + 3.0
            xs = torch.linspace(low, high, CURVE_POINTS)
        loss = make_loss(self.config, self.config["reduction"])
        flat = self.input.flatten()

        def reduced_at(x: torch.Tensor) -> torch.Tensor:  # the loss with input value `index` set to x
            moved = torch.cat([flat[:index], x[None], flat[index + 1 :]]).view(self.input.shape)
            return loss(moved, self.target).sum()

        grads, losses = vmap(grad_and_value(reduced_at))(xs)  # every point in one batched pass
        return {"curve.x": xs, "curve.loss": losses, "curve.grad": grads}

    def export_weights(self) -> bytes:
        """A loss has no parameters: its current mini-batch, so that a fork shows the same one."""
        return save({"input": self.input.contiguous(), "target": self.target.contiguous()})

    def load_weights(self, state: dict[str, torch.Tensor], field: str) -> None:
        """Take the mini-batch of an export of the same config (a fork), checked like an input."""
        if state.keys() != {"input", "target"}:
            raise ParamError(field, "not an export of this model (expected input and target)")
        self.input, self.target = check_batch(self.config, state["input"].tolist(), state["target"].tolist())


LOSS = ModelSpec(
    name="loss",
    title="Loss functions",
    page="/losses",
    config=(
        Param("loss", "choice", "cross_entropy", "which torch.nn loss", choices=LOSSES),
        Param("reduction", "choice", "mean", "how per-sample losses become one number", choices=REDUCTIONS),
        Param(
            "weight",
            "list",
            None,
            "class weights (nll, cross_entropy) or element weights (bce)",
            parse=parse_weights,
        ),
        Param(
            "label_smoothing", "float", 0.0, "cross_entropy: mass spread over all classes", min=0.0, max=1.0
        ),
        Param(
            "ignore_index",
            "int",
            IGNORE_DEFAULT,
            "nll, cross_entropy: a target left out",
            min=-1000,
            max=1000,
        ),
        Param(
            "pos_weight", "list", None, "bce_with_logits: weight of positive targets", parse=parse_pos_weight
        ),
        Param("delta", "float", 1.0, "huber: where quadratic turns linear", min=1e-3, max=100.0),
        Param("beta", "float", 1.0, "smooth_l1: where quadratic turns linear", min=1e-3, max=100.0),
    ),
    controls=(
        Param(
            "curve",
            "int",
            0,
            "the input value (flat index) the curve moves",
            min=0,
            max=MAX_BATCH * MAX_WIDTH - 1,
        ),
    ),
    tensors=("input", "target", "per_sample", "loss", "input.grad", "curve.x", "curve.loss", "curve.grad"),
    optional_tensors={},
    inputs=frozenset({"forward"}),
    trains=False,
    precision="float32",
    build=LossLive,
    check=check_config,
)
