"""nn.RNN against the hand-written loop, and the /rnn session's engine against torch run here."""

import math
import random

import pytest
import torch
from client_messages import typed
from safetensors.torch import load
from torch import nn

from app.engine.live.rnn import RNN
from app.engine.models.rnn import make_rnn, manual_rnn
from app.engine.params import ParamError, validate

CPU = torch.device("cpu")


def build(seed=0, controls=None, **config):
    return RNN.build(
        RNN.validate_config(config), validate(RNN.controls, controls or {}, "controls"), seed, CPU
    )


def random_settings(count: int) -> list[dict]:
    rng = random.Random(3)
    return [
        {
            "input_size": rng.randint(1, 8),
            "hidden_size": rng.randint(1, 16),
            "num_layers": rng.randint(1, 3),
            "nonlinearity": rng.choice(["tanh", "relu"]),
            "bias": rng.random() < 0.7,
            "batch_first": rng.random() < 0.5,
            "dropout": rng.choice([0.0, 0.4]),
            "bidirectional": rng.random() < 0.5,
            "train": rng.random() < 0.5,
            "seq_len": rng.randint(1, 8),
            "batch": rng.randint(1, 4),
        }
        for _ in range(count)
    ]


@pytest.mark.parametrize("s", random_settings(40))
def test_the_loop_equals_nn_rnn_for_random_settings(s: dict) -> None:
    torch.manual_seed(0)
    rnn = make_rnn(s)
    rnn.train(s["train"])
    b, t = s["batch"], s["seq_len"]
    x = torch.randn((b, t, s["input_size"]) if s["batch_first"] else (t, b, s["input_size"]))
    h0 = torch.randn(rnn.num_layers * (2 if s["bidirectional"] else 1), b, s["hidden_size"])
    with torch.no_grad():
        torch.manual_seed(11)
        output, h_n = rnn(x, h0)
        torch.manual_seed(11)
        manual = manual_rnn(rnn, x, h0)
    torch.testing.assert_close(manual.output, output, atol=1e-6, rtol=0)
    torch.testing.assert_close(manual.h_n, h_n, atol=1e-6, rtol=0)


def test_the_loop_is_the_formula_step_by_step() -> None:
    torch.manual_seed(1)
    rnn = nn.RNN(2, 3, nonlinearity="relu")
    x = torch.randn(4, 1, 2)  # (T, B, I)
    with torch.no_grad():
        h = torch.zeros(1, 3)
        for t in range(4):
            h = torch.relu(
                rnn.weight_ih_l0 @ x[t, 0] + rnn.bias_ih_l0 + rnn.weight_hh_l0 @ h[0] + rnn.bias_hh_l0
            )[None]
            torch.testing.assert_close(manual_rnn(rnn, x).hidden[0][t], h, atol=1e-6, rtol=0)


def test_frame_carries_nn_rnn_the_loop_every_layer_and_the_weights() -> None:
    live = build(num_layers=2, bidirectional=True, batch_first=True, batch=2, seq_len=5, hidden_size=3)
    fields, t = live.frame(False, torch.float32)
    x = torch.from_numpy(t["input"])
    assert x.shape == (2, 5, 3)  # (B, T, I)
    with torch.no_grad():
        output, h_n = live.rnn(x)
    torch.testing.assert_close(torch.from_numpy(t["output"]), output)
    torch.testing.assert_close(torch.from_numpy(t["h_n"]), h_n)
    assert t["h.l0"].shape == t["h.l1"].shape == (5, 2, 6)  # (T, B, D·H), forward then reverse
    torch.testing.assert_close(torch.from_numpy(t["h.l1"]), output.transpose(0, 1), atol=1e-6, rtol=0)
    torch.testing.assert_close(torch.from_numpy(t["x.l1"]), torch.from_numpy(t["h.l0"]))  # eval: no dropout
    torch.testing.assert_close(
        torch.from_numpy(t["h_n"][1]), torch.from_numpy(t["h.l0"][0, :, 3:])
    )  # reverse
    for name, parameter in live.rnn.named_parameters():
        torch.testing.assert_close(torch.from_numpy(t[name]), parameter.detach())
    gap = max(
        (torch.from_numpy(t["manual.output"]) - output).abs().max(),
        (torch.from_numpy(t["manual.h_n"]) - h_n).abs().max(),
    )
    assert fields["max_diff"] == pytest.approx(float(gap), abs=1e-9)
    assert fields["max_diff"] < 1e-6
    assert (fields["mode"], fields["dropout_active"]) == ("eval", False)


def test_train_mode_drops_between_layers_and_resample_draws_new_masks() -> None:
    live = build(controls={"train": True}, num_layers=2, dropout=0.5, hidden_size=8, seq_len=8, batch=4)
    fields, t = live.frame(False, torch.float32)
    below, seen = torch.from_numpy(t["h.l0"]), torch.from_numpy(t["x.l1"])
    assert fields["dropout_active"]
    assert fields["max_diff"] < 1e-6
    dropped = seen == 0
    assert dropped.any()
    torch.testing.assert_close(seen[~dropped], below[~dropped] * 2)  # kept units scaled by 1/(1 − p)
    again = live.frame(False, torch.float32)[1]
    torch.testing.assert_close(torch.from_numpy(again["x.l1"]), seen)  # same masks until resampled
    live.handle(typed({"type": "resample"}))
    assert not torch.equal(torch.from_numpy(live.frame(False, torch.float32)[1]["x.l1"]), seen)


def test_typed_input_in_either_layout_and_patterns() -> None:
    time_major = build(seq_len=3, batch=2, input_size=1)
    rows = [[[1.0], [2.0]], [[3.0], [4.0]], [[5.0], [6.0]]]  # (T, B, I)
    time_major.handle(typed({"type": "forward", "input": rows}))
    assert time_major.frame(False, torch.float32)[1]["input"].tolist() == rows
    with pytest.raises(ParamError, match=r"shape \[3, 2, 1\]") as refused:
        time_major.handle(typed({"type": "forward", "input": [[[1.0], [2.0], [3.0]], [[4.0], [5.0], [6.0]]]}))
    assert refused.value.field == "input"
    batch_first = build(seq_len=4, batch=1, input_size=2, batch_first=True)
    batch_first.handle(typed({"type": "pattern", "name": "checkerboard"}))
    x = batch_first.frame(False, torch.float32)[1]["input"]
    assert x.tolist() == [[[1, -1], [-1, 1], [1, -1], [-1, 1]]]


def test_a_sine_sample_has_index_plus_one_periods_and_too_many_are_refused() -> None:
    live = build(seq_len=8, batch=2, input_size=2)  # time-major (T, B, I)
    live.handle(typed({"type": "sample", "split": "val", "index": 1}))
    x = live.frame(False, torch.float32)[1]["input"]
    for t, b, i in ((0, 0, 0), (1, 0, 0), (3, 1, 1), (6, 1, 0)):
        expected = math.sin(2 * math.pi * 2 * t / 8 + math.pi * i / 2 + math.pi * b / 4)
        assert x[t, b, i] == pytest.approx(expected, abs=0.005)
    with pytest.raises(ParamError, match=r"0\.\.7") as refused:
        live.handle(typed({"type": "sample", "split": "val", "index": 8}))
    assert refused.value.field == "index"


@pytest.mark.parametrize(
    ("config", "field"),
    [({"hidden_size": 100_000}, "config.hidden_size"), ({"seq_len": 100_000}, "config.seq_len")],
)
def test_sizes_too_large_to_draw_are_refused_naming_the_field(config: dict, field: str) -> None:
    with pytest.raises(ParamError, match="at most") as refused:
        RNN.validate_config(config)
    assert refused.value.field == field


def test_same_seed_same_weights_and_export() -> None:
    a, b = build(seed=4), build(seed=4)
    weights = load(a.export_weights())
    assert weights.keys() == dict(b.rnn.named_parameters()).keys()
    for name, value in b.rnn.named_parameters():
        torch.testing.assert_close(weights[name], value.detach())
