"""Max and average pooling on a feature map, forward and backward (torch autograd)."""

from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from safetensors.torch import save

from app.engine.capture import to_numpy
from app.engine.data.digits import digits_facts, load_digits_32
from app.engine.inputs import (
    IMAGE_MESSAGES,
    as_tensor,
    check_range,
    check_shape,
    image_from_message,
    resized_digit,
)
from app.engine.live.base import ModelSpec
from app.engine.live.conv import output_side
from app.engine.params import Param, ParamError
from app.protocol.messages import Forward, InputMessage, Pattern, Sample, Upstream

GRAD_LIMIT = 1000.0
MAP_LIMIT = 1e8  # a feature map passed on from /conv can be large: typed kernels reach ±100 × inputs ±1000


def check_pooling(config: dict) -> None:
    """PyTorch's rules: padding at most half the window, and a non-empty output."""
    f, p, s = config["kernel"], config["padding"], config["stride"]
    if p > f // 2:
        raise ParamError("config.padding", f"padding must be at most half the window: p ≤ ⌊{f}/2⌋ = {f // 2}")
    for side in ("height", "width"):
        if output_side(config[side], f, p, s, 1) < 1:
            raise ParamError(
                "config.kernel",
                f"the {f}×{f} window does not fit the padded {side} n + 2p = {config[side] + 2 * p}",
            )


class PoolLive:
    """A pooling layer with an input feature map and an upstream gradient to send back through it."""

    def __init__(self, op: str, config: dict, seed: int, device: torch.device) -> None:
        self.op, self.config, self.device, self.seed = op, config, device, seed
        self.shape = (config["channels"], config["height"], config["width"])
        self.generator = torch.Generator().manual_seed(seed)
        self.reset()

    def reset(self) -> None:
        """The first validation digit as input and an upstream gradient of ones."""
        self.generator.manual_seed(self.seed)
        self.image = resized_digit(load_digits_32().val_x[0], self.shape)
        self.upstream = torch.ones(self.out_shape)

    @property
    def out_shape(self) -> tuple[int, int, int]:
        """(C, H_out, W_out)."""
        c = self.config
        sides = [output_side(c[s], c["kernel"], c["padding"], c["stride"], 1) for s in ("height", "width")]
        return (c["channels"], *sides)

    def describe(self) -> dict[str, Any]:
        """Input and output shapes and the operation."""
        limits = {"input": MAP_LIMIT, "upstream": GRAD_LIMIT}
        facts = {"op": self.op, "input": list(self.shape), "output": list(self.out_shape)}
        return {**facts, "dataset": digits_facts(), "limits": limits}

    def handle(self, message: InputMessage) -> None:
        """A new input map, or a new upstream gradient (ones, random, typed)."""
        if isinstance(message, Forward | Sample | Pattern):
            self.image = image_from_message(message, self.shape, self.generator, MAP_LIMIT)
        elif not isinstance(message, Upstream):
            return
        elif message.source == "ones":
            self.upstream = torch.ones(self.out_shape)
        elif message.source == "random":
            self.upstream = torch.randn(self.out_shape, generator=self.generator).mul(10).round().div(10)
        else:
            if message.values is None:
                raise ParamError("values", "typed upstream gradients need values")
            typed = check_shape(as_tensor(message.values, "values"), self.out_shape, "values")
            self.upstream = check_range(typed, GRAD_LIMIT, "values")

    def set_controls(self, controls: dict[str, Any]) -> None:
        """Pooling has no live controls."""

    def take_running(self) -> None:
        """Nothing trains here."""

    def frame(self, grads: bool, dtype: torch.dtype) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
        """Input, output, the upstream gradient, ∂L/∂input by autograd, and for max the argmax cells."""
        c = self.config
        x = self.image.to(self.device).clone().requires_grad_(True)
        window = {"kernel_size": c["kernel"], "stride": c["stride"], "padding": c["padding"]}
        if self.op == "max":
            out, argmax = F.max_pool2d(x[None], return_indices=True, **window)
        else:
            out, argmax = F.avg_pool2d(x[None], **window), None
        upstream = self.upstream.to(self.device)
        (grad,) = torch.autograd.grad(out[0], x, grad_outputs=upstream)
        tensors = to_numpy({"input": x, "output": out[0], "output.grad": upstream, "input.grad": grad}, dtype)
        if argmax is not None:
            tensors["argmax"] = argmax[0].to(torch.int32).cpu().numpy()  # flat index into each input plane
        return {}, tensors

    def export_weights(self) -> bytes:
        """Pooling has no parameters: an empty safetensors file."""
        return save({})


def _pool_spec(op: str, title: str) -> ModelSpec:
    return ModelSpec(
        name=f"{op}pool2d",
        title=title,
        page="/pool",
        config=(
            Param("height", "int", 6, "input height n", min=1, max=32),
            Param("width", "int", 6, "input width", min=1, max=32),
            Param("channels", "int", 1, "channels (4: a /conv output can be pooled)", min=1, max=4),
            Param("kernel", "int", 2, "window f", min=1, max=7),
            Param("stride", "int", 2, "stride s", min=1, max=7),
            Param("padding", "int", 0, "padding p (−∞ for max, 0 for average)", min=0, max=3),
        ),
        controls=(),
        tensors=("input", "output", "output.grad", "input.grad", *(("argmax",) if op == "max" else ())),
        optional_tensors={},
        inputs=frozenset({*IMAGE_MESSAGES, "upstream"}),
        trains=False,
        precision="float32",
        build=lambda config, _controls, seed, device: PoolLive(op, config, seed, device),
        check=check_pooling,
    )


MAXPOOL2D = _pool_spec("max", "Max pooling")
AVGPOOL2D = _pool_spec("avg", "Average pooling")
