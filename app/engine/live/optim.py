"""Gradient descent on a 2-D function: several torch.optim optimizers from one start, side by side.

Each optimizer owns one parameter, the point [x, y]; a step is torch's own ``zero_grad``, ``backward`` and
``step`` (then its schedule's step). An optimizer whose point or loss stops being finite, or leaves
±DIVERGED_BEYOND, is marked diverged and stops there, so a frame never carries a NaN. Frames carry every
optimizer's path and losses so far, the gradient at its point and its state (momentum buffer, Adam's m
and v…), read from the optimizer itself, and the function on a grid for the contour plot.
"""

from typing import Any

import numpy as np
import torch
from safetensors.torch import save

from app.engine.live.base import ModelSpec
from app.engine.optimizers import DEFAULT_LR, NAMES, build_optimizer, build_schedule, parse_optimizers
from app.engine.params import Param, ParamError
from app.engine.surfaces import LANDSCAPES, evaluate, grid_values
from app.protocol.messages import InputMessage

GRID = 72  # contour grid: GRID × GRID values of f
MAX_STEPS = 2000  # a path stops growing here (the page pauses)
DIVERGED_BEYOND = 1e6
DEFAULT_OPTIMIZERS = ({"name": "sgd"}, {"name": "momentum"}, {"name": "adam"})
FUNCTION_LRS = {  # default learning rates that show each function's lesson
    "rosenbrock": {
        "sgd": 0.001,
        "momentum": 0.0005,
        "nesterov": 0.0005,
        "adam": 0.05,
        "adamw": 0.05,
        "rmsprop": 0.005,
    },
    "beale": {"sgd": 0.005, "momentum": 0.002, "nesterov": 0.002, "adam": 0.05, "adamw": 0.05},
    "himmelblau": {"sgd": 0.005, "momentum": 0.002, "nesterov": 0.002},
}
SETTINGS = ("momentum", "dampening", "betas", "eps", "weight_decay", "nesterov", "alpha")  # shown per group
STATE_KEYS = ("momentum_buffer", "exp_avg", "exp_avg_sq", "sum", "square_avg")  # 2-vectors of the state


def parse_start(value: Any, field: str) -> list[float] | None:
    """``start``: null (the function's own start) or [x, y] within ±100."""
    if value is None:
        return None
    numbers = isinstance(value, list) and len(value) == 2
    if not numbers or any(
        isinstance(v, bool) or not isinstance(v, int | float) or not abs(v) <= 100 for v in value
    ):
        raise ParamError(field, "must be [x, y], two numbers within ±100")
    return [float(v) for v in value]


class Runner:
    """One optimizer on its own copy of the point, with its path, losses and divergence."""

    def __init__(
        self, entry: dict[str, Any], lr: float, start: torch.Tensor, f, config: dict[str, Any]
    ) -> None:
        self.entry, self.f = entry, f
        self.point = start.clone().requires_grad_(True)
        self.optimizer = build_optimizer(entry, self.point, lr)
        self.schedule = build_schedule(self.optimizer, config)
        self._path = torch.empty(MAX_STEPS + 1, 2)  # filled up to `length` (no list → tensor per frame)
        self._losses = torch.empty(MAX_STEPS + 1)
        self._path[0], self._losses[0], self.length = start, evaluate(f, start), 1
        self.used_grad = torch.zeros(2)
        self.used_lr = lr
        self.diverged_at: int | None = None

    def step(self) -> None:
        """One optimizer step (and schedule step) unless diverged; check the new point."""
        if self.diverged_at is not None:
            return
        self.optimizer.zero_grad()
        evaluate(self.f, self.point).backward()
        self.used_grad = self.point.grad.detach().clone()
        self.used_lr = self.optimizer.param_groups[0]["lr"]
        self.optimizer.step()
        if self.schedule is not None:
            self.schedule.step()
        with torch.no_grad():
            loss = float(evaluate(self.f, self.point))
        position = self.point.detach()
        if (
            not (torch.isfinite(position).all() and np.isfinite(loss))
            or position.abs().max() > DIVERGED_BEYOND
        ):
            self.diverged_at = self.length
            return
        self._path[self.length], self._losses[self.length] = position, loss
        self.length += 1

    @property
    def path(self) -> torch.Tensor:
        """The start and every position so far, [k, 2]."""
        return self._path[: self.length]

    @property
    def losses(self) -> torch.Tensor:
        """f at each position, [k]."""
        return self._losses[: self.length]

    def gradient(self) -> torch.Tensor:
        """∇f at the runner's last finite point."""
        point = self.path[-1].clone().requires_grad_(True)
        evaluate(self.f, point).backward()
        return point.grad

    def describe(self) -> dict[str, Any]:
        """Name, learning rate (next step's, and the last step's), settings, step count, divergence."""
        group = self.optimizer.param_groups[0]
        settings = {k: (list(v) if isinstance(v, tuple) else v) for k, v in group.items() if k in SETTINGS}
        state = self.optimizer.state.get(self.point, {})
        step = state.get("step")
        return {
            "name": self.entry["name"],
            "lr": group["lr"],
            "used_lr": self.used_lr,
            "settings": settings,
            "state_step": int(step) if step is not None else 0,
            "steps": self.length - 1,
            "diverged": self.diverged_at is not None,
            "diverged_at": self.diverged_at,
        }

    def state_tensors(self) -> dict[str, torch.Tensor]:
        """The optimizer's per-parameter 2-vectors (momentum buffer, m, v, Σg², running g²)."""
        state = self.optimizer.state.get(self.point, {})
        return {k: state[k] for k in STATE_KEYS if isinstance(state.get(k), torch.Tensor)}


class OptimLive:
    """The function, its grid, and one Runner per configured optimizer."""

    def __init__(self, config: dict, controls: dict, seed: int, device: torch.device) -> None:
        self.config = config
        self.landscape = LANDSCAPES[config["function"]]
        self.f = self.landscape.f(config["kappa"])
        self.start = torch.tensor(config["start"] or self.landscape.start)
        lrs = FUNCTION_LRS.get(config["function"], {})
        self.entries = [
            {**e, "lr": e.get("lr", lrs.get(e["name"], DEFAULT_LR[e["name"]]))}
            for e in (config["optimizers"] or DEFAULT_OPTIMIZERS)
        ]
        self.grid = grid_values(self.f, self.landscape.bounds, GRID)
        self.step_interval = 0.0
        self.set_controls(controls)
        self.reset()

    def reset(self) -> None:
        """Every optimizer fresh at the start point."""
        self.runners = [Runner(e, e["lr"], self.start, self.f, self.config) for e in self.entries]
        self.steps = 0

    def describe(self) -> dict[str, Any]:
        """The function's window, start and minima; the optimizers with their learning rates."""
        return {
            "function": self.config["function"],
            "bounds": list(self.landscape.bounds),
            "start": self.start.tolist(),
            "minima": [list(m) for m in self.landscape.minima],
            "optimizers": self.entries,
            "max_steps": MAX_STEPS,
        }

    def handle(self, message: InputMessage) -> None:
        """No input messages: the start and the optimizers are the config."""

    def set_controls(self, controls: dict[str, Any]) -> None:
        """``speed``: optimizer steps per second while playing (the session waits ``step_interval``)."""
        if "speed" in controls:
            self.step_interval = 1.0 / controls["speed"]

    def train_step(self) -> None:
        """One step of every optimizer that has not diverged (none past MAX_STEPS)."""
        if self.steps >= MAX_STEPS:
            return
        for runner in self.runners:
            runner.step()
        self.steps += 1

    def take_running(self) -> None:
        """Losses travel in frames, per optimizer."""

    def evaluate(self) -> None:
        """No validation set: a function has no held-out data."""

    def frame(self, grads: bool, dtype: torch.dtype) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
        """Paths and losses so far, gradients and optimizer states now, and the grid."""
        tensors: dict[str, torch.Tensor] = {"grid": self.grid}
        for i, runner in enumerate(self.runners):
            tensors[f"path.{i}"], tensors[f"loss.{i}"] = runner.path, runner.losses
            extra = {"grad": runner.gradient(), "used_grad": runner.used_grad, **runner.state_tensors()}
            # A diverging step can overflow a gradient or Adam's v: those are left out, never sent as inf.
            extra = {k: v for k, v in extra.items() if torch.isfinite(v).all()}
            named = {(f"state.{i}.{k}" if k in STATE_KEYS else f"{k}.{i}"): v for k, v in extra.items()}
            tensors.update(named)
        header = {
            "function": self.config["function"],
            "bounds": list(self.landscape.bounds),
            "optimizers": [r.describe() for r in self.runners],
            "done": self.steps >= MAX_STEPS,
        }
        return header, {k: v.detach().float().numpy() for k, v in tensors.items()}

    def export_weights(self) -> bytes:
        """Each optimizer's point [x, y], and how many steps led there."""
        points = {f"point.{i}": r.path[-1].clone() for i, r in enumerate(self.runners)}
        return save({**points, "steps": torch.tensor([self.steps])})

    def load_weights(self, state: dict[str, torch.Tensor], field: str) -> None:
        """Carry on from an export of the same config (a fork): its steps rerun from the start, which
        rebuilds every path and optimizer state exactly (each step is deterministic)."""
        if "steps" not in state:
            raise ParamError(field, "not an export of this model (no 'steps')")
        self.reset()
        for _ in range(min(int(state["steps"][0]), MAX_STEPS)):
            self.train_step()


OPTIM = ModelSpec(
    name="optim",
    title="Gradient descent",
    page="/optim",
    config=(
        Param("function", "choice", "rosenbrock", "the 2-D function", choices=tuple(LANDSCAPES)),
        Param(
            "kappa", "float", 10.0, "quadratic: the condition number κ of ½(x² + κ·y²)", min=1.0, max=1000.0
        ),
        Param(
            "start",
            "list",
            None,
            "[x, y] every optimizer starts from (null: the function's own)",
            parse=parse_start,
        ),
        Param(
            "optimizers",
            "list",
            None,
            f"[{{name, lr, …}}], name one of {', '.join(NAMES)}",
            parse=parse_optimizers,
        ),
        Param("schedule", "choice", "none", "learning-rate schedule", choices=("none", "step", "cosine")),
        Param("step_size", "int", 100, "StepLR: steps between decays", min=1, max=MAX_STEPS),
        Param("gamma", "float", 0.5, "StepLR: factor of each decay", min=0.0, max=1.0),
        Param("t_max", "int", 500, "cosine: steps from the full rate to 0", min=1, max=MAX_STEPS),
    ),
    controls=(Param("speed", "float", 30.0, "optimizer steps per second while playing", min=2.0, max=500.0),),
    tensors=("grid", "path.<i>", "loss.<i>", "grad.<i>", "used_grad.<i>"),
    optional_tensors={},
    inputs=frozenset(),
    trains=True,
    precision="float32",
    build=OptimLive,
)
