"""An encoder–decoder RNN (after Cho et al. and Bahdanau et al.): embedding → GRU/LSTM encoder,
optionally bidirectional → a decoder cell that reads, at each output step, a context vector: the
attention-weighted sum of the encoder's outputs (additive or dot scores), or without attention the
encoder's summary at every step.
"""

from dataclasses import dataclass

import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

CELLS: dict[str, tuple[type[nn.RNNBase], type[nn.Module]]] = {
    "gru": (nn.GRU, nn.GRUCell),
    "lstm": (nn.LSTM, nn.LSTMCell),
}
ATTENTIONS = ("additive", "dot", "none")


@dataclass(frozen=True)
class Seq2SeqConfig:
    """Vocabulary sizes (the output's without its start token), cell, attention and widths."""

    in_vocab: int
    out_vocab: int
    steps: int  # output characters per translation
    cell: str = "gru"
    bidirectional: bool = True
    attention: str = "additive"
    hidden: int = 64
    embedding: int = 16


@dataclass(frozen=True)
class Decoding:
    """Per output step: logits (B, T, V), attention weights (B, T, L) or None, context vectors (B, T, C)."""

    logits: torch.Tensor
    attention: torch.Tensor | None
    context: torch.Tensor


class Seq2Seq(nn.Module):
    """Character ids in (B, L), padded with 0, → ``steps`` output characters, greedy or teacher-forced."""

    def __init__(self, config: Seq2SeqConfig) -> None:
        super().__init__()
        self.config = config
        rnn, cell = CELLS[config.cell]
        hidden, width = config.hidden, config.hidden * (2 if config.bidirectional else 1)
        self.src_embed = nn.Embedding(config.in_vocab, config.embedding, padding_idx=0)
        self.encoder = rnn(config.embedding, hidden, batch_first=True, bidirectional=config.bidirectional)
        self.bridge = nn.Linear(width, hidden)  # the encoder's summary → the decoder's first state
        self.tgt_embed = nn.Embedding(config.out_vocab + 1, config.embedding)  # + the start token
        self.decoder = cell(config.embedding + width, hidden)
        if config.attention != "none":
            self.keys = nn.Linear(width, hidden, bias=False)  # encoder outputs → the decoder's space
        if config.attention == "additive":
            self.query = nn.Linear(hidden, hidden)
            self.score = nn.Linear(hidden, 1, bias=False)  # v in vᵀ tanh(W_q s + W_k h_j)
        self.head = nn.Linear(hidden + width, config.out_vocab)

    def encode(self, x: torch.Tensor, lengths: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Outputs (B, L, C) (zeros past each length) and the summary (B, C): the last step forward,
        the first step backward, packed so that padding never enters a state."""
        packed = pack_padded_sequence(
            self.src_embed(x), lengths.cpu(), batch_first=True, enforce_sorted=False
        )
        out, state = self.encoder(packed)
        h = state[0] if isinstance(state, tuple) else state  # (D, B, H)
        outputs, _ = pad_packed_sequence(out, batch_first=True, total_length=x.shape[1])
        return outputs, torch.cat(list(h), dim=-1)

    def attend(
        self, s: torch.Tensor, outputs: torch.Tensor, keys: torch.Tensor, pad: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """Weights (B, L) over the input for decoder state s (B, H), softmax with padding masked out,
        and the context Σ_j α_j h_j (B, C)."""
        if self.config.attention == "additive":
            scores = self.score(torch.tanh(self.query(s)[:, None] + keys)).squeeze(-1)  # (B, L)
        else:
            scores = torch.bmm(keys, s[:, :, None]).squeeze(-1)  # s · W_k h_j
        weights = torch.softmax(scores.masked_fill(pad, float("-inf")), dim=-1)
        return weights, torch.bmm(weights[:, None], outputs).squeeze(1)

    def forward(
        self,
        x: torch.Tensor,
        lengths: torch.Tensor,
        targets: torch.Tensor | None = None,
        teacher: float = 0.0,
        generator: torch.Generator | None = None,
    ) -> Decoding:
        """Decode ``steps`` characters; each step's input is the target's previous character with
        probability ``teacher`` (one draw per step for the whole batch), else the model's own guess."""
        outputs, summary = self.encode(x, lengths)
        attending = self.config.attention != "none"
        keys = self.keys(outputs) if attending else None
        pad = x == 0  # (B, L)
        h = torch.tanh(self.bridge(summary))
        state = h if self.config.cell == "gru" else (h, torch.zeros_like(h))
        previous = torch.full((len(x),), self.config.out_vocab, dtype=torch.long, device=x.device)
        logits, weights, contexts = [], [], []
        for t in range(self.config.steps):
            if attending:
                alpha, context = self.attend(h, outputs, keys, pad)
                weights.append(alpha)
            else:
                context = summary
            state = self.decoder(torch.cat((self.tgt_embed(previous), context), dim=-1), state)
            h = state if self.config.cell == "gru" else state[0]
            step_logits = self.head(torch.cat((h, context), dim=-1))
            logits.append(step_logits)
            contexts.append(context)
            forced = teacher > 0 and float(torch.rand((), generator=generator)) < teacher
            previous = targets[:, t] if forced and targets is not None else step_logits.argmax(-1).detach()
        return Decoding(
            torch.stack(logits, 1),
            torch.stack(weights, 1) if attending else None,
            torch.stack(contexts, 1),
        )
