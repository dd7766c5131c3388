"""The char-RNN by hand, live: min-char-rnn's loop on the char-RNN's corpora, each frame checking the
hand-written gradients against autograd's and showing the hidden states of the last chunk."""

import time
from typing import Any

import numpy as np
import torch
from safetensors.torch import save

from app.engine.capture import to_numpy
from app.engine.data.corpus import CORPORA, Corpus, load_corpus
from app.engine.live.base import ModelSpec
from app.engine.live.weights import check_fits
from app.engine.models import handrnn as hand
from app.engine.params import Param
from app.engine.source import sources
from app.engine.training import Metrics, RunningMetrics

DTYPE = torch.float64  # the check against autograd then shows rounding at 1e-15, not float32's 1e-7
VAL_CHARS = 1000  # characters of the held-out slice read by validation (a Python loop per character)
MEMORY = "adagrad."  # the export's prefix of Adagrad's sums of squared gradients
CODE = sources(hand.forward, hand.backward, hand.clip, hand.adagrad)


class HandRnnLive:
    """One session's hand-written RNN: its five tensors, Adagrad's memory and its place in the corpus."""

    def __init__(self, config: dict, controls: dict, seed: int, device: torch.device) -> None:
        self.config, self.seed, self.device = config, seed, device
        self.controls = dict(controls)
        self.corpus = Corpus.of(config["corpus"], load_corpus(config["corpus"]))
        self.train_ids = self.corpus.train.tolist()
        self.val_ids = self.corpus.val[: VAL_CHARS + 1].tolist()
        self.generator = torch.Generator(device=device)
        self.reset()

    def describe(self) -> dict[str, Any]:
        """The corpus, the tensors' shapes and the source of the functions that train."""
        v, h = len(self.corpus.vocab.chars), self.config["hidden"]
        shapes = {"W_xh": [h, v], "W_hh": [h, h], "W_hy": [v, h], "b_h": [h], "b_y": [v]}
        return {
            "corpus": {**self.corpus.facts(), "chars": self.corpus.vocab.chars},
            "shapes": shapes,
            "code": CODE,
        }

    def reset(self) -> None:
        """The seed's small random weights, an empty Adagrad memory, the start of the corpus."""
        init = torch.Generator().manual_seed(self.seed)
        vocab = len(self.corpus.vocab.chars)
        params = hand.init_params(vocab, self.config["hidden"], init, DTYPE)
        self.params = {name: p.to(self.device) for name, p in params.items()}
        self.memory = {name: torch.zeros_like(p) for name, p in self.params.items()}
        self.h = torch.zeros(self.config["hidden"], dtype=DTYPE, device=self.device)
        self.cursor = 0
        self.generator.manual_seed(self.seed)
        self._running = RunningMetrics(torch.device("cpu"))
        self._last: tuple | None = None  # the last step's inputs, targets and the state carried in
        self._last_sample = -float("inf")
        self._sample: str | None = None
        self._chars, self._seconds = 0, 0.0

    def _next_chunk(self) -> tuple[list[int], list[int]]:
        """The next T inputs and their next characters; from a zero state again at the corpus's end."""
        t = self.controls["seq_length"]
        if self.cursor + t + 1 > len(self.train_ids):
            self.cursor = 0
            self.h = torch.zeros_like(self.h)
        inputs = self.train_ids[self.cursor : self.cursor + t]
        targets = self.train_ids[self.cursor + 1 : self.cursor + t + 1]
        self.cursor += t
        return inputs, targets

    def train_step(self) -> None:
        """Forward loop, backward pass, clipping, Adagrad: one chunk, as min-char-rnn does."""
        start = time.perf_counter()
        inputs, targets = self._next_chunk()
        h_prev = self.h
        run = hand.forward(self.params, inputs, targets, h_prev)
        grads = hand.backward(self.params, run, inputs, targets)
        clipped = hand.clip(grads)
        self._last = (inputs, targets, h_prev)
        hand.adagrad(self.params, clipped, self.memory, self.controls["lr"])
        self.h = run.hs[-1]
        with torch.no_grad():
            guesses = torch.stack(run.ps).argmax(1).cpu()
            acc = (guesses == torch.tensor(targets)).double().mean()
            self._running.add(run.loss.cpu() / len(inputs), acc)
        self._chars += len(inputs)
        self._seconds += time.perf_counter() - start

    def take_running(self) -> Metrics | None:
        """Loss per character and next-character accuracy since the last call."""
        return self._running.take()

    @torch.no_grad()
    def evaluate(self) -> Metrics:
        """Loss per character and accuracy on the held-out slice, read from a zero state."""
        inputs, targets = self.val_ids[:-1], self.val_ids[1:]
        run = hand.forward(self.params, inputs, targets, torch.zeros_like(self.h))
        guesses = torch.stack(run.ps).argmax(1).cpu()
        acc = (guesses == torch.tensor(targets)).double().mean().item()
        return Metrics(run.loss.item() / len(inputs), acc)

    def handle(self, message: Any) -> None:
        """Nothing to send: the model trains on its corpus."""

    def set_controls(self, controls: dict[str, Any]) -> None:
        """Learning rate, chunk length and sampling take effect from the next step."""
        self.controls |= controls

    def _due_sample(self) -> str | None:
        if time.monotonic() - self._last_sample < self.controls["sample_every"]:
            return None
        self._last_sample = time.monotonic()
        start = self._last[0][0] if self._last else self.train_ids[0]
        ids = hand.sample(self.params, self.h, start, self.controls["sample_length"], self.generator)
        return self.corpus.vocab.decode(ids)

    def frame(self, grads: bool, dtype: torch.dtype) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
        """The last chunk read again by the weights now: its text, each h_t, p of each target, the loss,
        the gradient norms and the hand-written gradients' largest gap to autograd's; a sample when due."""
        chars, seconds = self._chars, self._seconds
        self._chars, self._seconds = 0, 0.0
        header: dict[str, Any] = {
            "chars_per_s": chars / seconds if chars and seconds > 0 else None,
            "sample": self._due_sample(),
            "chunk": None,
        }
        if self._last is None:
            return header, {}
        inputs, targets, h_prev = self._last
        run = hand.forward(self.params, inputs, targets, h_prev)  # the last chunk, read by the weights now
        grads = hand.backward(self.params, run, inputs, targets)
        autograd = hand.autograd_check(self.params, inputs, targets, h_prev)
        errors = {name: float((grads[name] - autograd[name]).abs().max()) for name in hand.NAMES}
        decode = self.corpus.vocab.decode
        header["chunk"] = {
            "inputs": decode(inputs),
            "targets": decode(targets),
            "loss": run.loss.item() / len(inputs),
            "grad_norms": {name: float(g.norm()) for name, g in grads.items()},
            "clipped": sum(int((g.abs() > hand.CLIP).sum()) for g in grads.values()),
            "check": {"errors": errors, "max_abs_error": max(errors.values())},
        }
        probs = torch.stack(run.ps)
        p_target = probs[torch.arange(len(targets)), torch.tensor(targets, device=self.device)]
        return header, to_numpy({"h": torch.stack(run.hs), "p_target": p_target}, dtype)

    def export_weights(self) -> bytes:
        """The five tensors and Adagrad's memory of each (``adagrad.<name>``) as safetensors bytes."""
        return save({name: t.detach().cpu().contiguous() for name, t in self._state().items()})

    def _state(self) -> dict[str, torch.Tensor]:
        return {**self.params, **{f"{MEMORY}{name}": m for name, m in self.memory.items()}}

    def load_weights(self, state: dict[str, torch.Tensor], field: str) -> None:
        """Carry on from an export of the same sizes (a fork): the tensors and Adagrad's memory."""
        check_fits(self._state(), state, field)
        for name, tensor in self._state().items():
            tensor.copy_(state[name].to(tensor))


HANDRNN = ModelSpec(
    name="handrnn",
    title="Character-level RNN by hand",
    page="/handrnn",
    config=(
        Param("hidden", "int", 100, "hidden units (size of h)", min=8, max=256),
        Param(
            "corpus",
            "choice",
            "shipped",
            "text to learn: Python standard library source or the shipped story",
            choices=CORPORA,
        ),
    ),
    controls=(
        Param("lr", "float", 0.1, "Adagrad learning rate", min=1e-4, max=1.0),
        Param(
            "seq_length",
            "int",
            25,
            "characters per chunk (steps of backpropagation through time)",
            min=2,
            max=100,
        ),
        Param("sample_every", "float", 2.0, "seconds between samples while training", min=0.5, max=60.0),
        Param("sample_length", "int", 200, "characters per sample", min=10, max=500),
    ),
    tensors=(),
    optional_tensors={},
    inputs=frozenset(),
    trains=True,
    precision="float32",
    build=HandRnnLive,
)
