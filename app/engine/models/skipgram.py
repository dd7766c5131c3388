"""Skip-gram with negative sampling (word2vec, Mikolov et al. 2013): two embedding tables, a logistic loss."""

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn


@dataclass(frozen=True)
class SkipGramConfig:
    """Vocabulary size V and embedding size d."""

    vocab: int
    dim: int


class SkipGram(nn.Module):
    """``center``: the word vectors shown (v_w); ``context``: a word's vector as a neighbour (u_w)."""

    def __init__(self, config: SkipGramConfig) -> None:
        super().__init__()
        self.center = nn.Embedding(config.vocab, config.dim)
        self.context = nn.Embedding(config.vocab, config.dim)
        nn.init.uniform_(self.center.weight, -0.5 / config.dim, 0.5 / config.dim)
        nn.init.zeros_(self.context.weight)

    def forward(self, centers: torch.Tensor, contexts: torch.Tensor, negatives: torch.Tensor):
        """Scores u·v of the true pairs (B,) and of the negatives (B, K)."""
        v = self.center(centers)  # (B, d)
        positive = (self.context(contexts) * v).sum(-1)  # (B,)
        negative = torch.einsum("bkd,bd->bk", self.context(negatives), v)  # (B, K)
        return positive, negative


def sgns_loss(positive: torch.Tensor, negative: torch.Tensor) -> torch.Tensor:
    """−log σ(u_o·v_c) − Σ_k log σ(−u_k·v_c), averaged over the batch."""
    return -(F.logsigmoid(positive) + F.logsigmoid(-negative).sum(-1)).mean()


def sgns_accuracy(positive: torch.Tensor, negative: torch.Tensor) -> torch.Tensor:
    """The share of scores on the right side of 0: true pairs > 0, negatives < 0."""
    right = (positive > 0).float().sum() + (negative < 0).float().sum()
    return right / (positive.numel() + negative.numel())
