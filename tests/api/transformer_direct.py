"""all-MiniLM-L6-v2 called directly through transformers, to hold the transformer session's frames (and
its page) against; and the mark that skips such tests where the `pretrained` extra is absent."""

import pytest
import torch

from app.engine import pretrained

needs_extra = pytest.mark.skipif(
    not pretrained.pretrained_available(),
    reason=f"the 'pretrained' extra is not installed ({pretrained.INSTALL_HINT}); CI installs it",
)


def direct_attentions(*sentences: str) -> tuple[list[str], torch.Tensor]:
    """The tokens and the attentions (layers, heads, T, T) of one plain transformers call."""
    tokenizer, model = pretrained.load_minilm()
    encoded = pretrained.tokenize(*sentences, return_tensors="pt")  # the server's threads share it
    with torch.no_grad():
        out = model(**encoded, output_attentions=True)
    tokens = tokenizer.convert_ids_to_tokens(encoded["input_ids"][0])
    return tokens, torch.stack([a[0] for a in out.attentions])
