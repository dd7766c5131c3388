"""The long-memory task and its sessions: data, ‖∂L/∂h_t‖ against autograd through nn.RNNCell/LSTMCell."""

import pytest
import torch
import torch.nn.functional as F
from safetensors.torch import load
from torch import nn

from app.engine.data.memory import DISTRACTORS, memory_task
from app.engine.live.memory import LENGTHS, MEMORY
from app.engine.models.lstm import FORGET_BIAS
from app.engine.params import ParamError, validate

CPU = torch.device("cpu")


def build(seed=0, controls=None, **config):
    return MEMORY.build(
        MEMORY.validate_config(config), validate(MEMORY.controls, controls or {}, "controls"), seed, CPU
    )


def test_task_labels_are_first_symbols_followed_by_distractors_and_seeded():
    x, y = memory_task(50, 9, 3, seed=4)
    assert x.shape == (50, 9)
    assert int(x[:, 0].max()) < 3
    assert int(x[:, 1:].min()) >= 3
    assert int(x[:, 1:].max()) < 3 + DISTRACTORS
    assert torch.equal(y, x[:, 0].long())
    assert torch.equal(memory_task(50, 9, 3, seed=4)[0], x)


def cell_reference(live, cell: str) -> torch.Tensor:
    """‖∂L/∂h_t‖ with a Python loop of nn.RNNCell / nn.LSTMCell holding the exported weights."""
    w = load(live.export_weights())
    hidden = w["rnn.weight_hh_l0"].shape[1]
    step = (nn.RNNCell if cell == "rnn" else nn.LSTMCell)(w["embedding.weight"].shape[1], hidden)
    step.load_state_dict(
        {k.removeprefix("rnn.").removesuffix("_l0"): v for k, v in w.items() if k.startswith("rnn.")}
    )
    x, y = live._probe
    e = w["embedding.weight"][x.long()]  # (B, T, E)
    state, hs = None, []
    for t in range(x.shape[1]):
        state = step(e[:, t], state)
        h = state if cell == "rnn" else state[0]
        hs.append(h)
    logits = h @ w["readout.weight"].T + w["readout.bias"]
    return torch.stack([g.norm() for g in torch.autograd.grad(F.cross_entropy(logits, y), hs)])


@pytest.mark.parametrize("cell", ["rnn", "lstm"])
def test_grad_norm_at_every_step_matches_autograd_through_cells(cell):
    live = build(cell=cell, T=12, hidden=5, symbols=3)
    live.train_step()
    fields, t = live.frame(False, torch.float32)
    expected = cell_reference(live, cell)
    assert t["grad_norm"].shape == (12,)
    assert torch.allclose(torch.from_numpy(t["grad_norm"]), expected, rtol=1e-4, atol=1e-9)
    assert fields == {"cell": cell, "T": 12}


def test_unrolled_forward_equals_the_module():
    live = build(cell="lstm", T=8)
    x, _ = live._probe
    logits, hs = live.model.unroll(x)
    assert len(hs) == 8
    assert (logits - live.model(x)).abs().max() < 1e-5


def test_accuracy_by_length_and_training_metrics_are_real():
    live = build(cell="rnn", T=5, controls={"lr": 0.01})
    for _ in range(3):
        live.train_step()
    running = live.take_running()
    _, t = live.frame(False, torch.float32)
    assert list(t["lengths"]) == list(LENGTHS)
    with torch.no_grad():
        expected = [(live.model(x).argmax(1) == y).float().mean() for x, y in live._by_length]
    assert torch.allclose(torch.from_numpy(t["acc_by_length"]), torch.stack(expected))
    assert running is not None
    assert running.loss > 0
    metrics = live.evaluate()
    with torch.no_grad():
        vx, vy = live.trainer.val_x, live.trainer.val_y
        assert metrics.loss == pytest.approx(F.cross_entropy(live.model(vx), vy).item(), rel=1e-5)


def test_reset_restores_initial_weights():
    live = build(cell="lstm", T=6)
    before = load(live.export_weights())
    live.train_step()
    live.reset()
    after = load(live.export_weights())
    assert all(torch.equal(before[k], after[k]) for k in before)


def test_config_bounds_name_the_field():
    with pytest.raises(ParamError) as caught:
        MEMORY.validate_config({"T": 201})
    assert caught.value.field == "config.T"
    with pytest.raises(ParamError) as caught:
        MEMORY.validate_config({"cell": "gru"})
    assert caught.value.field == "config.cell"


def test_the_lstm_starts_with_its_forget_gate_open():
    rnn = build(cell="lstm", hidden=5).model.rnn
    assert torch.equal(rnn.bias_ih_l0[5:10] + rnn.bias_hh_l0[5:10], torch.full((5,), FORGET_BIAS))


def test_at_the_default_length_the_lstm_remembers_where_the_rnn_cannot():
    """The lesson of the page, seeded: after the same 300 steps with the default settings (T = 50) the LSTM
    recalls the first symbol and the RNN is still near chance (1/4)."""
    torch.set_num_threads(1)  # as the seq2seq training test: two threads on a shared machine only spin
    accuracy = {}
    for cell in ("rnn", "lstm"):
        live = build(cell=cell)
        for _ in range(300):
            live.train_step()
        accuracy[cell] = live.evaluate().acc
    assert accuracy["lstm"] >= 0.95
    assert accuracy["rnn"] <= 0.4
