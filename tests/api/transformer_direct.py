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


def direct_projections(*sentences: str) -> dict[str, torch.Tensor]:
    """Q, K, V (layers, heads, T, d) as the model's query, key and value layers output them during one
    plain call (caught by forward hooks), and softmax's input Q Kᵀ / √d."""
    _, model = pretrained.load_minilm()
    encoded = pretrained.tokenize(*sentences, return_tensors="pt")
    caught: dict[str, list[torch.Tensor]] = {"q": [], "k": [], "v": []}
    heads = model.config.num_attention_heads
    hooks = []
    for layer in model.encoder.layer:
        projections = layer.attention.self
        for name, linear in (("q", projections.query), ("k", projections.key), ("v", projections.value)):

            def keep(_module, _args, out, name=name):
                caught[name].append(out[0].view(out.shape[1], heads, -1).transpose(0, 1))

            hooks.append(linear.register_forward_hook(keep))
    try:
        with torch.no_grad():
            model(**encoded)
    finally:
        for hook in hooks:
            hook.remove()
    found = {name: torch.stack(caught[name]) for name in "qkv"}
    found["scores"] = found["q"] @ found["k"].transpose(-1, -2) / found["q"].shape[-1] ** 0.5
    return found
