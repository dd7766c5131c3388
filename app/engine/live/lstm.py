"""nn.LSTM's gates step by step: a typed text (through an embedding) or typed numbers, no training."""

import string
from typing import Any

import numpy as np
import torch
from safetensors.torch import save

from app.engine.capture import to_numpy
from app.engine.device import seeded
from app.engine.inputs import TYPED_LIMIT, as_tensor, check_range
from app.engine.live.base import ModelSpec
from app.engine.models.lstm import CharLSTM, CharLSTMConfig, lstm_gates
from app.engine.params import Param, ParamError
from app.protocol.messages import Forward, InputMessage, Pattern, Text

VOCAB = string.printable[:95]  # printable ASCII: digits, letters, punctuation, space
MAX_LENGTH = 40
DEFAULT_TEXT = "hello world"
GATE_TENSORS = ("pre.x", "pre.h", "bias", "pre", "i", "f", "g", "o", "c", "tanh_c", "h")
WEIGHTS = ("lstm.weight_ih_l0", "lstm.weight_hh_l0", "lstm.bias_ih_l0", "lstm.bias_hh_l0")


def encode_text(text: str) -> torch.Tensor:
    """Characters → token ids (T,), refusing empty, too long or non-printable-ASCII text (field ``text``)."""
    if not 1 <= len(text) <= MAX_LENGTH:
        raise ParamError("text", f"must have 1 to {MAX_LENGTH} characters, got {len(text)}")
    unknown = sorted({ch for ch in text if ch not in VOCAB})
    if unknown:
        raise ParamError("text", f"only printable ASCII characters are known; not {''.join(unknown)!r}")
    return torch.tensor([VOCAB.index(ch) for ch in text])


class LSTMLive:
    """A seeded Embedding → LSTM and its sequence; each frame recomputes the gates from the weights."""

    def __init__(self, config: dict, controls: dict, seed: int, device: torch.device) -> None:
        self.device, self.seed = device, seed
        self.embedding = config["embedding"]
        cfg = CharLSTMConfig(vocab=len(VOCAB), embedding=config["embedding"], hidden=config["hidden"])
        self.model = seeded(seed, lambda: CharLSTM(cfg)).to(device).eval()
        self.generator = torch.Generator()
        self.reset()

    def reset(self) -> None:
        """The default text again (the weights never change)."""
        self.generator.manual_seed(self.seed)
        self.tokens: str | None = DEFAULT_TEXT
        self.sequence = encode_text(DEFAULT_TEXT)

    def describe(self) -> dict[str, Any]:
        """The vocabulary, the longest sequence and the typed-number limit."""
        return {"vocab": VOCAB, "max_length": MAX_LENGTH, "limits": {"input": TYPED_LIMIT}}

    def handle(self, message: InputMessage) -> None:
        """``text`` (characters), ``forward`` (numbers (T, E)) or ``pattern`` becomes the sequence."""
        if isinstance(message, Text):
            if message.purpose != "input":
                raise ParamError(
                    "purpose", "this model runs a text (purpose 'input'); it learns from no corpus"
                )
            self.sequence, self.tokens = encode_text(message.text), message.text
        elif isinstance(message, Forward):
            self.sequence, self.tokens = self._numbers(message.input), None
        elif not isinstance(message, Pattern):
            return
        elif message.name == "random":
            ids = torch.randint(len(VOCAB), (12,), generator=self.generator)
            self.tokens = "".join(VOCAB[i] for i in ids)
            self.sequence = ids
        else:  # checkerboard: steps alternating between all ones and all zeros
            self.sequence, self.tokens = (
                (torch.arange(12) % 2 == 0).float()[:, None].expand(12, self.embedding),
                None,
            )

    def _numbers(self, values: Any) -> torch.Tensor:
        x = check_range(as_tensor(values, "input"), TYPED_LIMIT, "input")
        if x.dim() != 2 or x.shape[1] != self.embedding or not 1 <= len(x) <= MAX_LENGTH:
            raise ParamError(
                "input", f"must be 1 to {MAX_LENGTH} rows of {self.embedding} numbers, got {list(x.shape)}"
            )
        return x

    def set_controls(self, controls: dict[str, Any]) -> None:
        """No live controls."""

    def take_running(self) -> None:
        """Nothing trains here."""

    @torch.no_grad()
    def frame(self, grads: bool, dtype: torch.dtype) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
        """The gates recomputed after the fact, checked against nn.LSTM's own h (T, H) and final c."""
        x, h, (_, c_n) = self.model.run(self.sequence.to(self.device))
        gates = lstm_gates(self.model.lstm, x, h)
        fields = {
            "tokens": self.tokens,
            "max_diff_h": float((gates["h"] - h).abs().max()),
            "max_diff_c": float((gates["c"][-1] - c_n[0]).abs().max()),
        }
        weights = dict(self.model.lstm.named_parameters(prefix="lstm"))
        return fields, to_numpy({"x": x, **gates, **weights}, dtype)

    def export_weights(self) -> bytes:
        """The state_dict as safetensors bytes."""
        return save({k: v.detach().cpu().contiguous() for k, v in self.model.state_dict().items()})


LSTM = ModelSpec(
    name="lstm",
    title="LSTM gates",
    page="/lstm",
    config=(
        Param(
            "embedding",
            "int",
            4,
            "numbers per step (the embedding size, or typed numbers per row)",
            min=1,
            max=16,
        ),
        Param("hidden", "int", 6, "LSTM units", min=1, max=16),
    ),
    controls=(),
    tensors=("x", *GATE_TENSORS, *WEIGHTS),
    optional_tensors={},
    inputs=frozenset({"text", "forward", "pattern"}),
    trains=False,
    precision="float32",
    build=LSTMLive,
)
