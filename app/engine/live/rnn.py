"""nn.RNN unrolled: every hidden state h_t of every layer, beside a hand-written loop on its weights."""

from typing import Any

import numpy as np
import torch
from safetensors.torch import save

from app.engine.capture import to_numpy
from app.engine.device import seeded
from app.engine.inputs import TYPED_LIMIT, as_tensor, check_range, check_shape, checkerboard
from app.engine.live.base import ModelSpec
from app.engine.models.rnn import make_rnn, manual_rnn, run_direction
from app.engine.params import Param, ParamError
from app.engine.source import sources
from app.protocol.messages import Forward, InputMessage, Pattern, Resample, Sample

MAX_PERIODS = 8  # a sine ``sample`` has index + 1 periods over the sequence
CODE = sources(run_direction)  # the hand-written loop the page shows beside its gap to nn.RNN


def input_shapes(config: dict) -> dict[str, list[int]]:
    """The input's shape both ways, and the output's and h_n's for this config."""
    t, b, i, h = config["seq_len"], config["batch"], config["input_size"], config["hidden_size"]
    d = 2 if config["bidirectional"] else 1
    first = config["batch_first"]
    return {
        "input": [b, t, i] if first else [t, b, i],
        "input_batch_first": [b, t, i],
        "input_time_major": [t, b, i],
        "output": [b, t, d * h] if first else [t, b, d * h],
        "h_n": [config["num_layers"] * d, b, h],
    }


class RnnLive:
    """An nn.RNN with a sequence to run; dropout masks come from a seed that ``resample`` redraws."""

    def __init__(self, config: dict, controls: dict, seed: int, device: torch.device) -> None:
        self.config, self.device, self.seed = config, device, seed
        self.shapes = input_shapes(config)
        self.generator = torch.Generator()
        self.rnn = seeded(seed, lambda: make_rnn(config)).to(device)
        self.set_controls(controls)
        self.reset()

    def reset(self) -> None:
        """A random sequence as input and the first dropout masks."""
        self.generator.manual_seed(self.seed)
        self.x = self._pattern("random")
        self._resample()

    def _resample(self) -> None:
        self.mask_seed = int(torch.randint(2**31 - 1, (), generator=self.generator))

    def _pattern(self, name: str) -> torch.Tensor:
        """A (B, T, I) pattern in the input's layout: values in [−1, 1] to 0.1, or ±1 alternating."""
        shape = tuple(self.shapes["input_batch_first"])
        if name == "checkerboard":
            x = checkerboard(shape) * 2 - 1
        else:
            x = ((torch.rand(shape, generator=self.generator) * 2 - 1) * 10).round() / 10
        return self._layout(x)

    def _layout(self, x: torch.Tensor) -> torch.Tensor:
        """(B, T, I) → the input's layout: (T, B, I) unless batch_first."""
        return x if self.config["batch_first"] else x.transpose(0, 1).contiguous()

    def _sine(self, index: int) -> torch.Tensor:
        """sin(2π·(index + 1)·t/T + π·i/I + π·b/4) in the input's layout, rounded to 0.01."""
        if index >= MAX_PERIODS:
            raise ParamError("index", f"must be in 0..{MAX_PERIODS - 1} (index + 1 periods of a sine)")
        b, t, i = self.shapes["input_batch_first"]
        steps = torch.arange(t)[None, :, None] * (2 * torch.pi * (index + 1) / t)
        features = torch.arange(i)[None, None, :] * (torch.pi / i)
        sequences = torch.arange(b)[:, None, None] * (torch.pi / 4)
        x = (torch.sin(steps + features + sequences) * 100).round() / 100  # (B, T, I)
        return self._layout(x)

    def describe(self) -> dict[str, Any]:
        """Shapes (input both ways, output, h_n), directions, sine periods, the typed-value limit and the
        loop's source."""
        return {
            **self.shapes,
            "directions": 2 if self.config["bidirectional"] else 1,
            "max_periods": MAX_PERIODS,
            "limits": {"input": TYPED_LIMIT},
            "code": CODE,
        }

    def handle(self, message: InputMessage) -> None:
        """Typed numbers in the input's shape (``forward``), a pattern, or new dropout masks."""
        if isinstance(message, Resample):
            self._resample()
        elif isinstance(message, Pattern):
            self.x = self._pattern(message.name)
        elif isinstance(message, Sample):
            self.x = self._sine(message.index)
        elif isinstance(message, Forward):
            typed = check_shape(as_tensor(message.input, "input"), tuple(self.shapes["input"]), "input")
            self.x = check_range(typed, TYPED_LIMIT, "input")

    def set_controls(self, controls: dict[str, Any]) -> None:
        """``train``: dropout between layers acts in train mode only."""
        if "train" in controls:
            self.rnn.train(controls["train"])

    def take_running(self) -> None:
        """Nothing trains here."""

    def frame(self, grads: bool, dtype: torch.dtype) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
        """nn.RNN's output and h_n, the loop's, each layer's h_t and input, the weights; the largest gap."""
        x = self.x.to(self.device)
        with torch.no_grad():
            output, h_n = seeded(self.mask_seed, lambda: self.rnn(x))
            manual = seeded(self.mask_seed, lambda: manual_rnn(self.rnn, x))
        gap_output = float((output - manual.output).abs().max())
        gap_h_n = float((h_n - manual.h_n).abs().max())
        tensors = {"input": x, "output": output, "h_n": h_n}
        tensors |= {"manual.output": manual.output, "manual.h_n": manual.h_n}
        tensors |= {f"h.l{layer}": h for layer, h in enumerate(manual.hidden)}
        tensors |= {f"x.l{layer}": h for layer, h in enumerate(manual.inputs)}
        tensors |= dict(self.rnn.named_parameters())
        fields = {
            "mode": "train" if self.rnn.training else "eval",
            "dropout_active": self.rnn.training and self.rnn.dropout > 0 and self.rnn.num_layers > 1,
            "max_diff": max(gap_output, gap_h_n),
            "max_diff_output": gap_output,
            "max_diff_h_n": gap_h_n,
        }
        return fields, to_numpy(tensors, dtype)

    def export_weights(self) -> bytes:
        """The nn.RNN's state_dict as safetensors."""
        return save({k: v.detach().cpu().contiguous() for k, v in self.rnn.state_dict().items()})


RNN = ModelSpec(
    name="rnn",
    title="Recurrent network (nn.RNN)",
    page="/rnn",
    config=(
        Param("input_size", "int", 3, "features per time step x_t", min=1, max=8),
        Param("hidden_size", "int", 4, "features of each hidden state h_t", min=1, max=16),
        Param("num_layers", "int", 2, "stacked RNN layers", min=1, max=3),
        Param("nonlinearity", "choice", "tanh", "activation of each step", choices=("tanh", "relu")),
        Param("bias", "bool", True, "whether the cells have b_ih and b_hh"),
        Param("batch_first", "bool", False, "input and output as (B, T, ·) instead of (T, B, ·)"),
        Param(
            "dropout",
            "float",
            0.0,
            "dropout on each layer's output but the last's (train mode)",
            min=0.0,
            max=0.9,
        ),
        Param("bidirectional", "bool", False, "a second pass from the last step back to the first"),
        Param("seq_len", "int", 6, "time steps T of the input", min=1, max=8),
        Param("batch", "int", 1, "sequences in the batch B", min=1, max=4),
    ),
    controls=(Param("train", "bool", False, "train mode: dropout acts between layers"),),
    tensors=(
        "input",
        "output",
        "h_n",
        "manual.output",
        "manual.h_n",
        "h.l0",
        "x.l0",
        "weight_ih_l0",
        "weight_hh_l0",
    ),
    optional_tensors={},
    inputs=frozenset({"forward", "pattern", "sample", "resample"}),
    trains=False,
    precision="float32",
    build=RnnLive,
)
