"""Hooks on a user's modules that record outputs and their gradients, only on the steps that become frames.

A forward pre-hook on the root module starts each forward pass; when a frame is due (``due()``), the
forward hooks of the watched modules keep a small on-device copy of each output (``clip``) and hook the
output tensor for its gradient. Other passes cost one Python call per module. Nothing is moved to the
CPU until ``take()``, once per frame.
"""

import fnmatch
import functools
import logging
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch
from torch import nn

log = logging.getLogger("nnlive.sdk")
MAX_CHANNELS = 16  # feature maps per 4-D output
MAX_SIDE = 32  # rows and columns of a feature map (larger maps are subsampled with a stride)
MAX_STEPS = 64  # time steps of a 3-D (batch, time, features) output
MAX_UNITS = 256  # features of 1-D and 2-D outputs (64 for sequences)
MAX_ROWS = 16  # batch rows of a 2-D output
FRAME_BUDGET_BYTES = 3 * 1024 * 1024  # tensor bytes per frame, below the server's 4 MiB default limit
FLOAT16_RANGE = (float(np.finfo(np.float16).tiny), float(np.finfo(np.float16).max))  # normal numbers


def quiet(hook: Callable[..., None]) -> Callable[..., None]:
    """A hook that logs its errors instead of raising them into the user's training."""

    @functools.wraps(hook)
    def run(*args: Any) -> None:
        try:
            hook(*args)
        except Exception:
            log.exception("nnlive: a capture hook failed; training goes on")

    return run


def clip(t: torch.Tensor) -> torch.Tensor | None:
    """A small view of a module output to draw: the first sample, a few channels, subsampled maps.

    4-D (B, C, H, W) → (1, ≤16, ≤32, ≤32); 3-D (B, T, F) → (1, ≤64, ≤64); 2-D (B, F) → (≤16, ≤256);
    1-D → ≤256 values; other ranks are not drawn (None).
    """
    if t.dim() == 4:
        rows, cols = math.ceil(t.shape[2] / MAX_SIDE), math.ceil(t.shape[3] / MAX_SIDE)
        return t[:1, :MAX_CHANNELS, ::rows, ::cols]
    if t.dim() == 3:
        return t[:1, :: math.ceil(t.shape[1] / MAX_STEPS), :MAX_STEPS]
    if t.dim() == 2:
        return t[:MAX_ROWS, :MAX_UNITS]
    if t.dim() == 1:
        return t[:MAX_UNITS]
    return None


def streamed(t: torch.Tensor, dtype: torch.dtype) -> np.ndarray:
    """``t`` as a CPU array of ``dtype``; float32 instead where float16 would lose it: every value below
    float16's smallest normal number (a well-trained model's gradients: zeros, a blank map) or one above
    its largest (infinities)."""
    if dtype != torch.float16:
        return t.to(dtype).cpu().numpy()
    full = t.float().cpu()
    peak = full.abs().max().item() if full.numel() else 0.0
    smallest, largest = FLOAT16_RANGE
    return (full if 0 < peak < smallest or peak > largest else full.half()).numpy()


def first_tensor(output: Any) -> torch.Tensor | None:
    """The tensor a module returned, or the first one of a tuple (an LSTM's output before its state)."""
    if isinstance(output, torch.Tensor):
        return output
    if isinstance(output, tuple | list):
        return next((o for o in output if isinstance(o, torch.Tensor)), None)
    return None


def selected(names: Iterable[str], include: Iterable[str] | None, exclude: Iterable[str] | None) -> list[str]:
    """The names matching any ``include`` glob (all when None) and no ``exclude`` glob."""
    inc, exc = list(include or ["*"]), list(exclude or [])
    return [
        n
        for n in names
        if any(fnmatch.fnmatchcase(n, p) for p in inc) and not any(fnmatch.fnmatchcase(n, p) for p in exc)
    ]


@dataclass
class Capture:
    """What one captured forward pass recorded, still on the model's device."""

    outputs: dict[str, torch.Tensor] = field(default_factory=dict)
    grads: dict[str, torch.Tensor] = field(default_factory=dict)
    norms: dict[str, torch.Tensor] = field(default_factory=dict)  # ‖∂L/∂output‖ of the whole output


class Watcher:
    """Forward hooks on a model's named modules; records a ``Capture`` on the passes ``due`` picks."""

    def __init__(
        self,
        model: nn.Module,
        due: Callable[[], bool],
        flush: Callable[[], None],
        include: Iterable[str] | None = None,
        exclude: Iterable[str] | None = None,
    ) -> None:
        modules = dict(model.named_modules())
        self.names = selected([n for n in modules if n], include, exclude)
        self.types = {n: type(modules[n]).__name__ for n in self.names}
        self.shapes: dict[str, list[int]] = {}  # output shapes seen on frame steps
        self.capture: Capture | None = None
        self._resume: str | None = None  # the first module the previous frame had no room for
        self._due, self._flush = due, flush
        self._handles = [model.register_forward_pre_hook(quiet(self._begin))]
        self._handles += [modules[n].register_forward_hook(self._recorder(n)) for n in self.names]

    def tree(self) -> list[dict[str, Any]]:
        """Every watched module with its type and latest output shape (None until it ran on a frame step)."""
        return [{"name": n, "type": self.types[n], "shape": self.shapes.get(n)} for n in self.names]

    def take(
        self, dtype: torch.dtype, budget: int = FRAME_BUDGET_BYTES
    ) -> tuple[dict[str, np.ndarray], dict[str, float]]:
        """The captured outputs and gradients as CPU arrays, and the gradient norms; then forget them.

        Arrays go in module by module while they fit ``budget`` bytes, starting where the previous frame
        stopped: when one frame cannot hold every module, successive frames show them all in turn.
        """
        capture, self.capture = self.capture, None
        if capture is None:
            return {}, {}
        names = [n for n in self.names if n in capture.outputs]
        start = names.index(self._resume) if self._resume in names else 0
        arrays: dict[str, np.ndarray] = {}
        size, self._resume = 0, None
        for name in names[start:] + names[:start]:
            tensors = {name: capture.outputs[name]}
            if name in capture.grads:
                tensors[f"{name}.grad"] = capture.grads[name]
            module = {key: streamed(t, dtype) for key, t in tensors.items()}
            cost = sum(a.nbytes for a in module.values())
            if arrays and size + cost > budget:
                self._resume = name
                break
            size += cost
            arrays |= module
        if not capture.norms:
            return arrays, {}
        values = torch.stack(list(capture.norms.values())).tolist()  # one device sync for all norms
        return arrays, dict(zip(capture.norms, values, strict=True))

    def remove(self) -> None:
        """Detach every hook."""
        for handle in self._handles:
            handle.remove()
        self._handles = []
        self.capture = None

    def _begin(self, _module: nn.Module, _args: Any) -> None:
        if self.capture is not None:  # the previous captured pass was never logged: send it now
            self._flush()
        if self._due():
            self.capture = Capture()

    def _recorder(self, name: str) -> Callable[..., None]:
        @quiet
        def record(_module: nn.Module, _args: Any, output: Any) -> None:
            capture = self.capture
            if capture is None or name in capture.outputs:  # most steps end here
                return
            out = first_tensor(output)
            if out is None:
                return
            self.shapes[name] = list(out.shape)
            small = clip(out)
            if small is None:
                return
            capture.outputs[name] = small.detach().clone()
            if out.requires_grad:
                out.register_hook(self._grad_recorder(capture, name))

        return record

    @staticmethod
    def _grad_recorder(capture: Capture, name: str) -> Callable[[torch.Tensor], None]:
        @quiet
        def record(grad: torch.Tensor) -> None:
            if name not in capture.grads:
                capture.grads[name] = clip(grad).detach().clone()
                capture.norms[name] = grad.detach().float().norm()

        return record
