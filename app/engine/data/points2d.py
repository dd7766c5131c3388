"""Seeded 2-D point sets with class labels: Gaussian blobs or two interleaved moons."""

import math

import torch

DATASETS = ("blobs", "moons")
BLOB_CLASSES = 3
MOONS_RADIUS = 1.6


def make_points(
    dataset: str, count: int, noise: float, generator: torch.Generator
) -> tuple[torch.Tensor, torch.Tensor]:
    """``count`` points (x [count, 2] in about [−2.5, 2.5]², y [count] class indices), classes balanced."""
    if dataset == "blobs":
        y = torch.arange(count) % BLOB_CLASSES
        angle = y.float() * (2 * math.pi / BLOB_CLASSES) + math.pi / 2
        centres = torch.stack((angle.cos(), angle.sin()), 1) * 1.5
        x = centres + torch.randn(count, 2, generator=generator) * (0.3 + noise)
    else:
        y = torch.arange(count) % 2
        t = torch.rand(count, generator=generator) * math.pi
        upper = torch.stack((t.cos(), t.sin()), 1)
        lower = torch.stack((1 - t.cos(), 0.5 - t.sin()), 1)
        x = torch.where(y[:, None] == 0, upper, lower) - torch.tensor([0.5, 0.25])
        x = x * MOONS_RADIUS + torch.randn(count, 2, generator=generator) * noise
    order = torch.randperm(count, generator=generator)
    return x[order], y[order]


def class_count(dataset: str) -> int:
    """How many classes the data set has."""
    return BLOB_CLASSES if dataset == "blobs" else 2


def plane_grid(size: int, extent: float, pixel_centres: bool = False) -> torch.Tensor:
    """[size², 2] points on a size × size grid over [−extent, extent]², row by row from the top (y high)
    and the left: spanning the end points, or with ``pixel_centres`` the centres of size² square pixels."""
    if pixel_centres:
        ticks = (torch.arange(size) + 0.5) / size * 2 * extent - extent
    else:
        ticks = torch.linspace(-extent, extent, size)
    ys, xs = torch.meshgrid(ticks.flip(0), ticks, indexing="ij")
    return torch.stack((xs.flatten(), ys.flatten()), 1)
