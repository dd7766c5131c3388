"""Stream your own PyTorch model to nnlive — a notebook-style example (run it as a script, or cell by cell
in Jupyter: each ``# %%`` starts a cell).

    python docs/sdk_example.py

It starts an nnlive server inside this process, prints the /inspect link to open, trains a small CNN on
synthetic images for a few seconds while streaming its activations, gradients and loss, and ends.
"""

# %% A model of your own: nnlive knows nothing about it.
import torch
from torch import nn

import nnlive

torch.manual_seed(0)
model = nn.Sequential(
    nn.Conv2d(1, 8, 3, padding=1),
    nn.ReLU(),
    nn.MaxPool2d(2),
    nn.Flatten(),
    nn.Linear(8 * 8 * 8, 2),
)
optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)


def batch(size: int = 32) -> tuple[torch.Tensor, torch.Tensor]:
    """Noisy 16×16 images: class 1 has a bright square in the middle, class 0 does not."""
    y = torch.randint(2, (size,))
    x = 0.3 * torch.randn(size, 1, 16, 16)
    x[y == 1, :, 5:11, 5:11] += 1.0
    return x, y


# %% Connect: with no URL, a server starts in this process and the link to open is printed.
run = nnlive.connect(run="sdk_example")  # nnlive.connect("http://host:8000", run=...): a running server
run.watch(model, exclude=["3"])  # every named module but the Flatten
# In Jupyter, `run.show()` (or a cell ending in `run`) shows the live /inspect view inline.

# %% Train: log whatever scalars you like; frames go out at most `fps` times a second.
losses = []
for step in range(80):
    x, y = batch()
    logits = model(x)
    loss = nn.functional.cross_entropy(logits, y)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    run.log(step=step, loss=loss, acc=(logits.argmax(1) == y).float().mean())
    losses.append(loss.item())

# %% Done: close() sends the last frame, removes the hooks and stops the embedded server.
run.close()
print(f"loss {losses[0]:.3f} → {losses[-1]:.3f}; frames sent: {run.sent}")
