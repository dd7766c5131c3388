"""The SDK's cost to a user's training step: idle hooks on every step, and a capture on a frame step.

A LeNet-sized CNN (batch 64, 1×32×32, SGD) trains one step per call, timed on the CPU clock (best of 25
runs) in four modes:

- `plain`: no hooks;
- `hooks idle`: watched, no frame due (what most steps cost: one Python call per module);
- `capture, tensor hooks`: a frame step as the SDK makes it — outputs clipped and copied in forward
  hooks, gradients through hooks on those output tensors, then `take` and `encode_frame`;
- `capture, module hooks`: the same frame step with the gradients taken by full backward hooks on every
  module, registered for that step only (the alternative the SDK did not choose).

It prints each mode's time per step, the extra cost of a frame step, and what that extra costs at the
SDK's default 10 frames a second as a share of training time.

Run: python -m bench.sdk_capture [--threads 1]
"""

import argparse
import warnings

import torch
from torch import nn

from app.protocol import encode_frame
from app.sdk.capture import Watcher, clip
from bench._common import best_of, fix_threads, verdict

FPS = 10.0  # connect()'s default
TARGET = 0.05


def lenet_like() -> nn.Sequential:
    """A LeNet-5-shaped network: two conv + pool stages, three linear layers."""
    return nn.Sequential(
        nn.Conv2d(1, 6, 5), nn.Tanh(), nn.AvgPool2d(2),
        nn.Conv2d(6, 16, 5), nn.Tanh(), nn.AvgPool2d(2),
        nn.Flatten(), nn.Linear(400, 120), nn.Tanh(), nn.Linear(120, 84), nn.Tanh(), nn.Linear(84, 10),
    )  # fmt: skip


def step(model: nn.Module, optimizer: torch.optim.Optimizer, x: torch.Tensor, y: torch.Tensor) -> None:
    """One training step."""
    loss = nn.functional.cross_entropy(model(x), y)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()


def module_hook_capture(model: nn.Module, optimizer, x, y) -> None:
    """A frame step whose gradients come from full backward hooks registered for this step only."""
    grads, handles = {}, []
    for name, module in model.named_children():

        def keep(_m, _gin, gout, name=name):
            grads[name] = clip(gout[0]).detach().clone()

        handles.append(module.register_full_backward_hook(keep))
    step(model, optimizer, x, y)
    for handle in handles:
        handle.remove()
    encode_frame({}, {name: g.to(torch.float16).numpy() for name, g in grads.items()})


def measure() -> dict[str, float]:
    """CPU seconds per training step in each mode, the modes taking turns (two copies of one model)."""
    torch.manual_seed(0)
    plain, watched = lenet_like(), lenet_like()
    watched.load_state_dict(plain.state_dict())
    optimizers = {m: torch.optim.SGD(m.parameters(), lr=0.01) for m in (plain, watched)}
    x, y = torch.randn(64, 1, 32, 32), torch.randint(10, (64,))
    due = [False]
    watcher = Watcher(watched, lambda: due[0], lambda: None)

    def captured() -> None:
        due[0] = True
        step(watched, optimizers[watched], x, y)
        due[0] = False
        arrays, norms = watcher.take(torch.float16)
        encode_frame({"grad_norms": norms, "modules": watcher.tree()}, arrays)

    return best_of(
        {
            "plain": lambda: step(plain, optimizers[plain], x, y),
            "hooks idle": lambda: step(watched, optimizers[watched], x, y),
            "capture, tensor hooks": captured,
            "capture, module hooks": lambda: module_hook_capture(plain, optimizers[plain], x, y),
        }
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=1)
    threads = fix_threads(parser.parse_args().threads)
    # The module-hook alternative hooks the first layer, whose input needs no gradient: torch says so.
    warnings.filterwarnings("ignore", "Full backward hook is firing", UserWarning)
    times = measure()
    base = times["plain"]
    print(f"torch {torch.__version__}, {threads} thread(s); CPU ms per training step (batch 64)")
    for name, seconds in times.items():
        print(f"  {name:24s} {seconds * 1e3:7.3f} ms   ×{seconds / base:5.2f}")
    idle = times["hooks idle"] / base - 1
    for mode in ("capture, tensor hooks", "capture, module hooks"):
        extra = times[mode] - times["hooks idle"]
        share = FPS * extra / (1 + FPS * extra)  # of the CPU time of one second of training
        print(f"{mode}: +{extra * 1e3:.3f} ms per frame step; at {FPS:g} frames/s ≈ {share:.1%} of training")
    total = idle + FPS * (times["capture, tensor hooks"] - times["hooks idle"])
    print(f"idle hooks +{idle:.1%} per step; the SDK's total at {FPS:g} frames/s ≈ {total:.1%} "
          f"(target ≤ {TARGET:.0%}): {verdict(total <= TARGET)}")  # fmt: skip


if __name__ == "__main__":
    main()
