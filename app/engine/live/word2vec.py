"""Word embeddings learned live: skip-gram with negative sampling on a local corpus, watched through PCA."""

from typing import Any

import numpy as np
import torch
from safetensors.torch import save

from app.engine.data.words import WORD_CORPORA, WordCorpus, check_words, load_words, skipgram_pairs
from app.engine.device import seeded
from app.engine.live.base import ModelSpec
from app.engine.live.wordspace import WordSpace
from app.engine.models.skipgram import SkipGram, SkipGramConfig, sgns_accuracy, sgns_loss
from app.engine.params import Param, ParamError
from app.engine.training import Metrics, RunningMetrics
from app.protocol.messages import InputMessage, Query, Text

NOISE_POWER = 0.75  # negatives are drawn from unigram counts ** 0.75, as in word2vec
VAL_PAIRS = 4096  # held-out pairs scored by validation, with negatives drawn once per reset


class Word2VecLive:
    """One session's skip-gram model on its corpus, its Adam optimizer, and the query shown with it."""

    def __init__(self, config: dict, controls: dict, seed: int, device: torch.device) -> None:
        self.config, self.seed, self.device = config, seed, device
        self.controls = dict(controls)
        self.space = WordSpace()
        words = load_words(config["corpus"])
        self._use_corpus(WordCorpus.of(config["corpus"], words, config["vocab"]))

    def _use_corpus(self, corpus: WordCorpus) -> None:
        """A new vocabulary: a new model (seeded), pairs and noise distribution, no query."""
        self.corpus = corpus
        size = len(corpus.vocab.words)
        self.model = seeded(self.seed, lambda: SkipGram(SkipGramConfig(size, self.config["dim"])))
        self.model.to(self.device)
        self._initial = {k: v.clone() for k, v in self.model.state_dict().items()}
        self.pairs = skipgram_pairs(corpus.train, self.config["window"]).to(self.device)
        self.noise = corpus.vocab.counts.double().pow(NOISE_POWER).float().to(self.device)
        self.space.forget()
        self.reset()

    def describe(self) -> dict[str, Any]:
        """The corpus (sizes, the vocabulary's words by rank), the pairs and the tables' shapes."""
        size, dim = len(self.corpus.vocab.words), self.config["dim"]
        return {
            "corpus": {**self.corpus.facts(), "pairs": len(self.pairs)},
            "vocab_words": list(self.corpus.vocab.words),
            "layers": [
                {"name": "center", "kind": "embedding", "in": [size], "out": [dim]},
                {"name": "context", "kind": "embedding", "in": [size], "out": [dim]},
            ],
        }

    def reset(self) -> None:
        """The seed's initial weights, a fresh optimizer, the pair order and held-out negatives redrawn."""
        self.model.load_state_dict(self._initial)
        self.optimizer = torch.optim.Adam(self.model.parameters(), lr=self.controls["lr"])
        self.generator = torch.Generator(device=self.device).manual_seed(self.seed)
        self._order = torch.empty(0, dtype=torch.long, device=self.device)
        self._cursor = 0
        self._running = RunningMetrics(self.device)
        val = skipgram_pairs(self.corpus.val, self.config["window"])[:VAL_PAIRS].to(self.device)
        self._val = (val, self._negatives(len(val)))

    def _negatives(self, count: int) -> torch.Tensor:
        """(count, K) word ids drawn from the noise distribution."""
        k = self.controls["negatives"]
        drawn = torch.multinomial(self.noise, count * k, replacement=True, generator=self.generator)
        return drawn.view(count, k)

    def handle(self, message: InputMessage) -> bool:
        """``query`` sets the word and analogy shown; ``text`` with purpose ``corpus`` learns from a new
        text, which starts the model again (a new vocabulary): True tells the session so."""
        if isinstance(message, Query):
            self.space.ask(message, self.corpus.vocab.index)
            return False
        if isinstance(message, Text) and message.purpose == "corpus":
            self._use_corpus(WordCorpus.of("upload", check_words(message.text), self.config["vocab"]))
            return True
        raise ParamError("purpose", "word2vec learns from a text (purpose 'corpus'); ask with 'query'")

    def train_step(self) -> None:
        """One Adam step on the next batch of (center, context) pairs, each with K fresh negatives."""
        size = min(self.controls["batch_size"], len(self.pairs))
        if self._cursor + size > len(self._order):
            self._order = torch.randperm(len(self.pairs), generator=self.generator, device=self.device)
            self._cursor = 0
        batch = self.pairs[self._order[self._cursor : self._cursor + size]]
        self._cursor += size
        positive, negative = self.model(batch[:, 0], batch[:, 1], self._negatives(size))
        loss = sgns_loss(positive, negative)
        self.optimizer.zero_grad(set_to_none=True)
        loss.backward()
        self.optimizer.step()
        with torch.no_grad():
            self._running.add(loss, sgns_accuracy(positive, negative))

    def take_running(self) -> Metrics | None:
        """Training loss and accuracy averaged since the last call."""
        return self._running.take()

    @torch.no_grad()
    def evaluate(self) -> Metrics:
        """Loss and accuracy on the held-out pairs and their fixed negatives."""
        pairs, negatives = self._val  # at least two tokens held out: never empty
        positive, negative = self.model(pairs[:, 0], pairs[:, 1], negatives)
        return Metrics(sgns_loss(positive, negative).item(), sgns_accuracy(positive, negative).item())

    def set_controls(self, controls: dict[str, Any]) -> None:
        """lr goes to the optimizer; batch size and negatives apply from the next step."""
        self.controls |= controls
        for group in self.optimizer.param_groups:
            group["lr"] = self.controls["lr"]

    def frame(self, grads: bool, dtype: torch.dtype) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
        """The most frequent words' vectors and their PCA, the query's neighbours and analogy."""
        shown = list(range(min(self.config["shown"], len(self.corpus.vocab.words))))
        header, tensors = self.space.frame(
            self.model.center.weight, shown, self.corpus.vocab.words.__getitem__
        )
        return {**header, "corpus": self.corpus.facts()}, tensors

    def export_weights(self) -> bytes:
        """The state_dict as safetensors bytes."""
        return save({k: v.detach().cpu().contiguous() for k, v in self.model.state_dict().items()})


WORD2VEC = ModelSpec(
    name="word2vec",
    title="Skip-gram word embeddings",
    page="/embedding",
    config=(
        Param(
            "corpus",
            "choice",
            "stdlib",
            "words to learn from: the standard library's docstrings and comments, or the shipped story",
            choices=WORD_CORPORA,
        ),
        Param("vocab", "int", 1000, "most frequent words kept (the others are dropped)", min=50, max=5000),
        Param("dim", "int", 32, "size of a word's embedding", min=3, max=128),
        Param("window", "int", 2, "context words on each side of a center word", min=1, max=5),
        Param("shown", "int", 150, "most frequent words projected and streamed", min=10, max=500),
    ),
    controls=(
        Param("lr", "float", 1e-2, "Adam learning rate", min=1e-5, max=0.5),
        Param("batch_size", "int", 512, "(center, context) pairs per step", min=16, max=4096),
        Param("negatives", "int", 5, "noise words per pair (negative sampling)", min=1, max=20),
    ),
    tensors=("vectors", "coords", "components", "mean"),
    optional_tensors={},
    inputs=frozenset({"query", "text"}),
    trains=True,
    precision="float32",
    build=Word2VecLive,
)
