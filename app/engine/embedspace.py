"""An embedding table seen as points: PCA to a few axes, nearest neighbours by cosine, analogies a − b + c.

PCA is a centred SVD (``torch.linalg.svd`` of the vectors minus their mean); the coordinates are the
centred vectors times the first right singular vectors. A singular vector's sign is arbitrary, so each
axis is oriented to agree with the same axis of the previous projection (a positive dot product), and,
with none to follow, so that its largest-magnitude entry is positive: points do not flip between frames.
"""

from dataclasses import dataclass

import torch
import torch.nn.functional as F

AXES = 3  # principal components streamed: the page draws two of them, or three
NEIGHBOURS = 8  # words listed for a query


@dataclass(frozen=True)
class Projection:
    """The mean (d,), the oriented axes (k, d), the coordinates (N, k) and each axis's share of variance."""

    mean: torch.Tensor
    components: torch.Tensor
    coords: torch.Tensor
    variance: torch.Tensor


def orient(components: torch.Tensor, previous: torch.Tensor | None) -> torch.Tensor:
    """Flip each axis (a row) to follow ``previous``'s, or to make its largest-magnitude entry positive."""
    if previous is not None and previous.shape == components.shape:
        reference = (components * previous).sum(1)
    else:
        reference = components.gather(1, components.abs().argmax(1, keepdim=True)).squeeze(1)
    signs = torch.where(reference < 0, -1.0, 1.0).to(components.dtype)
    return components * signs[:, None]


@torch.no_grad()
def pca(vectors: torch.Tensor, axes: int = AXES, previous: torch.Tensor | None = None) -> Projection:
    """Project ``vectors`` (N, d), N ≥ axes and d ≥ axes, onto their first ``axes`` principal components."""
    mean = vectors.mean(0)
    centred = vectors - mean
    _, singular, vh = torch.linalg.svd(centred, full_matrices=False)
    components = orient(vh[:axes], previous)
    energy = singular.square()
    return Projection(mean, components, centred @ components.T, energy[:axes] / energy.sum().clamp_min(1e-30))


@torch.no_grad()
def nearest(table: torch.Tensor, target: torch.Tensor, exclude: list[int], count: int = NEIGHBOURS):
    """The ``count`` rows of ``table`` (V, d) most cosine-similar to ``target`` (d,), ``exclude`` left out:
    (ids, cosines)."""
    cosines = F.normalize(table, dim=1) @ F.normalize(target, dim=0)
    cosines[exclude] = -float("inf")
    top = cosines.topk(min(count, len(table) - len(set(exclude))))
    return top.indices.tolist(), top.values.tolist()


def analogy_target(table: torch.Tensor, a: int, b: int, c: int) -> torch.Tensor:
    """a − b + c over unit vectors (3CosAdd): the point whose neighbours answer "b is to a as c is to ?"."""
    unit = F.normalize(table[[a, b, c]], dim=1)
    return unit[0] - unit[1] + unit[2]
