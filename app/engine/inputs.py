"""Inputs that clients send or ask for, turned into tensors: typed numbers and generated patterns."""

from typing import Any

import torch

from app.engine.data.digits import load_digits_32
from app.engine.params import ParamError
from app.protocol.messages import Forward, Pattern, Sample


def as_tensor(values: Any, field: str) -> torch.Tensor:
    """Nested lists of numbers → a float32 tensor; ragged lists are refused naming ``field``."""
    try:
        return torch.tensor(values, dtype=torch.float32)
    except (ValueError, TypeError):
        raise ParamError(field, "must be a rectangular array of numbers (rows of equal length)") from None


def check_shape(image: torch.Tensor, shape: tuple[int, ...], field: str) -> torch.Tensor:
    """``image`` as ``shape`` (C, H, W); a single (H, W) plane is accepted when C is 1."""
    if image.dim() == 2 and shape[0] == 1:
        image = image[None]
    if tuple(image.shape) != shape:
        raise ParamError(field, f"must have shape {list(shape)}, got {list(image.shape)}")
    return image


def check_range(image: torch.Tensor, limit: float, field: str) -> torch.Tensor:
    """Refuse values whose magnitude exceeds ``limit``."""
    if image.numel() and image.abs().max() > limit:
        raise ParamError(field, f"values must lie within ±{limit:g}")
    return image


def checkerboard(shape: tuple[int, int, int]) -> torch.Tensor:
    """(C, H, W) of alternating 0 and 1, starting with 1 at the top left."""
    _, h, w = shape
    rows, cols = torch.arange(h)[:, None], torch.arange(w)[None, :]
    return ((rows + cols) % 2 == 0).float().expand(shape).clone()


def random_pattern(shape: tuple[int, int, int], generator: torch.Generator) -> torch.Tensor:
    """(C, H, W) of uniform values in [0, 1), rounded to 0.1 so they can be read on screen."""
    return (torch.rand(shape, generator=generator) * 10).floor() / 10


def resized_digit(image: torch.Tensor, shape: tuple[int, int, int]) -> torch.Tensor:
    """A (1, 32, 32) dataset digit resized (area/bilinear) to (H, W) and repeated over C channels."""
    c, h, w = shape
    mode = "area" if h <= image.shape[-2] and w <= image.shape[-1] else "bilinear"
    small = torch.nn.functional.interpolate(image[None], size=(h, w), mode=mode)[0]
    return small.expand(c, h, w).clone()


IMAGE_MESSAGES = frozenset({"forward", "sample", "pattern"})
ImageMessage = Forward | Sample | Pattern  # the classes of those messages
TYPED_LIMIT = 1000.0


def image_from_message(
    message: ImageMessage, shape: tuple[int, int, int], generator: torch.Generator, limit: float = TYPED_LIMIT
) -> torch.Tensor:
    """A (C, H, W) input: ``forward`` (typed numbers within ±limit), ``sample`` (a digit), ``pattern``."""
    if isinstance(message, Forward):
        typed = check_shape(as_tensor(message.input, "input"), shape, "input")
        return check_range(typed, limit, "input")
    if isinstance(message, Sample):
        x, _ = load_digits_32().split(message.split)
        if not 0 <= message.index < len(x):
            raise ParamError("index", f"must be in 0..{len(x) - 1} for split {message.split!r}")
        return resized_digit(x[message.index], shape)
    if message.name == "checkerboard":
        return checkerboard(shape)
    return random_pattern(shape, generator)
