"""A character-level RNN learning to write, live: truncated BPTT, samples every few seconds, prompts."""

import time
from typing import Any

import numpy as np
import torch
from safetensors.torch import save

from app.engine.bptt import BpttTrainer
from app.engine.capture import to_numpy
from app.engine.data.corpus import CORPORA, Corpus, check_text, load_corpus
from app.engine.device import seeded
from app.engine.live.base import ModelSpec
from app.engine.models.charrnn import CELLS, CharRNN, CharRNNConfig
from app.engine.params import Param, ParamError
from app.engine.textgen import Generation, generate
from app.engine.training import Metrics
from app.protocol.messages import Generate, InputMessage, Text


class CharRNNLive:
    """One session's char-RNN on its corpus, its trainer, and the latest sample or prompt continuation."""

    def __init__(self, config: dict, controls: dict, seed: int, device: torch.device) -> None:
        self.config, self.seed, self.device = config, seed, device
        self.controls = dict(controls)
        self.generator = torch.Generator(device=device)
        self._use_corpus(Corpus.of(config["corpus"], load_corpus(config["corpus"])))

    def _use_corpus(self, corpus: Corpus) -> None:
        """A new vocabulary: a new model (seeded), a fresh trainer, no sample yet."""
        self.corpus = corpus
        arch = CharRNNConfig(
            len(corpus.vocab.chars), *(self.config[k] for k in ("cell", "layers", "hidden", "embedding"))
        )
        self.model = seeded(self.seed, lambda: CharRNN(arch)).to(self.device)
        self._initial = {k: v.clone() for k, v in self.model.state_dict().items()}
        self.reset()

    def describe(self) -> dict[str, Any]:
        """The corpus (name, sizes, the vocabulary as a string: token id = position) and the layers."""
        facts = self.corpus.facts()
        layers = [
            {"name": "embed", "kind": "embedding", "in": [facts["vocab"]], "out": [self.config["embedding"]]},
            {
                "name": "rnn",
                "kind": self.config["cell"],
                "layers": self.config["layers"],
                "out": [self.config["hidden"]],
            },
            {"name": "head", "kind": "linear", "in": [self.config["hidden"]], "out": [facts["vocab"]]},
        ]
        return {"corpus": {**facts, "chars": self.corpus.vocab.chars}, "layers": layers}

    def reset(self) -> None:
        """The seed's initial weights for this corpus, a fresh optimizer, the sampler reseeded."""
        self.model.load_state_dict(self._initial)
        train, val = self.corpus.train.to(self.device), self.corpus.val.to(self.device)
        self.trainer = BpttTrainer(self.model, train, val, self.controls)
        self.generator.manual_seed(self.seed)
        self._pending: dict[str, Any] | None = None  # a prompt's continuation for the next frame
        self._last_sample = -float("inf")
        self._trained = False  # steps since the last frame
        self._speed: float | None = None

    def handle(self, message: InputMessage) -> bool:
        """``generate`` continues a prompt; ``text`` with purpose ``corpus`` replaces the corpus, which
        starts the model again (a new vocabulary): True tells the session so."""
        if isinstance(message, Generate):
            prompt = message.prompt or self._default_prompt()
            ids = self.corpus.vocab.encode(prompt, "prompt").to(self.device)
            self._pending = self._sample("generate", prompt, ids, message.length, message.temperature)
            return False
        if isinstance(message, Text) and message.purpose == "corpus":
            self._use_corpus(Corpus.of("upload", check_text(message.text)))
            return True
        raise ParamError(
            "purpose", "charrnn learns from a text (purpose 'corpus'); continue a prompt with 'generate'"
        )

    def _default_prompt(self) -> str:
        """A sample's first character: a newline when the corpus has one, else its first character."""
        chars = self.corpus.vocab.chars
        return "\n" if "\n" in chars else self.corpus.vocab.decode([int(self.corpus.train[0])])

    def _sample(self, kind: str, prompt: str, ids: torch.Tensor, length: int, temperature: float) -> dict:
        gen = generate(self.model, ids, length, temperature, self.generator)
        self._last_sample = time.monotonic()
        return {"kind": kind, "prompt": prompt, "temperature": temperature, "generation": gen}

    def train_step(self) -> None:
        """One optimizer step on the next BPTT chunk."""
        self.trainer.step()
        self._trained = True

    def take_running(self) -> Metrics | None:
        """Training loss and accuracy averaged since the last call."""
        return self.trainer.take_running()

    def evaluate(self) -> Metrics:
        """Loss and accuracy on the held-out slice."""
        return self.trainer.evaluate()

    def set_controls(self, controls: dict[str, Any]) -> None:
        """lr, batch size and BPTT length go to the trainer; temperature and sampling to the sampler."""
        self.controls |= controls
        self.trainer.update(controls)

    def frame(self, grads: bool, dtype: torch.dtype) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
        """Speed and corpus always; a sample when one is due, a prompt's continuation when asked for."""
        speed = self.trainer.take_speed()
        self._speed = speed if speed is not None else self._speed
        header: dict[str, Any] = {"chars_per_s": self._speed, "corpus": self.corpus.facts(), "sample": None}
        sample, self._pending = self._pending, None
        due = time.monotonic() - self._last_sample >= self.controls["sample_every"]
        if sample is None and (due or not self._trained):  # commands (pause, reset…) show a fresh sample
            prompt = self._default_prompt()
            ids = self.corpus.vocab.encode(prompt).to(self.device)
            sample = self._sample(
                "sample", prompt, ids, self.controls["sample_length"], self.controls["temperature"]
            )
        self._trained = False
        if sample is None:
            return header, {}
        gen: Generation = sample.pop("generation")
        header["sample"] = {
            **sample,
            "text": self.corpus.vocab.decode(gen.ids.tolist()),
            "vocab": self.corpus.vocab.chars,
        }
        tensors = to_numpy({"top5_p": gen.top_p, "p_chosen": gen.p_chosen, "hidden": gen.hidden}, dtype)
        tensors["top5_i"] = gen.top_i.cpu().numpy()
        return header, tensors

    def export_weights(self) -> bytes:
        """The state_dict as safetensors bytes."""
        return save({k: v.detach().cpu().contiguous() for k, v in self.model.state_dict().items()})


CHARRNN = ModelSpec(
    name="charrnn",
    title="Character-level RNN",
    page="/charrnn",
    config=(
        Param(
            "cell", "choice", "lstm", "recurrent cell: nn.RNN (tanh), nn.GRU or nn.LSTM", choices=tuple(CELLS)
        ),
        Param("layers", "int", 1, "stacked recurrent layers", min=1, max=3),
        Param("hidden", "int", 128, "hidden units per layer", min=32, max=512),
        Param("embedding", "int", 32, "size of a character's embedding", min=8, max=256),
        Param(
            "corpus",
            "choice",
            "stdlib",
            "text to learn: Python standard library source or the shipped story",
            choices=CORPORA,
        ),
    ),
    controls=(
        Param("lr", "float", 3e-3, "Adam learning rate", min=1e-5, max=0.1),
        Param("batch_size", "int", 32, "parallel streams of the corpus per step", min=1, max=256),
        Param("bptt", "int", 64, "characters per truncated-BPTT chunk", min=4, max=512),
        Param("temperature", "float", 0.8, "sampling temperature of the periodic samples", min=0.05, max=3.0),
        Param("sample_every", "float", 3.0, "seconds between samples while training", min=0.5, max=60.0),
        Param("sample_length", "int", 200, "characters per periodic sample", min=10, max=1000),
    ),
    tensors=(),
    optional_tensors={},
    inputs=frozenset({"text", "generate"}),
    trains=True,
    precision="float32",
    build=CharRNNLive,
)
