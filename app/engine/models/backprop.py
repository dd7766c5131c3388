"""A small fully connected network whose forward and backward passes are written out by hand.

Layer l (from 1) computes z_l = a_{l-1} · W_lᵀ + b_l and a_l = g_l(z_l), with a_0 the input batch. The
backward pass applies the chain rule layer by layer, without autograd:

    ∂L/∂z_l = ∂L/∂a_l ⊙ g_l′(z_l)     ∂L/∂W_l = (∂L/∂z_l)ᵀ · a_{l-1}     ∂L/∂b_l = Σ_n ∂L/∂z_l
    ∂L/∂a_{l-1} = ∂L/∂z_l · W_l

``autograd_grads`` computes the same gradients with torch.autograd, to check the hand-written ones.
Everything runs in float64 so that the two agree to rounding.
"""

import itertools
from dataclasses import dataclass

import torch
import torch.nn.functional as F

DTYPE = torch.float64
LEAKY_SLOPE = 0.01

# Each activation and its derivative written as a function of z.
ACTIVATIONS = {
    "sigmoid": (torch.sigmoid, lambda z: torch.sigmoid(z) * (1 - torch.sigmoid(z))),
    "tanh": (torch.tanh, lambda z: 1 - torch.tanh(z) ** 2),
    "relu": (torch.relu, lambda z: (z > 0).to(z.dtype)),
    "leaky_relu": (
        lambda z: F.leaky_relu(z, LEAKY_SLOPE),
        lambda z: torch.where(z > 0, 1.0, LEAKY_SLOPE).to(z.dtype),
    ),
    "identity": (lambda z: z, torch.ones_like),
}
OUTPUTS = ("identity", "sigmoid")
LOSSES = ("mse", "bce")


@dataclass
class Net:
    """Weights W_l [out, in] and biases b_l [out] for l = 1…L, with the activations of each layer."""

    weights: list[torch.Tensor]
    biases: list[torch.Tensor]
    activations: list[str]  # one per layer: the hidden activation, then the output's


@dataclass(frozen=True)
class Forward:
    """Every layer's pre-activation z_l and activation a_l (index 0 of ``a`` is the input) and the loss."""

    z: list[torch.Tensor]
    a: list[torch.Tensor]
    loss: float


@dataclass(frozen=True)
class Backward:
    """∂L/∂a_l, ∂L/∂z_l, ∂L/∂W_l, ∂L/∂b_l for l = 1…L (lists in layer order)."""

    da: list[torch.Tensor]
    dz: list[torch.Tensor]
    dw: list[torch.Tensor]
    db: list[torch.Tensor]


def init_net(sizes: list[int], activation: str, output: str, generator: torch.Generator) -> Net:
    """nn.Linear's default initialisation, U(−1/√in, 1/√in), drawn from ``generator``."""
    weights, biases = [], []
    for fan_in, fan_out in itertools.pairwise(sizes):
        bound = fan_in**-0.5
        weights.append((torch.rand(fan_out, fan_in, generator=generator, dtype=DTYPE) * 2 - 1) * bound)
        biases.append((torch.rand(fan_out, generator=generator, dtype=DTYPE) * 2 - 1) * bound)
    return Net(weights, biases, [activation] * (len(sizes) - 2) + [output])


def updated(net: Net, grads: Backward, lr: float) -> Net:
    """A copy of ``net`` after one SGD step (``net`` itself unchanged)."""
    copy = Net([w.clone() for w in net.weights], [b.clone() for b in net.biases], net.activations)
    sgd_step(copy, grads, lr)
    return copy


def loss_of(output: torch.Tensor, target: torch.Tensor, loss: str) -> torch.Tensor:
    """Mean squared error, or binary cross-entropy of a sigmoid output (mean over every element)."""
    if loss == "mse":
        return ((output - target) ** 2).mean()
    eps = torch.finfo(output.dtype).tiny
    return -(
        target * torch.log(output.clamp_min(eps)) + (1 - target) * torch.log((1 - output).clamp_min(eps))
    ).mean()


def forward(net: Net, x: torch.Tensor, target: torch.Tensor, loss: str) -> Forward:
    """Run the layers one by one, keeping z_l and a_l."""
    zs, acts = [], [x]
    for w, b, name in zip(net.weights, net.biases, net.activations, strict=True):
        zs.append(acts[-1] @ w.T + b)
        acts.append(ACTIVATIONS[name][0](zs[-1]))
    return Forward(zs, acts, float(loss_of(acts[-1], target, loss)))


def backward(net: Net, fwd: Forward, target: torch.Tensor, loss: str) -> Backward:
    """The chain rule from the loss back to the first layer, written out (no autograd)."""
    out, z_out = fwd.a[-1], fwd.z[-1]
    count = out.numel()
    derivative = ACTIVATIONS[net.activations[-1]][1]
    if loss == "mse":
        da = 2 * (out - target) / count
        dz = da * derivative(z_out)
    else:  # BCE on a sigmoid output: ∂L/∂z = (a − y) / count, free of the 1/(a(1 − a)) in ∂L/∂a
        dz = (out - target) / count
        slope = out * (1 - out)
        da = torch.where(slope > 0, dz / slope.clamp_min(torch.finfo(DTYPE).tiny), 0.0)
    das, dzs, dws, dbs = [da], [dz], [], []
    for layer in range(len(net.weights) - 1, -1, -1):
        dz = dzs[0]
        dws.insert(0, dz.T @ fwd.a[layer])
        dbs.insert(0, dz.sum(0))
        if layer == 0:
            break
        da = dz @ net.weights[layer]
        das.insert(0, da)
        dzs.insert(0, da * ACTIVATIONS[net.activations[layer - 1]][1](fwd.z[layer - 1]))
    return Backward(das, dzs, dws, dbs)


def autograd_grads(net: Net, x: torch.Tensor, target: torch.Tensor, loss: str) -> Backward:
    """The same gradients from torch.autograd (F.mse_loss or F.binary_cross_entropy on the output)."""
    weights = [w.detach().clone().requires_grad_() for w in net.weights]
    biases = [b.detach().clone().requires_grad_() for b in net.biases]
    zs, acts, a = [], [], x
    for w, b, name in zip(weights, biases, net.activations, strict=True):
        z = a @ w.T + b
        z.retain_grad()
        a = ACTIVATIONS[name][0](z)
        a.retain_grad()
        zs.append(z)
        acts.append(a)
    value = (F.binary_cross_entropy if loss == "bce" else F.mse_loss)(acts[-1], target)
    value.backward()
    return Backward(
        [a.grad for a in acts], [z.grad for z in zs], [w.grad for w in weights], [b.grad for b in biases]
    )


def max_error(hand: Backward, auto: Backward) -> float:
    """The largest |hand − autograd| over ∂L/∂z, ∂L/∂W and ∂L/∂b of every layer."""
    pairs = zip([*hand.dz, *hand.dw, *hand.db], [*auto.dz, *auto.dw, *auto.db], strict=True)
    return max(float((h - a).abs().max()) for h, a in pairs)


def sgd_step(net: Net, grads: Backward, lr: float) -> None:
    """W ← W − α·∂L/∂W and b ← b − α·∂L/∂b for every layer, in place."""
    for w, b, dw, db in zip(net.weights, net.biases, grads.dw, grads.db, strict=True):
        w.sub_(lr * dw)
        b.sub_(lr * db)
