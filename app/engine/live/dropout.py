"""nn.Dropout on an activation map: the mask it draws, the 1/(1 − p) scaling, and its expectation."""

from typing import Any

import numpy as np
import torch
from safetensors.torch import save
from torch import nn

from app.engine.capture import to_numpy
from app.engine.data.digits import digits_facts, load_digits_32
from app.engine.device import seeded
from app.engine.inputs import IMAGE_MESSAGES, TYPED_LIMIT, image_from_message, resized_digit
from app.engine.live.base import ModelSpec
from app.engine.params import Param
from app.protocol.messages import Forward, InputMessage, Pattern, Resample, Sample

MASKS_FOR_MEAN = 1000


class DropoutLive:
    """An nn.Dropout with a reproducible mask: each draw seeds torch from the session's generator."""

    def __init__(self, config: dict, controls: dict, seed: int, device: torch.device) -> None:
        self.shape = (1, config["height"], config["width"])
        self.device, self.seed = device, seed
        self.dropout = nn.Dropout(controls["p"])
        self.generator = torch.Generator()
        self.set_controls(controls)
        self.reset()

    def reset(self) -> None:
        """The first validation digit as the activation map, and the first mask."""
        self.generator.manual_seed(self.seed)
        self.image = resized_digit(load_digits_32().val_x[0], self.shape)
        self._resample()

    def _resample(self) -> None:
        self.mask_seed = int(torch.randint(2**31 - 1, (), generator=self.generator))

    def describe(self) -> dict[str, Any]:
        """The activation map's shape and how many masks the mean averages."""
        facts = {"input": list(self.shape), "masks_for_mean": MASKS_FOR_MEAN}
        return {**facts, "dataset": digits_facts(), "limits": {"input": TYPED_LIMIT}}

    def handle(self, message: InputMessage) -> None:
        """A new activation map, or a new mask (``resample``)."""
        if isinstance(message, Resample):
            self._resample()
        elif isinstance(message, Forward | Sample | Pattern):
            self.image = image_from_message(message, self.shape, self.generator)

    def set_controls(self, controls: dict[str, Any]) -> None:
        """``p`` and train/eval mode."""
        if "p" in controls:
            self.dropout.p = controls["p"]
        if "train" in controls:
            self.dropout.train(controls["train"])

    def take_running(self) -> None:
        """Nothing trains here."""

    def frame(self, grads: bool, dtype: torch.dtype) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
        """Input, output, the mask, and the mean output over many masks (≈ the input in train mode)."""
        x = self.image.to(self.device)
        with torch.no_grad():
            out = seeded(self.mask_seed, lambda: self.dropout(x))
            scale = seeded(self.mask_seed, lambda: self.dropout(torch.ones_like(x)))  # mask / (1 − p)
            many = seeded(self.mask_seed + 1, lambda: self.dropout(x.expand(MASKS_FOR_MEAN, *x.shape)))
            mean = many.mean(0)
        fields = {
            "mode": "train" if self.dropout.training else "eval",
            "p": self.dropout.p,
            "kept": float((scale != 0).float().mean()),
            "mean_input": float(x.mean()),
            "mean_output": float(out.mean()),
            "mean_over_masks": float(mean.mean()),
        }
        tensors = {"input": x, "output": out, "mean": mean}
        arrays = to_numpy(tensors, dtype)
        arrays["mask"] = (scale != 0).to(torch.uint8).cpu().numpy()
        return fields, arrays

    def export_weights(self) -> bytes:
        """Dropout has no parameters: an empty safetensors file."""
        return save({})


DROPOUT = ModelSpec(
    name="dropout",
    title="Dropout",
    page="/dropout",
    config=(
        Param("height", "int", 16, "activation map height", min=2, max=32),
        Param("width", "int", 16, "activation map width", min=2, max=32),
    ),
    controls=(
        Param("p", "float", 0.5, "probability of zeroing each unit", min=0.0, max=0.95),
        Param("train", "bool", True, "train mode drops and rescales; eval mode is the identity"),
    ),
    tensors=("input", "output", "mean", "mask"),
    optional_tensors={},
    inputs=frozenset({*IMAGE_MESSAGES, "resample"}),
    trains=False,
    precision="float32",
    build=DropoutLive,
)
