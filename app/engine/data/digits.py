"""scikit-learn's bundled handwritten digits (1,797 real 8×8 scans), brought to LeNet's 32×32 input.

How an 8×8 digit becomes 32×32: values 0..16 are divided by 16 (ink = 1), the image is upsampled ×3
bilinearly to 24×24 and padded with 4 zero pixels on each side, like MNIST's 28×28 digits centred in
LeNet's 32×32 field. The split is fixed: a permutation seeded with 0 puts 360 images in validation.

The UCI digits themselves were made from 32×32 binary bitmaps, size-normalised, by counting the ink
pixels in each 4×4 block. A user's drawing goes through exactly that before the same upsampling, so a
drawing looks to the model like the scans it learnt from (see ``preprocess_drawing``).
"""

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import torch
import torch.nn.functional as F
from sklearn.datasets import load_digits

VAL_SIZE = 360
SPLIT_SEED = 0
DRAWING_SIZE = 32
INK_THRESHOLD = 0.3


@dataclass(frozen=True)
class Digits:
    """The split dataset as LeNet inputs: x (N, 1, 32, 32) in [0, 1], y (N,) int64 on the CPU."""

    train_x: torch.Tensor
    train_y: torch.Tensor
    val_x: torch.Tensor
    val_y: torch.Tensor

    def split(self, name: str) -> tuple[torch.Tensor, torch.Tensor]:
        """The (x, y) pair of ``train`` or ``val``."""
        return (self.train_x, self.train_y) if name == "train" else (self.val_x, self.val_y)


def upsample_8_to_32(images8: torch.Tensor) -> torch.Tensor:
    """(N, 1, 8, 8) in [0, 1] → (N, 1, 32, 32): bilinear ×3 to 24×24, then 4 px of zero padding."""
    big = F.interpolate(images8, size=(24, 24), mode="bilinear", align_corners=False)
    return F.pad(big, (4, 4, 4, 4))


@lru_cache(maxsize=1)
def load_digits_32() -> Digits:
    """Load, scale and split the bundled digits once per process (nothing is downloaded)."""
    raw = load_digits()
    images = torch.from_numpy(raw.images.astype(np.float32) / 16.0).unsqueeze(1)  # (N, 1, 8, 8)
    labels = torch.from_numpy(raw.target.astype(np.int64))
    order = torch.from_numpy(np.random.default_rng(SPLIT_SEED).permutation(len(labels)))
    x = upsample_8_to_32(images)[order]
    y = labels[order]
    return Digits(x[VAL_SIZE:], y[VAL_SIZE:], x[:VAL_SIZE], y[:VAL_SIZE])


def preprocess_drawing(drawing: torch.Tensor) -> torch.Tensor:
    """A (32, 32) drawing in [0, 1] (ink = 1) → a (1, 32, 32) input that looks like a dataset scan.

    Crop to the ink's bounding box, scale it to fill a 32×32 box keeping its aspect ratio, centre it,
    binarise and thicken the strokes to the scans' pen width, count ink in 4×4 blocks (→ 8×8, as the
    UCI digits were made), then upsample as the scans are.
    """
    ink = drawing > INK_THRESHOLD
    if not ink.any():
        return torch.zeros(1, DRAWING_SIZE, DRAWING_SIZE)
    rows, cols = ink.any(dim=1).nonzero(), ink.any(dim=0).nonzero()
    crop = drawing[rows.min() : rows.max() + 1, cols.min() : cols.max() + 1]
    h, w = crop.shape
    scale = DRAWING_SIZE / max(h, w)
    size = (max(1, round(h * scale)), max(1, round(w * scale)))
    scaled = F.interpolate(crop[None, None], size=size, mode="bilinear", align_corners=False)
    box = torch.zeros(1, 1, DRAWING_SIZE, DRAWING_SIZE)
    top, left = (DRAWING_SIZE - size[0]) // 2, (DRAWING_SIZE - size[1]) // 2
    box[..., top : top + size[0], left : left + size[1]] = scaled
    strokes = F.max_pool2d((box > INK_THRESHOLD).float(), 3, stride=1, padding=1)  # scans' pen width
    blocks = F.avg_pool2d(strokes, 4)  # (1, 1, 8, 8): ink count / 16
    return upsample_8_to_32(blocks)[0]


def digits_facts() -> dict:
    """What clients need to pick a sample: the dataset's name, split sizes and classes."""
    data = load_digits_32()
    return {"name": "digits", "train": len(data.train_y), "val": len(data.val_y), "classes": 10}
