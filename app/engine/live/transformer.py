"""A real pretrained transformer's attention, head by head: all-MiniLM-L6-v2 reading one or two sentences.

Two sentences are read as one pair, ``[CLS] first [SEP] second [SEP]``, so the attention shows how the
tokens of each sentence look at the other's; the sentence embeddings behind the similarity come from
each sentence alone, as sentence-transformers encodes them (mean over the tokens, L2-normalised).
Nothing trains: the weights are the package's.
"""

import math
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
UNKNOWN = "[UNK]"  # the tokenizer's token for what its vocabulary lacks


def unknown_pieces(encoded: Any, sentences: tuple[str, ...]) -> list[dict[str, Any]]:
    """The pieces of the sentences the tokenizer turned into [UNK]: the token's index, the sentence it
    is in (0 or 1) and its text there (from the fast tokenizer's character offsets)."""
    tokens = encoded.tokens()
    owners = encoded.sequence_ids()
    offsets = encoded["offset_mapping"][0].tolist()
    return [
        {"index": i, "sentence": owners[i], "text": sentences[owners[i]][start:end]}
        for i, (token, (start, end)) in enumerate(zip(tokens, offsets, strict=True))
        if token == UNKNOWN and owners[i] is not None
    ]


def queries_keys_values(model: Any, hidden_states: tuple[torch.Tensor, ...]) -> dict[str, torch.Tensor]:
    """Each layer's Q, K and V by head, (layers, heads, T, d), from the layer's own query, key and value
    projections of its input; and the scaled scores Q Kᵀ / √d (layers, heads, T, T) that softmax turns
    into the attention weights (no padding: one unpadded sequence)."""
    heads = model.config.num_attention_heads
    found: dict[str, list[torch.Tensor]] = {"q": [], "k": [], "v": []}
    for layer, x in zip(
        model.encoder.layer, hidden_states, strict=False
    ):  # hidden_states[l]: layer l's input
        projections = layer.attention.self
        for name, linear in (("q", projections.query), ("k", projections.key), ("v", projections.value)):
            y = linear(x[0])  # (T, hidden)
            found[name].append(y.view(y.shape[0], heads, -1).transpose(0, 1))  # (heads, T, d)
    q, k, v = (torch.stack(found[name]) for name in ("q", "k", "v"))
    return {"q": q, "k": k, "v": v, "scores": q @ k.transpose(-1, -2) / math.sqrt(q.shape[-1])}


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
                "head_dim": cfg.hidden_size // cfg.num_attention_heads,
                "vocab": cfg.vocab_size,
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
        """The pair's tokens (and which pieces became [UNK]), attentions [layers, heads, T, T], each head's
        Q, K, V and scaled scores; the sentences' cosine similarity."""
        pair = pretrained.tokenize(*self.sentences, return_tensors="pt", return_offsets_mapping=True)
        inputs = {k: v for k, v in pair.items() if k != "offset_mapping"}
        out = self.model(**inputs, output_attentions=True, output_hidden_states=True)
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
            "unknown": unknown_pieces(pair, self.sentences),
            "similarity": similarity,
        }
        tensors = {"attentions": attentions, **queries_keys_values(self.model, out.hidden_states)}
        return fields, to_numpy(tensors, dtype)

    def export_weights(self) -> bytes:
        """The pretrained state_dict as safetensors bytes."""
        return save({k: v.detach().cpu().contiguous() for k, v in self.model.state_dict().items()})


TRANSFORMER = ModelSpec(
    name="transformer",
    title="Transformer attention (all-MiniLM-L6-v2)",
    page="/transformer",
    config=(),
    controls=(),
    tensors=("attentions", "q", "k", "v", "scores"),
    optional_tensors={},
    inputs=frozenset({"sentences"}),
    trains=False,
    precision="float16",
    build=TransformerLive,
)
