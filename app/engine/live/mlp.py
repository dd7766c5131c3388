"""The MLP playground: a small network learning a generated 2-D data set live, with its decision surface,
every hidden unit's output over the plane, its weights and per-layer gradient magnitudes."""

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from safetensors.torch import save

from app.engine.data.points2d import plane_grid
from app.engine.data.toy2d import CLASSIFICATION, DATASETS, REGRESSION, SPAN, make_toy
from app.engine.device import seeded
from app.engine.live.base import ModelSpec
from app.engine.models.playground import ACTIVATIONS, FEATURES, PlaygroundMLP, as_maps, feature_columns
from app.engine.params import Param, ParamError
from app.engine.training import EpochOrder, Metrics
from app.protocol.messages import InputMessage, Points

MAX_POINTS = 2000  # generated and clicked in, together
MOMENTUM = 0.9
OPTIMIZERS = {
    "sgd": lambda params, lr: torch.optim.SGD(params, lr=lr),
    "momentum": lambda params, lr: torch.optim.SGD(params, lr=lr, momentum=MOMENTUM),
    "adam": lambda params, lr: torch.optim.Adam(params, lr=lr),
    "rmsprop": lambda params, lr: torch.optim.RMSprop(params, lr=lr),
}


def plane_points(size: int) -> torch.Tensor:
    """[size², 2] the centres of the plane's size × size pixels, row 0 at x2 = +SPAN, column 0 at
    x1 = −SPAN: where every map of a frame is taken."""
    return plane_grid(size, SPAN, pixel_centres=True)


def candidate_feature_maps(size: int) -> np.ndarray:
    """[len(FEATURES), size, size] float32: every input feature (FEATURES' order) over the plane, chosen or
    not, as a frame's ``feature`` holds the chosen ones (the page shows each beside its checkbox)."""
    return as_maps(feature_columns(plane_points(size), list(FEATURES)), size).numpy()


@dataclass(frozen=True)
class Head:
    """How the network's outputs become a loss and a prediction (P(class 1), or the regressed value)."""

    outputs: int
    loss: Any  # (out [n, outputs], y [n]) -> 0-d tensor
    predict: Any  # out [n, outputs] -> [n]


HEADS = {
    "bce": Head(
        1, lambda out, y: F.binary_cross_entropy_with_logits(out[:, 0], y), lambda out: out[:, 0].sigmoid()
    ),
    "cross_entropy": Head(2, lambda out, y: F.cross_entropy(out, y.long()), lambda out: out.softmax(1)[:, 1]),
    "mse": Head(1, lambda out, y: F.mse_loss(out[:, 0], y), lambda out: out[:, 0]),
}


def check_config(config: dict) -> None:
    """BCE and cross-entropy need a data set with classes."""
    if config["dataset"] in REGRESSION and config["loss"] != "mse":
        raise ParamError(
            "config.loss", f"{config['dataset']!r} is a regression data set: its loss must be mse"
        )


class PlaygroundTrainer:
    """Mini-batch steps on the training points: data loss + L1/L2 on the weights, optimizer from controls."""

    def __init__(self, model: PlaygroundMLP, head: Head, controls: dict, seed: int) -> None:
        self.model, self.head, self.seed = model, head, seed
        self.controls = dict(controls)
        self.optimizer = OPTIMIZERS[controls["optimizer"]](model.parameters(), controls["lr"])
        self.order: EpochOrder | None = None
        model.dropout = controls["dropout"]

    def update(self, controls: dict) -> None:
        """New controls: another optimizer starts afresh, the rest apply from the next step."""
        old, self.controls = self.controls, {**self.controls, **controls}
        if old["optimizer"] != self.controls["optimizer"]:
            self.optimizer = OPTIMIZERS[self.controls["optimizer"]](
                self.model.parameters(), self.controls["lr"]
            )
        for group in self.optimizer.param_groups:
            group["lr"] = self.controls["lr"]
        self.model.dropout = self.controls["dropout"]

    def penalty(self) -> torch.Tensor:
        """l1 · Σ|w| + l2 · Σw² over the weight matrices (not the biases)."""
        weights = [layer.weight for layer in self.model.layers]
        l1 = sum(w.abs().sum() for w in weights)
        l2 = sum((w**2).sum() for w in weights)
        return self.controls["l1"] * l1 + self.controls["l2"] * l2

    def step(self, x: torch.Tensor, y: torch.Tensor) -> None:
        """One optimizer step on the next mini-batch of (x, y)."""
        if self.order is None or self.order.count != len(y):
            self.order = EpochOrder(len(y), self.seed)
        idx = self.order.next(self.controls["batch_size"])
        self.model.train()
        loss = self.head.loss(self.model(x[idx]), y[idx]) + self.penalty()
        self.optimizer.zero_grad(set_to_none=True)
        loss.backward()
        self.optimizer.step()


class MlpLive:
    """One session's playground: its points (train and test), network, trainer and the plane's grid."""

    def __init__(self, config: dict, controls: dict, seed: int, device: torch.device) -> None:
        self.config, self.seed, self.device = config, seed, device
        self.classify = config["dataset"] in CLASSIFICATION
        points, targets = make_toy(config["dataset"], config["samples"], config["noise"], seed)
        tests = round(config["samples"] * config["test_ratio"])
        self.points, self.targets = points.to(device), targets.to(device)
        self.is_test = (torch.arange(len(points)) >= len(points) - tests).to(device)
        self.head = HEADS[config["loss"]]
        self.grid = plane_points(config["grid"]).to(device)
        self.model = seeded(seed, self._build).to(device)
        self._initial = {k: v.clone() for k, v in self.model.state_dict().items()}
        self.trainer = PlaygroundTrainer(self.model, self.head, controls, seed)
        self.stepped = False

    def _build(self) -> PlaygroundMLP:
        c = self.config
        return PlaygroundMLP(len(c["features"]), c["hidden"], self.head.outputs, c["activation"])

    def inputs(self, points: torch.Tensor) -> torch.Tensor:
        """The network's input columns for [n, 2] points."""
        return feature_columns(points, self.config["features"])

    def split(self, test: bool) -> tuple[torch.Tensor, torch.Tensor]:
        """(features, targets) of the test or the training points."""
        mask = self.is_test if test else ~self.is_test
        return self.inputs(self.points[mask]), self.targets[mask]

    def describe(self) -> dict[str, Any]:
        """Layer widths (inputs, hidden…, outputs), the task, the square's half-width."""
        c = self.config
        widths = [len(c["features"]), *c["hidden"], self.head.outputs]
        task = "classification" if self.classify else "regression"
        return {"widths": widths, "task": task, "span": SPAN, "max_points": MAX_POINTS}

    def reset(self) -> None:
        """The seed's initial weights and a fresh optimizer (points and controls stay)."""
        self.model.load_state_dict(self._initial)
        self.trainer = PlaygroundTrainer(self.model, self.head, self.trainer.controls, self.seed)

    def handle(self, message: InputMessage) -> None:
        """``points``: add clicked-in points [x1, x2, target] to the training or test set."""
        if not isinstance(message, Points):
            return
        rows = torch.tensor(message.points, dtype=torch.float32).reshape(-1, 3)
        if len(self.points) + len(rows) > MAX_POINTS:
            raise ParamError("points", f"at most {MAX_POINTS} points in all; {len(self.points)} are there")
        for i, (x1, x2, target) in enumerate(rows.tolist()):
            if max(abs(x1), abs(x2)) > SPAN:
                raise ParamError(f"points[{i}]", f"x1 and x2 must lie within ±{SPAN:g}")
            if self.classify and target not in (0.0, 1.0):
                raise ParamError(f"points[{i}]", "the class must be 0 or 1")
            if not self.classify and abs(target) > 1:
                raise ParamError(f"points[{i}]", "the target must lie within ±1")
        self.points = torch.cat((self.points, rows[:, :2].to(self.device)))
        self.targets = torch.cat((self.targets, rows[:, 2].to(self.device)))
        marks = torch.full((len(rows),), message.split == "test", device=self.device)
        self.is_test = torch.cat((self.is_test, marks))

    def set_controls(self, controls: dict[str, Any]) -> None:
        """Optimizer, learning rate, batch size, L1/L2 and dropout."""
        self.trainer.update(controls)

    def train_step(self) -> None:
        """One optimizer step on a mini-batch of the training points."""
        self.trainer.step(*self.split(test=False))
        self.stepped = True

    @torch.no_grad()
    def metrics(self, test: bool) -> Metrics:
        """Data loss (None once it is not finite) and accuracy (None for regression) over the whole split, in
        eval mode."""
        x, y = self.split(test)
        self.model.eval()
        out = self.model(x)
        acc = ((self.head.predict(out) > 0.5).float() == y).float().mean().item() if self.classify else None
        loss = self.head.loss(out, y).item()
        return Metrics(loss if math.isfinite(loss) else None, acc)  # a diverged run's loss travels as null

    def take_running(self) -> Metrics | None:
        """Training loss and accuracy over all training points, when a step ran since the last call."""
        stepped, self.stepped = self.stepped, False
        return self.metrics(test=False) if stepped else None

    def evaluate(self) -> Metrics:
        """Test loss and accuracy."""
        return self.metrics(test=True)

    def layer_gradients(self) -> torch.Tensor:
        """‖∂L/∂W_l‖ per layer (hidden ones, then the output), L the data loss over the training points."""
        self.model.eval()
        self.model.zero_grad(set_to_none=True)
        x, y = self.split(test=False)
        self.head.loss(self.model(x), y).backward()
        norms = torch.stack([layer.weight.grad.norm() for layer in self.model.layers])
        self.model.zero_grad(set_to_none=True)
        return norms

    def frame(self, grads: bool, dtype: torch.dtype) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
        """Train and test metrics; the surface, unit and feature maps over the plane; weights, points."""
        g = self.config["grid"]
        tensors: dict[str, torch.Tensor] = {"grad_norm": self.layer_gradients()}
        with torch.no_grad():
            features = self.inputs(self.grid)
            hidden: list[torch.Tensor] = []
            out = self.model(features, hidden)
            tensors["surface"] = self.head.predict(out).reshape(g, g)
            tensors["feature"] = as_maps(features, g)
            for i, units in enumerate(hidden, 1):
                tensors[f"unit.l{i}"] = as_maps(units, g)
            for i, layer in enumerate(self.model.layers, 1):
                tensors[f"weight.l{i}"], tensors[f"bias.l{i}"] = layer.weight, layer.bias
            tensors["points"], tensors["targets"] = self.points, self.targets
        maps = {"surface", "feature", *(name for name in tensors if name.startswith("unit."))}
        arrays = {  # the maps in the session's precision, the numbers shown (weights, points) in float32
            name: t.detach().to(dtype if name in maps else torch.float32).cpu().numpy()
            for name, t in tensors.items()
        }
        arrays["is_test"] = self.is_test.to(torch.uint8).cpu().numpy()
        train, test = self.metrics(test=False), self.metrics(test=True)
        shown = ({"loss": m.loss, "acc": m.acc} for m in (train, test))
        fields = {"train": next(shown), "test": next(shown), "task": self.describe()["task"]}
        return fields, arrays

    def export_weights(self) -> bytes:
        """The network's state_dict."""
        return save({k: v.contiguous().cpu() for k, v in self.model.state_dict().items()})


MLP = ModelSpec(
    name="mlp",
    title="MLP playground",
    page="/playground",
    config=(
        Param("dataset", "choice", "circle", "generated 2-D data set", choices=DATASETS),
        Param("noise", "float", 0.0, "jitter, as a share of the square's half-width", min=0.0, max=0.5),
        Param("samples", "int", 400, "points generated", min=20, max=MAX_POINTS),
        Param("test_ratio", "float", 0.5, "share of the points held out for testing", min=0.1, max=0.9),
        Param("features", "names", ["x1", "x2"], "input features", choices=tuple(FEATURES), length=(1, 7)),
        Param("hidden", "ints", [4, 2], "units per hidden layer", min=1, max=32, length=(0, 8)),
        Param("activation", "choice", "tanh", "activation of the hidden layers", choices=tuple(ACTIVATIONS)),
        Param(
            "loss", "choice", "bce", "bce on a sigmoid output, cross_entropy, or mse", choices=tuple(HEADS)
        ),
        Param("grid", "int", 32, "the plane's maps are G × G", min=8, max=64),
    ),
    controls=(
        Param("optimizer", "choice", "adam", "torch.optim algorithm", choices=tuple(OPTIMIZERS)),
        Param("lr", "float", 0.03, "learning rate", min=1e-5, max=10.0),
        Param("batch_size", "int", 10, "points per mini-batch", min=1, max=MAX_POINTS),
        Param("l1", "float", 0.0, "L1 penalty on the weights", min=0.0, max=1.0),
        Param("l2", "float", 0.0, "L2 penalty on the weights", min=0.0, max=1.0),
        Param("dropout", "float", 0.0, "dropout after each hidden layer while training", min=0.0, max=0.9),
    ),
    tensors=("surface", "feature", "grad_norm", "points", "targets", "is_test"),
    optional_tensors={},
    inputs=frozenset({"points"}),
    trains=True,
    precision="float32",
    build=MlpLive,
    check=check_config,
)
