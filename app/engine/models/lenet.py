"""LeNet-5 (LeCun et al., 1998) with the classic layer names and sizes.

32×32 input → C1 6@5×5 (6×28×28) → S2 2×2 (6×14×14) → C3 16@5×5 (16×10×10) → S4 2×2 (16×5×5)
→ C5 120@5×5 (120) → F6 84 → 10 logits. C3 connects to all six S2 maps (the 1998 paper used a sparse
table); subsampling is plain average or max pooling.
"""

from collections.abc import Callable
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import Tensor, nn

ACTIVATIONS: dict[str, Callable[[], nn.Module]] = {
    "tanh": nn.Tanh,
    "relu": nn.ReLU,
    "sigmoid": nn.Sigmoid,
}
POOLING: dict[str, Callable[[], nn.Module]] = {
    "avg": lambda: nn.AvgPool2d(2),
    "max": lambda: nn.MaxPool2d(2),
}
LAYER_NAMES = ("c1", "s2", "c3", "s4", "c5", "f6", "out")


@dataclass(frozen=True)
class LeNetConfig:
    """Architecture choices: the 1998 design is tanh with average subsampling."""

    activation: str = "tanh"
    pooling: str = "avg"


class LeNet5(nn.Module):
    """LeNet-5; each named child's output is that layer's activation (``out`` gives the logits)."""

    def __init__(self, config: LeNetConfig) -> None:
        super().__init__()
        act = ACTIVATIONS[config.activation]
        pool = POOLING[config.pooling]
        self.c1 = nn.Sequential(nn.Conv2d(1, 6, 5), act())
        self.s2 = pool()
        self.c3 = nn.Sequential(nn.Conv2d(6, 16, 5), act())
        self.s4 = pool()
        self.c5 = nn.Sequential(nn.Conv2d(16, 120, 5), nn.Flatten(), act())
        self.f6 = nn.Sequential(nn.Linear(120, 84), act())
        self.out = nn.Linear(84, 10)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Logits for a batch of 32×32 images. x: (B, 1, 32, 32) → (B, 10)."""
        for name in LAYER_NAMES:
            x = getattr(self, name)(x)
        return x

    def layer_outputs(
        self, x: torch.Tensor, *, native_conv: bool = False, frozen: bool = False
    ) -> dict[str, torch.Tensor]:
        """The same pass as ``forward``, keeping every named layer's output (``out`` holds the logits):
        what a frame shows, without attaching hooks. ``native_conv`` runs the convolutions through
        ``native_conv2d`` (for a CPU batch of one: the same float32 weights, a cheaper kernel).
        ``frozen`` uses the weights detached: autograd then records the activations' graph only, so
        gradients of the activations (a frame's backward) compute no weight gradients on the way."""
        outputs = {}
        for name in LAYER_NAMES:
            layer = getattr(self, name)
            plain = not (native_conv or frozen)
            x = outputs[name] = layer(x) if plain else through_layer(layer, x, native_conv, frozen)
        return outputs


def native_conv2d(conv: nn.Conv2d, x: torch.Tensor, weight: torch.Tensor, bias: Tensor | None) -> Tensor:
    """``conv(x)`` with ``weight`` and ``bias`` (``conv``'s own, or them detached) through torch's own im2col
    + matrix-product kernel (``thnn_conv2d``, what torch uses when oneDNN is off) instead of oneDNN, whose
    per-call set-up dominates a 1×32×32 input on the CPU. Autograd included; stride and padding only
    (LeNet has no dilation or groups)."""
    return torch.ops.aten.thnn_conv2d(x, weight, conv.kernel_size, bias, conv.stride, conv.padding)


def through_layer(layer: nn.Module, x: Tensor, native_conv: bool, frozen: bool) -> Tensor:
    """``layer(x)`` with its Conv2d and Linear modules applied as functions of their weights (detached when
    ``frozen``), each Conv2d through ``native_conv2d`` when ``native_conv``. For LeNet's layers: biases,
    stride and padding are honoured; dilation, groups and padding modes are not (LeNet has none)."""
    for module in layer if isinstance(layer, nn.Sequential) else (layer,):
        if not isinstance(module, nn.Conv2d | nn.Linear):
            x = module(x)
            continue
        weight, bias = module.weight, module.bias
        if frozen:
            weight, bias = weight.detach(), bias.detach()
        if isinstance(module, nn.Linear):
            x = F.linear(x, weight, bias)
        elif native_conv:
            x = native_conv2d(module, x, weight, bias)
        else:
            x = F.conv2d(x, weight, bias, module.stride, module.padding)
    return x


def describe_layers(model: LeNet5) -> list[dict]:
    """Each named layer's kind, input and output shapes and kernel geometry, read off the modules."""
    layers, shape = [], [1, 32, 32]
    x = torch.zeros(1, *shape, device=next(model.parameters()).device)
    with torch.no_grad():
        for name in LAYER_NAMES:
            module = getattr(model, name)
            x = module(x)
            entry = {"name": name, "in": shape, "out": list(x.shape[1:])}
            first = module[0] if isinstance(module, nn.Sequential) else module
            if isinstance(first, nn.Conv2d):
                entry |= {"kind": "conv", "kernel": first.kernel_size[0], "stride": first.stride[0]}
                entry["padding"] = first.padding[0]
            elif isinstance(first, nn.AvgPool2d | nn.MaxPool2d):
                op = "avg" if isinstance(first, nn.AvgPool2d) else "max"
                entry |= {"kind": "pool", "op": op, "kernel": first.kernel_size}
                entry |= {"stride": first.stride, "padding": first.padding}
            else:
                entry["kind"] = "linear"
            layers.append(entry)
            shape = entry["out"]
    return layers
