"""The LSTM gates page's engine: gates recomputed from the exported weights against nn.LSTM itself."""

import pytest
import torch
from client_messages import typed
from safetensors.torch import load
from torch import nn

from app.engine.live.lstm import LSTM, MAX_LENGTH, VOCAB
from app.engine.models.lstm import cell_states, lstm_gates
from app.engine.params import ParamError, validate

CPU = torch.device("cpu")


def build(seed=0, **config):
    return LSTM.build(LSTM.validate_config(config), validate(LSTM.controls, {}, "controls"), seed, CPU)


def reference(weights: dict, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """A fresh nn.LSTM loaded with the exported weights, run on x (T, E): its h (T, H) and every c_t."""
    hidden = weights["lstm.weight_hh_l0"].shape[1]
    lstm = nn.LSTM(x.shape[1], hidden)
    lstm.load_state_dict({k.removeprefix("lstm."): v for k, v in weights.items() if k.startswith("lstm.")})
    with torch.no_grad():
        h, cs, state = [], [], None
        for x_t in x:  # one step at a time, so every c_t of nn.LSTM itself is seen
            out, state = lstm(x_t[None], state)
            h.append(out[0])
            cs.append(state[1][0])
    return torch.stack(h), torch.stack(cs)


@pytest.mark.parametrize(
    ("embedding", "hidden", "text"), [(4, 6, "hello world"), (1, 1, "a"), (16, 16, "x" * 40)]
)
def test_gates_from_exported_weights_reproduce_nn_lstm(embedding, hidden, text):
    live = build(seed=3, embedding=embedding, hidden=hidden)
    live.handle(typed({"type": "text", "text": text, "purpose": "input"}))
    fields, t = live.frame(False, torch.float32)
    weights = load(live.export_weights())
    x = weights["embedding.weight"][[VOCAB.index(ch) for ch in text]]  # (T, E)
    assert torch.allclose(torch.from_numpy(t["x"]), x)
    h, c = reference(weights, x)
    assert (torch.from_numpy(t["h"]) - h).abs().max() < 1e-5
    assert (torch.from_numpy(t["c"]) - c).abs().max() < 1e-5
    # the gates themselves, from the weights by the textbook formulas
    w_ih, w_hh = weights["lstm.weight_ih_l0"], weights["lstm.weight_hh_l0"]
    b = weights["lstm.bias_ih_l0"] + weights["lstm.bias_hh_l0"]
    h_prev = torch.cat([torch.zeros(1, hidden), h[:-1]])
    z = x @ w_ih.T + h_prev @ w_hh.T + b
    for k, (name, act) in enumerate(
        zip("ifgo", (torch.sigmoid, torch.sigmoid, torch.tanh, torch.sigmoid), strict=True)
    ):
        expected = act(z[:, k * hidden : (k + 1) * hidden])
        assert (torch.from_numpy(t[name]) - expected).abs().max() < 1e-5, name
    assert t["f"].shape == (len(text), hidden)
    assert fields["tokens"] == text
    assert 0 <= fields["max_diff_h"] < 1e-5
    assert 0 <= fields["max_diff_c"] < 1e-5


def test_gates_match_nn_lstm_on_typed_numbers():
    live = build(seed=1, embedding=3, hidden=5)
    x = torch.randn(7, 3, generator=torch.Generator().manual_seed(0))
    live.handle(typed({"type": "forward", "input": x.tolist()}))
    fields, t = live.frame(False, torch.float32)
    h, c = reference(load(live.export_weights()), x)
    assert (torch.from_numpy(t["h"]) - h).abs().max() < 1e-5
    assert (torch.from_numpy(t["c"]) - c).abs().max() < 1e-5
    assert fields["tokens"] is None


def test_recomputation_matches_a_batched_lstm_with_random_weights():
    torch.manual_seed(5)
    lstm = nn.LSTM(5, 8)
    x = torch.randn(30, 5)
    with torch.no_grad():
        out, (_, c_n) = lstm(x)
        gates = lstm_gates(lstm, x, out)
    assert (gates["h"] - out).abs().max() < 1e-5
    assert (gates["c"][-1] - c_n[0]).abs().max() < 1e-5
    assert torch.allclose(gates["pre"], gates["pre.x"] + gates["pre.h"] + gates["bias"])


@pytest.mark.parametrize(
    ("message", "field"),
    [
        ({"type": "text", "text": "", "purpose": "input"}, "text"),
        ({"type": "text", "text": "y" * (MAX_LENGTH + 1), "purpose": "input"}, "text"),
        ({"type": "text", "text": "héllo", "purpose": "input"}, "text"),
        ({"type": "text", "text": "corpus", "purpose": "corpus"}, "purpose"),
        ({"type": "forward", "input": [[1.0, 2.0]]}, "input"),
        ({"type": "forward", "input": [[1e6, 0, 0, 0]]}, "input"),
    ],
)
def test_bad_sequences_are_refused_naming_the_field(message, field):
    live = build()
    with pytest.raises(ParamError) as caught:
        live.handle(typed(message))
    assert caught.value.field == field
    assert live.frame(False, torch.float32)[0]["tokens"] == "hello world"  # the old sequence stays


def test_random_pattern_is_seeded_and_reset_restores_the_default():
    a, b = build(seed=2), build(seed=2)
    for live in (a, b):
        live.handle(typed({"type": "pattern", "name": "random"}))
    assert a.frame(False, torch.float32)[0]["tokens"] == b.frame(False, torch.float32)[0]["tokens"]
    a.reset()
    assert a.frame(False, torch.float32)[0]["tokens"] == "hello world"


def test_catalog_names_the_gate_tensors_and_the_weights():
    entry = LSTM.describe()
    assert {"f", "i", "g", "o", "c", "h"} <= set(entry["tensors"])
    assert {"lstm.weight_ih_l0", "lstm.weight_hh_l0", "lstm.bias_ih_l0", "lstm.bias_hh_l0"} <= set(
        entry["tensors"]
    )
    _, t = build().frame(False, torch.float32)
    assert set(t) == set(entry["tensors"])


@pytest.mark.parametrize("steps", [1, 2, 3, 7, 8, 33, 80])
def test_cell_states_scan_equals_the_recurrence_step_by_step(steps):
    generator = torch.Generator().manual_seed(steps)
    f, u = torch.rand(steps, 5, generator=generator), torch.randn(steps, 5, generator=generator)
    c, expected = torch.zeros(5), []
    for t in range(steps):
        c = f[t] * c + u[t]
        expected.append(c)
    assert (cell_states(f, u) - torch.stack(expected)).abs().max() < 1e-5
