"""A real pretrained transformer's attention, head by head: all-MiniLM-L6-v2 reading one or two sentences.

Two sentences are read as one pair, ``[CLS] first [SEP] second [SEP]``, so the attention shows how the
tokens of each sentence look at the other's; the sentence embeddings behind the similarity come from
each sentence alone, as sentence-transformers encodes them (mean over the tokens, L2-normalised).
Nothing trains: the weights are the package's.
"""

from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from safetensors.torch import save

from app.engine import pretrained
from app.engine.capture import to_numpy
from app.engine.live.base import ModelSpec
from app.engine.params import ParamError
from app.protocol.messages import InputMessage, Sentences

MAX_TOKENS = 64  # of the pair, [CLS] and [SEP]s included
DEFAULT_SENTENCES = ("The cat sat on the mat.", "A dog slept on the rug.")


def sentence_embedding(model: Any, encoded: dict[str, torch.Tensor]) -> torch.Tensor:
    """Mean of the last hidden states over the attention mask, L2-normalised: (hidden,) for one text."""
    hidden = model(**encoded).last_hidden_state[0]  # (T, hidden)
    mask = encoded["attention_mask"][0].unsqueeze(-1).to(hidden.dtype)  # (T, 1)
    return F.normalize((hidden * mask).sum(0) / mask.sum(), p=2, dim=0)


class TransformerLive:
    """The shared MiniLM (loaded once per process, on the CPU whatever ``device``) and this session's
    sentences."""

    def __init__(self, config: dict, controls: dict, seed: int, device: torch.device) -> None:
        _, self.model = pretrained.load_minilm()  # Unavailable, naming the install command, without the extra
        self.reset()

    def reset(self) -> None:
        """The default pair of sentences again (the weights never change)."""
        self.sentences = self._checked(*DEFAULT_SENTENCES)

    def describe(self) -> dict[str, Any]:
        """The model's name and size and the token limit."""
        cfg = self.model.config
        return {
            "pretrained": {
                "name": "all-MiniLM-L6-v2",
                "layers": cfg.num_hidden_layers,
                "heads": cfg.num_attention_heads,
                "hidden": cfg.hidden_size,
            },
            "max_tokens": MAX_TOKENS,
        }

    def handle(self, message: InputMessage) -> None:
        """``sentences``: one sentence, or two read as a pair (an empty second means none)."""
        if isinstance(message, Sentences):
            self.sentences = self._checked(message.first, message.second)

    def _checked(self, first: str, second: str | None) -> tuple[str, ...]:
        """The sentences, refused naming the field when empty or when the pair is over MAX_TOKENS."""
        if not first.strip():
            raise ParamError("first", "type a sentence")
        if second is not None and not second.strip():
            second = None
        alone = self._count(first)
        if alone > MAX_TOKENS:
            raise ParamError("first", f"at most {MAX_TOKENS} tokens with [CLS] and [SEP], got {alone}")
        if second is None:
            return (first,)
        both = self._count(first, second)
        if both > MAX_TOKENS:
            raise ParamError(
                "second", f"the pair may have at most {MAX_TOKENS} tokens with [CLS] and [SEP]s, got {both}"
            )
        return first, second

    def _count(self, *texts: str) -> int:
        return len(pretrained.tokenize(*texts)["input_ids"])

    def set_controls(self, controls: dict[str, Any]) -> None:
        """No live controls."""

    def take_running(self) -> None:
        """Nothing trains here."""

    @torch.no_grad()
    def frame(self, grads: bool, dtype: torch.dtype) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
        """The pair's tokens and attentions [layers, heads, T, T]; the sentences' cosine similarity."""
        pair = pretrained.tokenize(*self.sentences, return_tensors="pt")
        out = self.model(**pair, output_attentions=True)
        attentions = torch.stack([a[0] for a in out.attentions])  # (layers, heads, T, T)
        embeddings = [
            sentence_embedding(self.model, pretrained.tokenize(s, return_tensors="pt"))
            for s in self.sentences
        ]
        similarity = float(embeddings[0] @ embeddings[1]) if len(embeddings) == 2 else None
        fields = {
            "sentences": list(self.sentences),
            "tokens": pair.tokens(),
            "segments": pair["token_type_ids"][0].tolist(),
            "similarity": similarity,
        }
        return fields, to_numpy({"attentions": attentions}, dtype)

    def export_weights(self) -> bytes:
        """The pretrained state_dict as safetensors bytes."""
        return save({k: v.detach().cpu().contiguous() for k, v in self.model.state_dict().items()})


TRANSFORMER = ModelSpec(
    name="transformer",
    title="Transformer attention (all-MiniLM-L6-v2)",
    page="/transformer",
    config=(),
    controls=(),
    tensors=("attentions",),
    optional_tensors={},
    inputs=frozenset({"sentences"}),
    trains=False,
    precision="float16",
    build=TransformerLive,
)
