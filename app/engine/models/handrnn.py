"""A character-level RNN written by hand, after Karpathy's min-char-rnn: five plain tensors, a forward
loop over time, backpropagation through time written out (no autograd), element-wise gradient clipping
and an Adagrad update written out. The page shows these functions' source: what is shown is what runs.

One sequence at a time (no batch). The loss of a chunk is the sum over its T characters of −log p(next).
"""

from dataclasses import dataclass

import torch

NAMES = ("W_xh", "W_hh", "W_hy", "b_h", "b_y")
CLIP = 5.0  # every gradient entry is clipped to [−CLIP, CLIP], as min-char-rnn does
EPS = 1e-10  # Adagrad's ε, added to the root of the sum of squares (torch.optim.Adagrad's default)

Params = dict[str, torch.Tensor]


def init_params(vocab: int, hidden: int, generator: torch.Generator, dtype: torch.dtype) -> Params:
    """Small random weights (N(0, 0.01²)) and zero biases."""

    def small(*shape: int) -> torch.Tensor:
        return torch.randn(*shape, generator=generator, dtype=dtype) * 0.01

    return {
        "W_xh": small(hidden, vocab),
        "W_hh": small(hidden, hidden),
        "W_hy": small(vocab, hidden),
        "b_h": torch.zeros(hidden, dtype=dtype),
        "b_y": torch.zeros(vocab, dtype=dtype),
    }


@dataclass
class Run:
    """What the forward loop kept for the backward pass: every h_t and every p_t."""

    hs: list[torch.Tensor]  # T + 1 hidden states (H,): hs[0] is the state carried in
    ps: list[torch.Tensor]  # T softmax outputs (V,)
    loss: torch.Tensor  # 0-d: Σ_t −log p_t[target_t]


def forward(params: Params, inputs: list[int], targets: list[int], h_prev: torch.Tensor) -> Run:
    """Read the T inputs one by one from h_prev; keep each h_t and p_t; sum the loss."""
    hs, ps, loss = [h_prev], [], h_prev.new_zeros(())
    for t in range(len(inputs)):
        x = inputs[t]  # one-hot x_t: W_xh @ x_t is column x of W_xh
        h = torch.tanh(params["W_xh"][:, x] + params["W_hh"] @ hs[-1] + params["b_h"])
        y = params["W_hy"] @ h + params["b_y"]  # scores of the next character
        p = torch.exp(y - y.max())
        p = p / p.sum()  # softmax
        loss = loss - torch.log(p[targets[t]])
        hs.append(h)
        ps.append(p)
    return Run(hs, ps, loss)


def backward(params: Params, run: Run, inputs: list[int], targets: list[int]) -> Params:
    """Backpropagation through time: from step T − 1 back to 0, the gradient of the loss for each tensor."""
    grads = {name: torch.zeros_like(params[name]) for name in params}
    dh_next = torch.zeros_like(run.hs[0])
    for t in reversed(range(len(inputs))):
        dy = run.ps[t].clone()
        dy[targets[t]] -= 1  # ∂loss/∂y = p − onehot(target)
        grads["W_hy"] += torch.outer(dy, run.hs[t + 1])
        grads["b_y"] += dy
        dh = params["W_hy"].T @ dy + dh_next  # from the output and from step t + 1
        dh_raw = (1 - run.hs[t + 1] ** 2) * dh  # back through tanh
        grads["b_h"] += dh_raw
        grads["W_xh"][:, inputs[t]] += dh_raw
        grads["W_hh"] += torch.outer(dh_raw, run.hs[t])
        dh_next = params["W_hh"].T @ dh_raw  # to step t − 1
    return grads


def clip(grads: Params) -> Params:
    """Every entry into [−CLIP, CLIP], against exploding gradients."""
    return {name: g.clamp(-CLIP, CLIP) for name, g in grads.items()}


def adagrad(params: Params, grads: Params, memory: Params, lr: float) -> None:
    """Adagrad, in place: each entry's step shrinks with the sum of its past squared gradients."""
    for name in params:
        memory[name] += grads[name] * grads[name]
        params[name] -= lr * grads[name] / (memory[name].sqrt() + EPS)


def autograd_check(params: Params, inputs: list[int], targets: list[int], h_prev: torch.Tensor) -> Params:
    """The gradients of the same loss by autograd, on copies of the parameters (for the check)."""
    leaves = {name: p.detach().clone().requires_grad_(True) for name, p in params.items()}
    loss = forward(leaves, inputs, targets, h_prev).loss
    found = torch.autograd.grad(loss, [leaves[name] for name in NAMES])
    return dict(zip(NAMES, found, strict=True))


@torch.no_grad()
def sample(
    params: Params, h: torch.Tensor, seed_id: int, length: int, generator: torch.Generator
) -> list[int]:
    """``length`` characters drawn one by one from p_t, starting after character ``seed_id`` from h."""
    ids, x = [], seed_id
    for _ in range(length):
        h = torch.tanh(params["W_xh"][:, x] + params["W_hh"] @ h + params["b_h"])
        y = params["W_hy"] @ h + params["b_y"]
        p = torch.softmax(y, dim=0)
        x = int(torch.multinomial(p, 1, generator=generator))
        ids.append(x)
    return ids
