"""Named convolution kernels for f×f windows: the classic 3×3 ones, generalised to odd sizes."""

import math

import torch

from app.engine.params import ParamError


def _identity(f: int) -> torch.Tensor:
    k = torch.zeros(f, f)
    k[f // 2, f // 2] = 1.0
    return k


def _box(f: int) -> torch.Tensor:
    return torch.full((f, f), 1.0 / (f * f))


def _sharpen(f: int) -> torch.Tensor:
    # identity plus (identity − blur) of the 4-neighbourhood: the classic [[0,−1,0],[−1,5,−1],[0,−1,0]]
    k = torch.zeros(f, f)
    c = f // 2
    k[c, c] = 5.0
    k[c - 1, c] = k[c + 1, c] = k[c, c - 1] = k[c, c + 1] = -1.0
    return k


def _sobel_x(f: int) -> torch.Tensor:
    # binomial smoothing down the rows × a centred difference across: f = 3 gives [[-1,0,1],[-2,0,2],[-1,0,1]]
    smooth = torch.tensor([math.comb(f - 1, i) for i in range(f)], dtype=torch.float32)
    diff = torch.arange(f, dtype=torch.float32) - f // 2
    return torch.outer(smooth, diff)


def _edge(f: int) -> torch.Tensor:
    k = torch.full((f, f), -1.0)
    k[f // 2, f // 2] = f * f - 1.0
    return k


PRESETS = {
    "identity": _identity,
    "box_blur": _box,
    "sharpen": _sharpen,
    "sobel_x": _sobel_x,
    "sobel_y": lambda f: _sobel_x(f).T.contiguous(),
    "edge": _edge,
}
ODD_ONLY = frozenset({"identity", "sharpen", "sobel_x", "sobel_y", "edge"})


def preset(name: str, f: int) -> torch.Tensor:
    """The named f×f kernel; those with a centre need an odd f (and ≥ 3 for the ones with neighbours)."""
    if name not in PRESETS:
        raise ParamError("preset", f"unknown kernel preset; choose one of {', '.join(PRESETS)}")
    if name in ODD_ONLY and f % 2 == 0:
        raise ParamError("preset", f"{name} needs an odd kernel size (f = {f})")
    if name in ODD_ONLY - {"identity"} and f < 3:
        raise ParamError("preset", f"{name} needs a kernel of at least 3×3")
    return PRESETS[name](f)
