"""Dates → ISO with an encoder–decoder RNN, trained live beside its twin without attention; frames carry
the attention matrix and context vectors for one example (a held-out date or a typed one)."""

from dataclasses import replace
from typing import Any

import numpy as np
import torch
from safetensors.torch import save

from app.engine.capture import to_numpy
from app.engine.data.dates import (
    INPUT_CHARS,
    MAX_INPUT,
    OUTPUT_CHARS,
    OUTPUT_LENGTH,
    DatePairs,
    decode_output,
    encode_input,
    looks_learned,
    make_pairs,
    split_dates,
)
from app.engine.device import seeded
from app.engine.live.base import ModelSpec
from app.engine.models.seq2seq import ATTENTIONS, CELLS, Decoding, Seq2Seq, Seq2SeqConfig
from app.engine.params import Param, ParamError
from app.engine.training import Metrics
from app.engine.translation import TranslationTrainer, accuracy_by_length
from app.protocol.messages import InputMessage, Sample, Text

TRAIN_SIZE, VAL_SIZE = 20000, 500
LENGTH_EDGES = (1, 24, MAX_INPUT + 1)  # input-length buckets [edge_k, edge_k+1): one date, two dates


class Learner:
    """One model, its trainer and its latest held-out results (exact match per input-length bucket)."""

    def __init__(
        self,
        config: Seq2SeqConfig,
        data: tuple[DatePairs, DatePairs],
        controls: dict,
        seed: int,
        device: torch.device,
    ) -> None:
        self.model = seeded(seed, lambda: Seq2Seq(config)).to(device)
        self.seed, self.data = seed, data
        self._initial = {k: v.clone() for k, v in self.model.state_dict().items()}
        self.trainer = TranslationTrainer(self.model, *data, controls, seed)
        self.evaluate()

    def reset(self) -> None:
        """The seed's initial weights, a fresh optimizer and batch order, evaluated again."""
        self.model.load_state_dict(self._initial)
        self.trainer = TranslationTrainer(self.model, *self.data, self.trainer.controls, self.seed)
        self.evaluate()

    def evaluate(self) -> Metrics:
        """Held-out loss and exact match now; the per-length exact match is kept for frames."""
        self.val, exact = self.trainer.evaluate()
        self.by_length = accuracy_by_length(exact, self.data[1].lengths, LENGTH_EDGES)
        return self.val

    @torch.no_grad()
    def translate(self, ids: torch.Tensor) -> tuple[str, Decoding]:
        """Greedy translation of one input (L,) and its Decoding (batch of one)."""
        self.model.eval()
        out = self.model(ids[None], torch.tensor([len(ids)]))
        self.model.train()
        return decode_output(out.logits[0].argmax(-1).tolist()), out


def confidence(out: Decoding) -> float:
    """The least sure output step's probability of the character it wrote: low for input it cannot read."""
    return float(out.logits[0].softmax(-1).amax(-1).min())


class Seq2SeqLive:
    """The configured model and, when it attends, the same model without attention on the same batches."""

    def __init__(self, config: dict, controls: dict, seed: int, device: torch.device) -> None:
        self.config, self.device = config, device
        train_days, val_days = split_dates(seed)
        self.pairs = (make_pairs(train_days, TRAIN_SIZE, seed + 1), make_pairs(val_days, VAL_SIZE, seed + 2))
        data = (self.pairs[0].to(device), self.pairs[1].to(device))
        arch = Seq2SeqConfig(
            len(INPUT_CHARS) + 1,
            len(OUTPUT_CHARS),
            OUTPUT_LENGTH,
            *(config[k] for k in ("cell", "bidirectional", "attention", "hidden", "embedding")),
        )
        self.main = Learner(arch, data, controls, seed, device)
        twin = replace(arch, attention="none")
        self.baseline = Learner(twin, data, controls, seed, device) if arch.attention != "none" else None
        self._baseline_train: Metrics | None = None
        self.sample("val", 0)

    def learners(self) -> list[Learner]:
        """The model and its twin (when there is one)."""
        return [self.main] + ([self.baseline] if self.baseline else [])

    def describe(self) -> dict[str, Any]:
        """The task: character sets, lengths, split sizes, length buckets; whether a twin trains."""
        return {
            "input_chars": INPUT_CHARS,
            "output_chars": OUTPUT_CHARS,
            "max_input": MAX_INPUT,
            "output_length": OUTPUT_LENGTH,
            "task": {"train": TRAIN_SIZE, "val": VAL_SIZE},
            "length_edges": list(LENGTH_EDGES),
            "baseline": self.baseline is not None,
        }

    def reset(self) -> None:
        """Both models back to their initial weights; the example stays."""
        for learner in self.learners():
            learner.reset()
        self._baseline_train = None

    def sample(self, split: str, index: int) -> None:
        """A dataset pair becomes the example: its text, and its ISO date as the target."""
        pairs = self.pairs[0 if split == "train" else 1]
        if index >= len(pairs.texts):
            raise ParamError("index", f"must be below {len(pairs.texts)} ({split} pairs)")
        self.text = pairs.texts[index]
        self.target: str | None = decode_output(pairs.y[index].tolist())

    def handle(self, message: InputMessage) -> None:
        """``text`` (a date the user typed) or ``sample`` (a pair of the data) becomes the example."""
        if isinstance(message, Sample):
            self.sample(message.split, message.index)
            return
        if not isinstance(message, Text):
            return
        if message.purpose != "input":
            raise ParamError("purpose", "this model translates a text (purpose 'input'); it learns dates")
        text = message.text
        if not 1 <= len(text) <= MAX_INPUT:
            raise ParamError("text", f"must have 1 to {MAX_INPUT} characters, got {len(text)}")
        try:
            encode_input(text)
        except ValueError as exc:
            raise ParamError("text", str(exc)) from None
        self.text, self.target = text, None

    def set_controls(self, controls: dict[str, Any]) -> None:
        """lr, batch size and teacher forcing ratio, for both models."""
        for learner in self.learners():
            learner.trainer.update(controls)

    def train_step(self) -> None:
        """One optimizer step of each model on the same mini-batch."""
        for learner in self.learners():
            learner.trainer.step()

    def take_running(self) -> Metrics | None:
        """The model's training metrics since the last call (the twin's are kept for the next frame)."""
        if self.baseline:
            self._baseline_train = self.baseline.trainer.take_running() or self._baseline_train
        return self.main.trainer.take_running()

    def evaluate(self) -> Metrics:
        """Held-out metrics of the model (the twin is evaluated too, for the next frame)."""
        if self.baseline:
            self.baseline.evaluate()
        return self.main.evaluate()

    def frame(self, grads: bool, dtype: torch.dtype) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
        """The example's translation with attention [out, in] and context vectors [out, C]; exact match by
        input length; the same for the twin without attention."""
        ids = torch.tensor(encode_input(self.text), device=self.device)
        prediction, out = self.main.translate(ids)
        tensors = {"context": out.context[0], "acc_by_length": self.main.by_length}
        if out.attention is not None:
            tensors["attention"] = out.attention[0]  # (OUTPUT_LENGTH, L)
        header: dict[str, Any] = {
            "input": self.text,
            "target": self.target,
            "prediction": prediction,
            "confidence": confidence(out),
            "date_like": looks_learned(self.text),
            "attention_kind": self.config["attention"],
            "baseline": None,
        }
        if self.baseline:
            twin_prediction, _ = self.baseline.translate(ids)
            train = self._baseline_train
            header["baseline"] = {
                "prediction": twin_prediction,
                "train": train and {"loss": train.loss, "acc": train.acc},
                "val": {"loss": self.baseline.val.loss, "acc": self.baseline.val.acc},
            }
            tensors["baseline.acc_by_length"] = self.baseline.by_length
        return header, to_numpy(tensors, dtype)

    def export_weights(self) -> bytes:
        """Both state_dicts as safetensors bytes (the twin's keys start with ``baseline.``)."""
        weights = dict(self.main.model.state_dict())
        if self.baseline:
            weights |= {f"baseline.{k}": v for k, v in self.baseline.model.state_dict().items()}
        return save({k: v.detach().cpu().contiguous() for k, v in weights.items()})


SEQ2SEQ = ModelSpec(
    name="seq2seq",
    title="Seq2seq with attention: dates → ISO",
    page="/attention",
    config=(
        Param("cell", "choice", "gru", "recurrent cell of encoder and decoder", choices=tuple(CELLS)),
        Param(
            "bidirectional",
            "bool",
            False,
            "the encoder reads the text both ways (each state then knows the whole text: blurrier alignment)",
        ),
        Param(
            "attention",
            "choice",
            "additive",
            "additive (Bahdanau), dot (Luong) or none (the encoder's summary only)",
            choices=ATTENTIONS,
        ),
        Param("hidden", "int", 64, "units of the encoder (per direction) and of the decoder", min=8, max=256),
        Param("embedding", "int", 16, "size of a character's embedding", min=4, max=64),
    ),
    controls=(
        Param("lr", "float", 1e-2, "Adam learning rate", min=1e-5, max=0.1),
        Param("batch_size", "int", 64, "pairs per mini-batch", min=1, max=512),
        Param(
            "teacher_forcing",
            "float",
            0.5,
            "chance that a decoder step reads the true previous character, not its own guess",
            min=0.0,
            max=1.0,
        ),
    ),
    tensors=("context", "acc_by_length"),
    optional_tensors={},
    inputs=frozenset({"text", "sample"}),
    trains=True,
    precision="float32",
    build=Seq2SeqLive,
)
