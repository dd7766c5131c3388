"""Activation functions and their derivatives by autograd, one neuron g(w·x + b), and the depth experiment:
‖∂L/∂h_l‖ per layer of a deep stack after one backward pass, for two activations on the same weights."""

from collections.abc import Callable
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from safetensors.torch import save

from app.engine.device import seeded
from app.engine.live.base import ModelSpec
from app.engine.params import Param
from app.protocol.messages import InputMessage

DEPTH_BATCH = 128  # inputs in the depth experiment's batch


def activation_functions(slope: float) -> dict[str, Callable[[torch.Tensor], torch.Tensor]]:
    """The functions the page shows, by name; ``slope`` is LeakyReLU's for x < 0."""
    return {
        "sigmoid": torch.sigmoid,
        "tanh": torch.tanh,
        "relu": F.relu,
        "leaky_relu": lambda x: F.leaky_relu(x, slope),
        "elu": F.elu,
        "gelu": F.gelu,
    }


FUNCTIONS = tuple(activation_functions(0.0))
INITS: dict[str, Callable[[torch.Tensor], Any]] = {
    "kaiming": lambda w: torch.nn.init.kaiming_normal_(w, nonlinearity="relu"),
    "xavier": torch.nn.init.xavier_normal_,
    "pytorch": lambda w: torch.nn.init.kaiming_uniform_(w, a=5**0.5),  # nn.Linear's own default
}


def value_and_derivative(f: Callable, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """f(x) and f′(x) elementwise, the derivative by autograd."""
    x = x.detach().requires_grad_(True)
    y = f(x)
    (dy,) = torch.autograd.grad(y.sum(), x)
    return y.detach(), dy


def depth_weights(depth: int, width: int, init: str, seed: int) -> list[torch.Tensor]:
    """``depth`` seeded [width, width] weight matrices drawn by ``init``."""
    return seeded(seed, lambda: [INITS[init](torch.empty(width, width)) for _ in range(depth)])


def depth_gradients(
    weights: list[torch.Tensor], g: Callable, x: torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor]:
    """h_l = g(W_l h_(l−1)), L = mean over the batch of Σ h_N; ‖∂L/∂h_l‖ and dead units (0 for every
    input of the batch) per layer l = 1..N."""
    h, hidden = x.detach().requires_grad_(True), []
    for w in weights:
        h = g(h @ w.T)
        h.retain_grad()
        hidden.append(h)
    h.sum(1).mean().backward()
    norms = torch.stack([layer.grad.norm() for layer in hidden])
    dead = torch.stack([(layer.detach() == 0).all(0).sum() for layer in hidden])
    return norms, dead.float()


class ActivationsLive:
    """The activation curves on a grid, the neuron's curve, and the depth experiment's gradients."""

    def __init__(self, config: dict, controls: dict, seed: int, device: torch.device) -> None:
        span, count = config["span"], config["points"]
        self.x = torch.linspace(-span, span, count)
        self.seed = self.draw_seed = seed
        self.controls = dict(controls)

    def reset(self) -> None:
        """The session seed's weights again."""
        self.draw_seed = self.seed

    def describe(self) -> dict[str, Any]:
        """The functions shown and the depth experiment's batch."""
        return {"functions": list(FUNCTIONS), "depth_batch": DEPTH_BATCH, "inits": list(INITS)}

    def handle(self, message: InputMessage) -> None:
        """``resample``: new weights (and inputs) for the depth experiment."""
        self.draw_seed += 1

    def set_controls(self, controls: dict[str, Any]) -> None:
        """Neuron w, b and activation; LeakyReLU's slope; the depth experiment's settings."""
        self.controls.update(controls)

    def take_running(self) -> None:
        """Nothing trains here."""

    def frame(self, grads: bool, dtype: torch.dtype) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
        """Curves y.<f>, dy.<f> on x; the neuron's; the depth experiment's gradient norms and dead units."""
        c = self.controls
        functions = activation_functions(c["slope"])
        tensors = {"x": self.x}
        for name, f in functions.items():
            tensors[f"y.{name}"], tensors[f"dy.{name}"] = value_and_derivative(f, self.x)
        g = functions[c["activation"]]
        tensors["neuron.y"], tensors["neuron.dy"] = value_and_derivative(
            lambda x: g(c["w"] * x + c["b"]), self.x
        )
        weights = depth_weights(c["depth"], c["width"], c["init"], self.draw_seed)
        inputs = torch.randn(DEPTH_BATCH, c["width"], generator=torch.Generator().manual_seed(self.draw_seed))
        for suffix, name in (("", c["depth_activation"]), (".compare", c["compare_activation"])):
            norms, dead = depth_gradients(weights, functions[name], inputs)
            tensors[f"grad_norm{suffix}"], tensors[f"dead{suffix}"] = norms, dead
        fields = {
            "dead_units": int(tensors["dead"].sum()),
            "dead_units_compare": int(tensors["dead.compare"].sum()),
            "units": c["depth"] * c["width"],
        }
        return fields, {name: t.detach().to(torch.float32).numpy() for name, t in tensors.items()}

    def export_weights(self) -> bytes:
        """Nothing is learnt here (the depth experiment's weights follow from the seed): an empty file."""
        return save({})


def _choice(name: str, default: str, doc: str) -> Param:
    return Param(name, "choice", default, doc, choices=FUNCTIONS)


ACTIVATIONS = ModelSpec(
    name="activations",
    title="Activation functions",
    page="/activations",
    config=(
        Param("points", "int", 401, "grid points K over the input range", min=21, max=2001),
        Param("span", "float", 6.0, "the grid covers [−span, span]", min=1.0, max=20.0),
    ),
    controls=(
        _choice("activation", "sigmoid", "the neuron's activation g"),
        Param("w", "float", 1.0, "the neuron's weight", min=-5.0, max=5.0),
        Param("b", "float", 0.0, "the neuron's bias", min=-10.0, max=10.0),
        Param("slope", "float", 0.1, "LeakyReLU's slope for x < 0", min=0.0, max=1.0),
        Param("depth", "int", 10, "layers N of the depth experiment", min=1, max=30),
        Param("width", "int", 64, "units W per layer of the depth experiment", min=1, max=256),
        _choice("depth_activation", "sigmoid", "activation of the depth experiment"),
        _choice("compare_activation", "relu", "activation it is compared with, on the same weights"),
        Param(
            "init", "choice", "kaiming", "how the depth experiment's weights are drawn", choices=tuple(INITS)
        ),
    ),
    tensors=(
        "x",
        *(f"{kind}.{f}" for f in FUNCTIONS for kind in ("y", "dy")),
        "neuron.y",
        "neuron.dy",
        "grad_norm",
        "dead",
        "grad_norm.compare",
        "dead.compare",
    ),
    optional_tensors={},
    inputs=frozenset({"resample"}),
    trains=False,
    precision="float32",
    build=ActivationsLive,
)
