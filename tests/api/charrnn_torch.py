"""A char-RNN session's weights rerun in torch here, to hold its frames (and the page) against."""

import httpx
import torch
import torch.nn.functional as F
from safetensors.torch import load

from app.engine.models.charrnn import CharRNN, CharRNNConfig


def rerun(
    base: str, session: dict, prompt: str, text: str, temperature: float
) -> tuple[torch.Tensor, torch.Tensor]:
    """The session's current weights in a CharRNN (vocabulary: the session info's): softmax(logits / T)
    before each character of ``text`` after ``prompt``, (L, V), and the top layer's hidden state after
    each, (H, L)."""
    weights = load(httpx.get(f"{base}/api/sessions/{session['id']}/weights", timeout=30).content)
    vocab = session["corpus"]["chars"]
    config = session["config"]
    arch = CharRNNConfig(len(vocab), config["cell"], config["layers"], config["hidden"], config["embedding"])
    model = CharRNN(arch)
    model.load_state_dict(weights)
    ids = torch.tensor([[vocab.index(c) for c in prompt + text]])
    with torch.no_grad():
        logits, hidden, _ = model.eval()(ids)  # (1, P + L, V), (1, P + L, H)
    probs = F.softmax(logits[0, len(prompt) - 1 : -1] / temperature, dim=-1)
    return probs, hidden[0, len(prompt) :].T
