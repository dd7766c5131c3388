"""Sampling text from a next-character model, keeping what each step saw: top-5 and hidden state."""

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

TOP_K = 5


@dataclass(frozen=True)
class Generation:
    """A sampled continuation of L characters and, per position t, what produced it."""

    ids: torch.Tensor  # (L,) int64: the sampled characters
    top_p: torch.Tensor  # (L, k) the k ≤ 5 most likely next characters' probabilities (at the temperature)
    top_i: torch.Tensor  # (L, k) int32: their token ids
    p_chosen: torch.Tensor  # (L,) the probability of the character that was drawn
    hidden: torch.Tensor  # (H, L) the top layer's hidden state after reading character t


@torch.no_grad()
def generate(
    model: nn.Module, prompt: torch.Tensor, length: int, temperature: float, generator: torch.Generator
) -> Generation:
    """Read ``prompt`` (P ≥ 1 ids), then draw ``length`` characters from softmax(logits / temperature)."""
    was_training = model.training
    model.eval()
    logits, _, state = model(prompt[None])  # (1, P, V)
    last = logits[0, -1]  # (V,)
    ids, top_p, top_i, chosen, hidden = [], [], [], [], []
    k = min(TOP_K, last.shape[-1])
    for _ in range(length):
        probs = F.softmax(last / temperature, dim=-1)  # (V,)
        token = torch.multinomial(probs, 1, generator=generator)  # (1,)
        best = probs.topk(k)
        ids.append(token)
        top_p.append(best.values)
        top_i.append(best.indices)
        chosen.append(probs[token])
        logits, h, state = model(token[None], state)  # (1, 1, V), (1, 1, H)
        last = logits[0, 0]
        hidden.append(h[0, 0])
    model.train(was_training)
    return Generation(
        ids=torch.cat(ids),
        top_p=torch.stack(top_p),
        top_i=torch.stack(top_i).to(torch.int32),
        p_chosen=torch.cat(chosen),
        hidden=torch.stack(hidden, dim=1),  # (H, L)
    )
