"""LeNet-5 learning the bundled digits live: training, a probe input, and the frames it streams."""

from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from safetensors.torch import save

from app.engine.capture import to_numpy
from app.engine.data.digits import digits_facts, load_digits_32, preprocess_drawing
from app.engine.device import seeded
from app.engine.inputs import as_tensor
from app.engine.live.base import ModelSpec
from app.engine.live.classifier import LiveClassifier
from app.engine.models.lenet import ACTIVATIONS, LAYER_NAMES, POOLING, LeNet5, LeNetConfig
from app.engine.models.lenet import describe_layers as lenet_layers
from app.engine.params import Param, ParamError
from app.engine.training import OPTIMIZERS
from app.protocol.messages import Forward, InputMessage, Sample

INPUT_SIZE = 32
VIEW_CONTROLS = frozenset({"grads", "head"})
HEAD_TENSORS = ("flat", "c5.weight", "c5.bias", "f6.weight", "f6.bias", "out.weight", "out.bias")


class LeNetLive(LiveClassifier):
    """One session's LeNet-5, its trainer, and the probe image whose activations each frame shows."""

    def __init__(self, config: dict, controls: dict, seed: int, device: torch.device) -> None:
        self.device = device
        data = self.data = load_digits_32()
        model = seeded(seed, lambda: LeNet5(LeNetConfig(**config))).to(device)
        train = (data.train_x.to(device), data.train_y.to(device))
        val = (data.val_x.to(device), data.val_y.to(device))
        self.start_training(model, train, val, controls, seed)
        self.probe = data.val_x[0].to(device)  # (1, 32, 32)
        self.probe_label: int | None = int(data.val_y[0])
        self.head = controls["head"]
        # The probe is a batch of one: on the CPU its convolutions skip oneDNN (see LeNet5.layer_outputs).
        self.native_conv = device.type == "cpu"

    def describe(self) -> dict[str, Any]:
        """Layer geometry and dataset sizes."""
        return {"layers": lenet_layers(self.model), "dataset": digits_facts()}

    def handle(self, message: InputMessage) -> None:
        """``forward`` (a drawing) or ``sample`` (a dataset image) becomes the probe."""
        if isinstance(message, Forward):
            self.set_drawing(message.input, message.preprocess, message.label)
        elif isinstance(message, Sample):
            self.set_sample(message.split, message.index)

    def set_drawing(self, drawing: list, preprocess: bool, label: int | None) -> None:
        """Make a 32×32 drawing (rows of numbers in [0, 1], ink = 1) the probe."""
        image = as_tensor(drawing, "input")
        if image.shape != (INPUT_SIZE, INPUT_SIZE):
            raise ParamError("input", f"must be {INPUT_SIZE}×{INPUT_SIZE}, got {list(image.shape)}")
        if image.min() < 0 or image.max() > 1:
            raise ParamError("input", "values must be in [0, 1]")
        if label is not None and not 0 <= label <= 9:
            raise ParamError("label", "must be a digit 0–9")
        image = preprocess_drawing(image) if preprocess else image[None]
        self.probe, self.probe_label = image.to(self.device), label

    def set_sample(self, split: str, index: int) -> None:
        """Make a dataset image the probe."""
        x, y = self.data.split(split)
        if not 0 <= index < len(y):
            raise ParamError("index", f"must be in 0..{len(y) - 1} for split {split!r}")
        self.probe, self.probe_label = x[index].to(self.device), int(y[index])

    def set_controls(self, controls: dict[str, Any]) -> None:
        """Apply hyperparameters; ``grads`` and ``head`` only choose what frames carry."""
        self.head = controls.get("head", self.head)
        self.trainer.update({k: v for k, v in controls.items() if k not in VIEW_CONTROLS})

    def frame(self, grads: bool, dtype: torch.dtype) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
        """Every layer's activation for the probe, softmax, C1 kernels and, if asked, ∂L/∂ each.

        LeNet-5 has no dropout or batch norm, so the probe goes through in training mode: eval mode would
        compute the same numbers, and switching modes twice per frame would cost a tenth of the frame.
        On the CPU the convolutions run through torch's native kernel (``native_conv``): the same float32
        weights and numbers to float32 rounding, at half the cost of oneDNN's for a batch of one. With
        gradients the weights go in detached (``frozen``): the backward computes the activations' only,
        seeded with the cross-entropy's gradient at the logits (``cross_entropy_grad``).
        """
        x = self.probe[None]  # (1, 1, 32, 32)
        if grads:
            x = x.clone().requires_grad_()
        with torch.set_grad_enabled(grads):
            acts = self.model.layer_outputs(x, native_conv=self.native_conv, frozen=grads)
        logits = acts["out"]
        probs = F.softmax(logits.detach(), dim=1)
        pred = int(probs.argmax())
        weights = {"c1.weight": self.model.c1[0].weight}
        if self.head:
            weights |= self._head_tensors(acts["s4"][0])
        gradients = {}
        if grads:
            label = pred if self.probe_label is None else self.probe_label
            points = [x, *(acts[n] for n in LAYER_NAMES)]
            values = torch.autograd.grad(logits, points, cross_entropy_grad(probs, label))
            gradients = {f"{n}.grad": g for n, g in zip(("input", *LAYER_NAMES), values, strict=True)}
        arrays = first_of_batch({"input": x, **acts, "probs": probs}, dtype) | to_numpy(weights, dtype)
        return {"label": self.probe_label, "pred": pred}, arrays | first_of_batch(gradients, dtype)

    def _head_tensors(self, s4: torch.Tensor) -> dict[str, torch.Tensor]:
        """The classifier head as matrices: S4 flattened (index c·25 + row·5 + col) and each layer's W, b."""
        c5, f6, out = self.model.c5[0], self.model.f6[0], self.model.out
        return {
            "flat": s4.flatten(),
            "c5.weight": c5.weight.flatten(1),  # (120, 400): C5's 5×5 kernels cover all of S4
            "c5.bias": c5.bias,
            "f6.weight": f6.weight,
            "f6.bias": f6.bias,
            "out.weight": out.weight,
            "out.bias": out.bias,
        }

    def export_weights(self) -> bytes:
        """The state_dict as safetensors bytes."""
        return save({k: v.detach().cpu().contiguous() for k, v in self.model.state_dict().items()})


def first_of_batch(tensors: dict[str, torch.Tensor], dtype: torch.dtype) -> dict[str, np.ndarray]:
    """Batches of one as arrays without the batch axis: indexed in numpy after the cast, which costs
    less right after a training step than a torch ``select`` per tensor."""
    return {name: array[0] for name, array in to_numpy(tensors, dtype).items()}


def cross_entropy_grad(probs: torch.Tensor, label: int) -> torch.Tensor:
    """∂L/∂logits of the cross-entropy L = −log softmax(logits)[label] for a batch of one: softmax − one-hot
    (what cross-entropy's own backward computes, without running the loss forward and backward)."""
    grad = probs.clone()
    grad[0, label] -= 1
    return grad


LENET = ModelSpec(
    name="lenet",
    title="LeNet-5",
    page="/lenet",
    config=(
        Param(
            "activation", "choice", "tanh", "nonlinearity after C1, C3, C5, F6", choices=tuple(ACTIVATIONS)
        ),
        Param("pooling", "choice", "avg", "subsampling in S2 and S4", choices=tuple(POOLING)),
    ),
    controls=(
        Param("optimizer", "choice", "adam", "torch.optim algorithm", choices=tuple(OPTIMIZERS)),
        Param("lr", "float", 1e-3, "learning rate", min=1e-5, max=1.0),
        Param("momentum", "float", 0.9, "momentum of sgd_momentum", min=0.0, max=0.99),
        Param("batch_size", "int", 64, "examples per mini-batch", min=1, max=512),
        Param("grads", "bool", False, "stream ∂L/∂(layer output) with each frame"),
        Param("head", "bool", False, "stream the classifier head's weights (flatten → C5 → F6 → out)"),
    ),
    tensors=("input", *LAYER_NAMES, "probs", "c1.weight"),
    optional_tensors={"grads": tuple(f"{n}.grad" for n in ("input", *LAYER_NAMES)), "head": HEAD_TENSORS},
    inputs=frozenset({"forward", "sample"}),
    trains=True,
    precision="float16",
    build=LeNetLive,
)
