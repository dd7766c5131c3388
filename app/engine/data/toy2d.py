"""Seeded 2-D toy data sets on the square [−6, 6]² (the playground's): five to classify, two to regress.

Classification labels are 0 or 1; regression targets lie in [−1, 1]. ``noise`` (0–0.5) is the share of
the square's half-width added as Gaussian jitter to each point (classification) or to each target
(regression).
"""

import math
from collections.abc import Callable

import torch

from app.engine.data.points2d import MOONS_RADIUS, make_points

SPAN = 6.0  # points lie in [−SPAN, SPAN]²
CLASSIFICATION = ("circle", "xor", "gauss", "spiral", "moons")
REGRESSION = ("plane", "sine")
DATASETS = CLASSIFICATION + REGRESSION

Maker = Callable[[int, torch.Generator], tuple[torch.Tensor, torch.Tensor]]


def _uniform(n: int, g: torch.Generator) -> torch.Tensor:
    return (torch.rand(n, 2, generator=g) * 2 - 1) * SPAN


def _circle(n: int, g: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
    """Half the points inside radius 2.5 (label 1), half in a ring from 3.5 to 5.5 (label 0)."""
    inside = torch.arange(n) % 2 == 0
    radius = torch.where(inside, torch.rand(n, generator=g) * 2.5, 3.5 + torch.rand(n, generator=g) * 2)
    angle = torch.rand(n, generator=g) * 2 * math.pi
    x = torch.stack((radius * angle.cos(), radius * angle.sin()), 1)
    return x, inside.float()


def _xor(n: int, g: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
    """Uniform points away from the axes; label 1 where x1·x2 > 0."""
    x = _uniform(n, g)
    x = x + x.sign() * 0.3  # a small margin around the axes
    return x.clamp(-SPAN, SPAN), (x[:, 0] * x[:, 1] > 0).float()


def _gauss(n: int, g: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
    """Two Gaussian blobs around (2, 2) (label 1) and (−2, −2) (label 0)."""
    label = (torch.arange(n) % 2 == 0).float()
    centre = (label * 4 - 2)[:, None].expand(n, 2)
    return centre + torch.randn(n, 2, generator=g), label


def _spiral(n: int, g: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
    """Two interleaved arms, each turning once and a half outwards from the centre."""
    label = (torch.arange(n) % 2 == 0).float()
    t = torch.rand(n, generator=g)
    radius = 5 * t
    angle = 1.75 * 2 * math.pi * t + label * math.pi
    return torch.stack((radius * angle.sin(), radius * angle.cos()), 1), label


def _moons(n: int, g: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
    """Two interleaved half circles (points2d's moons, without noise), scaled to radius 3."""
    x, y = make_points("moons", n, 0.0, g)
    return x * (3 / MOONS_RADIUS), y.float()


def _plane(n: int, g: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
    """Target (x1 + x2) / 12: a tilted plane."""
    x = _uniform(n, g)
    return x, x.sum(1) / (2 * SPAN)


def _sine(n: int, g: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
    """Target sin(x1) · cos(x2 / 2)."""
    x = _uniform(n, g)
    return x, x[:, 0].sin() * (x[:, 1] / 2).cos()


MAKERS: dict[str, Maker] = {
    "circle": _circle,
    "xor": _xor,
    "gauss": _gauss,
    "spiral": _spiral,
    "moons": _moons,
    "plane": _plane,
    "sine": _sine,
}


def make_toy(name: str, samples: int, noise: float, seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    """``samples`` points (x [n, 2], y [n]) of data set ``name``, with ``noise`` (0–0.5), seeded."""
    g = torch.Generator().manual_seed(seed)
    x, y = MAKERS[name](samples, g)
    jitter = torch.randn(samples, 2 if name in CLASSIFICATION else 1, generator=g) * noise * SPAN
    if name in CLASSIFICATION:
        x = (x + jitter).clamp(-SPAN, SPAN)
    else:
        y = (y + jitter[:, 0] * 0.2).clamp(-1, 1)
    order = torch.randperm(samples, generator=g)  # so that any split mixes both classes
    return x[order].contiguous(), y[order].contiguous()
