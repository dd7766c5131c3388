"""One nn.Conv2d on an input the user chooses: the numbers behind the sliding-window picture."""

from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from safetensors.torch import save
from torch import nn

from app.engine.capture import to_numpy
from app.engine.data.digits import digits_facts, load_digits_32
from app.engine.device import seeded
from app.engine.inputs import (
    IMAGE_MESSAGES,
    TYPED_LIMIT,
    as_tensor,
    check_range,
    image_from_message,
    resized_digit,
)
from app.engine.kernels import PRESETS, preset
from app.engine.live.base import ModelSpec
from app.engine.params import Param, ParamError
from app.protocol.messages import Forward, InputMessage, Kernel, Pattern, Sample

TYPED_WEIGHT_LIMIT = 100.0


def output_side(n: int, f: int, p: int, s: int, d: int) -> int:
    """floor((n − d·(f − 1) − 1 + 2p) / s) + 1: PyTorch's output size (≤ 0 means empty)."""
    return (n + 2 * p - d * (f - 1) - 1) // s + 1


def check_geometry(config: dict) -> None:
    """Refuse settings whose output would be empty, naming the field and the numbers."""
    f, p, d = config["kernel"], config["padding"], config["dilation"]
    span = d * (f - 1) + 1
    for side in ("height", "width"):
        n = config[side]
        if span > n + 2 * p:
            raise ParamError(
                "config.kernel",
                f"the kernel spans d·(f − 1) + 1 = {span} pixels but the padded {side} is only "
                f"n + 2p = {n + 2 * p}: the output would be empty",
            )


class ConvLive:
    """A seeded nn.Conv2d, its kernels (a preset on the first output channel) and its input."""

    def __init__(self, config: dict, controls: dict, seed: int, device: torch.device) -> None:
        self.config, self.device = config, device
        self.shape = (config["in_channels"], config["height"], config["width"])
        f = config["kernel"]
        self.conv = seeded(seed, self._build).to(device)
        self._set_preset("edge" if f % 2 and f >= 3 else "box_blur")
        self._initial = {k: v.clone() for k, v in self.conv.state_dict().items()}
        self.generator = torch.Generator().manual_seed(seed)
        self.seed = seed
        self.image = resized_digit(load_digits_32().val_x[0], self.shape)

    def _build(self) -> nn.Conv2d:
        c = self.config
        return nn.Conv2d(
            c["in_channels"],
            c["out_channels"],
            c["kernel"],
            stride=c["stride"],
            padding=c["padding"],
            dilation=c["dilation"],
            bias=c["bias"],
        )

    def _set_preset(self, name: str) -> None:
        kernel = preset(name, self.config["kernel"])
        with torch.no_grad():
            self.conv.weight[0] = kernel.to(self.device)  # every input channel of output channel 0
            if self.conv.bias is not None:
                self.conv.bias[0] = 0.0

    def describe(self) -> dict[str, Any]:
        """Input and output shapes, the dilated kernel's span, and rows/columns the kernel never reaches."""
        c = self.config
        f, p, s, d = c["kernel"], c["padding"], c["stride"], c["dilation"]
        span = d * (f - 1) + 1
        out = [output_side(c[side], f, p, s, d) for side in ("height", "width")]
        unreached = [
            c[side] + 2 * p - ((o - 1) * s + span) for side, o in zip(("height", "width"), out, strict=True)
        ]
        return {
            "input": list(self.shape),
            "output": [c["out_channels"], *out],
            "span": span,
            "unreached": unreached,
            "presets": list(PRESETS),
            "dataset": digits_facts(),
            "limits": {"input": TYPED_LIMIT, "weight": TYPED_WEIGHT_LIMIT},
        }

    def handle(self, message: InputMessage) -> None:
        """A new input (typed, a digit, a pattern) or new kernels (a preset, or typed numbers)."""
        if isinstance(message, Forward | Sample | Pattern):
            self.image = image_from_message(message, self.shape, self.generator)
        elif isinstance(message, Kernel) and message.preset is not None:
            self._set_preset(message.preset)
        elif isinstance(message, Kernel):
            self._set_typed_kernels(message.weight, message.bias)

    def _set_typed_kernels(self, weight: Any, bias: Any) -> None:
        if weight is None and bias is None:
            raise ParamError("preset", "give a preset, or weight and/or bias numbers")
        with torch.no_grad():
            if weight is not None:
                w = check_range(as_tensor(weight, "weight"), TYPED_WEIGHT_LIMIT, "weight")
                if w.shape != self.conv.weight.shape:
                    raise ParamError("weight", f"must have shape {list(self.conv.weight.shape)}")
                self.conv.weight.copy_(w)
            if bias is not None:
                if self.conv.bias is None:
                    raise ParamError("bias", "this convolution was created without a bias")
                b = check_range(as_tensor(bias, "bias"), TYPED_WEIGHT_LIMIT, "bias")
                if b.shape != self.conv.bias.shape:
                    raise ParamError("bias", f"must have shape {list(self.conv.bias.shape)}")
                self.conv.bias.copy_(b)

    def reset(self) -> None:
        """The initial kernels and the first digit as input."""
        self.conv.load_state_dict(self._initial)
        self.generator.manual_seed(self.seed)
        self.image = resized_digit(load_digits_32().val_x[0], self.shape)

    def set_controls(self, controls: dict[str, Any]) -> None:
        """The convolution has no live controls."""

    def take_running(self) -> None:
        """Nothing trains here."""

    def frame(self, grads: bool, dtype: torch.dtype) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
        """The input, the pre-activation output, ReLU of it, and the kernels."""
        with torch.no_grad():
            x = self.image.to(self.device)
            out = self.conv(x[None])[0]
            tensors = {"input": x, "output": out, "relu": F.relu(out), "weight": self.conv.weight}
            if self.conv.bias is not None:
                tensors["bias"] = self.conv.bias
        return {}, to_numpy(tensors, dtype)

    def export_weights(self) -> bytes:
        """weight (and bias) as safetensors."""
        return save({k: v.detach().cpu().contiguous() for k, v in self.conv.state_dict().items()})


CONV2D = ModelSpec(
    name="conv2d",
    title="Convolution",
    page="/conv",
    config=(
        Param("height", "int", 7, "input height n", min=1, max=32),
        Param("width", "int", 7, "input width", min=1, max=32),
        Param("in_channels", "int", 1, "input channels", min=1, max=3),
        Param("out_channels", "int", 1, "output channels (kernels)", min=1, max=4),
        Param("kernel", "int", 3, "kernel size f", min=1, max=7),
        Param("padding", "int", 1, "zero padding p on every side", min=0, max=3),
        Param("stride", "int", 1, "stride s", min=1, max=4),
        Param("dilation", "int", 1, "dilation d: the kernel spans d·(f − 1) + 1", min=1, max=3),
        Param("bias", "bool", True, "add a learnable bias per output channel"),
    ),
    controls=(),
    tensors=("input", "output", "relu", "weight", "bias"),
    optional_tensors={},
    inputs=frozenset({*IMAGE_MESSAGES, "kernel"}),
    trains=False,
    precision="float32",
    build=ConvLive,
    check=check_geometry,
)
