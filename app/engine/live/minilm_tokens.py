"""The token embeddings of a real model, all-MiniLM-L6-v2 (the optional `pretrained` extra), seen as words
learned by word2vec are: chosen tokens' PCA, neighbours and analogies over its whole vocabulary."""

from typing import Any

import numpy as np
import torch
from safetensors.torch import save

from app.engine.live.base import ModelSpec
from app.engine.live.wordspace import WordSpace
from app.engine.params import ParamError
from app.engine.pretrained import load_minilm, vocabulary
from app.protocol.messages import InputMessage, Query, Text

FIRST_WORDS = (
    "king queen man woman prince princess boy girl father mother "
    "paris france london england berlin germany tokyo japan "
    "cat dog horse bird fish red green blue yellow "
    "one two three four five walk walked run ran swim swam "
    "good better bad worse python java code computer"
)
MIN_SHOWN, MAX_SHOWN = 3, 200  # tokens projected


class MiniLMTokensLive:
    """The table ``model.embeddings.word_embeddings.weight`` [30522, 384]; it does not train."""

    def __init__(self, config: dict, controls: dict, seed: int, device: torch.device) -> None:
        _, model = load_minilm()  # Unavailable, naming the install command, without the extra
        self.table = model.embeddings.word_embeddings.weight.detach()
        self.tokens = vocabulary()
        self._ids = {token: i for i, token in enumerate(self.tokens)}
        self.space = WordSpace()
        self.reset()

    def describe(self) -> dict[str, Any]:
        """The table's shape and the bounds of a list of tokens to show."""
        return {
            "weight": list(self.table.shape),
            "shown": [MIN_SHOWN, MAX_SHOWN],
            "model": "all-MiniLM-L6-v2",
        }

    def reset(self) -> None:
        """The first words shown again, no query."""
        self.shown = [self.index(w, "text") for w in FIRST_WORDS.split()]
        self.space.forget()

    def index(self, word: str, field: str) -> int:
        """A token's id (lower-cased, as the uncased tokenizer reads); others are refused naming ``field``."""
        token = word.strip().lower()
        if token not in self._ids:
            raise ParamError(field, f"{word!r} is not one token of the model's vocabulary")
        return self._ids[token]

    def handle(self, message: InputMessage) -> None:
        """``query`` sets the word and analogy; ``text`` (purpose ``input``) lists the tokens to show."""
        if isinstance(message, Query):
            self.space.ask(message, self.index)
            return
        if not isinstance(message, Text):
            return
        if message.purpose != "input":
            raise ParamError(
                "purpose", "the pretrained table does not learn; send the tokens to show as 'input'"
            )
        words = list(dict.fromkeys(message.text.replace(",", " ").split()))
        if not MIN_SHOWN <= len(words) <= MAX_SHOWN:
            raise ParamError("text", f"list {MIN_SHOWN}–{MAX_SHOWN} different tokens, got {len(words)}")
        self.shown = [self.index(w, "text") for w in words]

    def take_running(self) -> None:
        """Nothing trains here."""

    def set_controls(self, controls: dict[str, Any]) -> None:
        """No controls."""

    def frame(self, grads: bool, dtype: torch.dtype) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
        """The shown tokens' vectors and their PCA, the query's neighbours and analogy."""
        return self.space.frame(self.table, self.shown, self.tokens.__getitem__)

    def export_weights(self) -> bytes:
        """The token embedding table as safetensors bytes."""
        return save({"word_embeddings.weight": self.table.cpu().contiguous()})


MINILM_TOKENS = ModelSpec(
    name="minilm_tokens",
    title="all-MiniLM-L6-v2 token embeddings",
    page="/embedding",
    config=(),
    controls=(),
    tensors=("vectors", "coords", "components", "mean"),
    optional_tensors={},
    inputs=frozenset({"query", "text"}),
    trains=False,
    precision="float32",
    build=MiniLMTokensLive,
)
