"""The char-RNN by hand against torch: BPTT gradients equal autograd's, Adagrad equals torch.optim.Adagrad,
and the live model learns, checks itself every frame and shows the source that runs."""

import inspect

import pytest
import torch
import torch.nn.functional as F

from app.engine.live.handrnn import HANDRNN, HandRnnLive
from app.engine.live.weights import import_weights
from app.engine.models import handrnn as hand
from app.engine.params import ParamError, validate

CPU = torch.device("cpu")


def make_live(config: dict | None = None, controls: dict | None = None) -> HandRnnLive:
    """A live hand-written RNN built as a session builds it."""
    return HANDRNN.build(
        HANDRNN.validate_config(config or {}), validate(HANDRNN.controls, controls or {}, "controls"), 0, CPU
    )


def random_case(vocab: int = 7, hidden: int = 5, steps: int = 9) -> tuple:
    """Weights large enough for tanh to bend, a random chunk and a random state carried in (float64)."""
    g = torch.Generator().manual_seed(3)
    params = {name: p * 50 for name, p in hand.init_params(vocab, hidden, g, torch.float64).items()}
    params["b_h"] = torch.randn(hidden, generator=g, dtype=torch.float64)
    params["b_y"] = torch.randn(vocab, generator=g, dtype=torch.float64)
    ids = torch.randint(vocab, (steps + 1,), generator=g).tolist()
    h_prev = torch.randn(hidden, generator=g, dtype=torch.float64).tanh()
    return params, ids[:-1], ids[1:], h_prev


def test_forward_loss_is_torch_cross_entropy_of_the_same_loop():
    params, inputs, targets, h_prev = random_case()
    run = hand.forward(params, inputs, targets, h_prev)
    h, logits = h_prev, []
    for x in inputs:
        h = torch.tanh(
            params["W_xh"] @ F.one_hot(torch.tensor(x), 7).double() + params["W_hh"] @ h + params["b_h"]
        )
        logits.append(params["W_hy"] @ h + params["b_y"])
    expected = F.cross_entropy(torch.stack(logits), torch.tensor(targets), reduction="sum")
    torch.testing.assert_close(run.loss, expected, rtol=0, atol=1e-12)
    torch.testing.assert_close(run.hs[-1], h, rtol=0, atol=1e-12)


def test_hand_written_bptt_equals_autograd_in_float64():
    params, inputs, targets, h_prev = random_case()
    mine = hand.backward(params, hand.forward(params, inputs, targets, h_prev), inputs, targets)
    leaves = {name: p.clone().requires_grad_(True) for name, p in params.items()}
    hand.forward(leaves, inputs, targets, h_prev).loss.backward()
    for name in hand.NAMES:
        assert mine[name].abs().max() > 1e-3, name  # a real gradient, not zeros on both sides
        torch.testing.assert_close(mine[name], leaves[name].grad, rtol=0, atol=1e-12)


def test_adagrad_step_equals_torch_optim_adagrad():
    params, inputs, targets, h_prev = random_case()
    grads = hand.clip(hand.backward(params, hand.forward(params, inputs, targets, h_prev), inputs, targets))
    theirs = [params[name].clone().requires_grad_(True) for name in hand.NAMES]
    optimizer = torch.optim.Adagrad(theirs, lr=0.1, eps=hand.EPS)
    memory = {name: torch.zeros_like(p) for name, p in params.items()}
    mine = {name: p.clone() for name, p in params.items()}
    for _ in range(3):  # the memory carries over steps
        hand.adagrad(mine, grads, memory, 0.1)
        for tensor, name in zip(theirs, hand.NAMES, strict=True):
            tensor.grad = grads[name].clone()
        optimizer.step()
    for tensor, name in zip(theirs, hand.NAMES, strict=True):
        torch.testing.assert_close(mine[name], tensor.detach(), rtol=0, atol=1e-12)


def test_clip_bounds_every_entry():
    clipped = hand.clip({"g": torch.tensor([-9.0, 0.5, 7.0])})
    assert clipped["g"].tolist() == [-5.0, 0.5, 5.0]


def test_live_model_learns_and_its_frame_checks_gradients_against_autograd():
    live = make_live({"hidden": 32})
    first = live.evaluate().loss
    for _ in range(150):
        live.train_step()
    assert live.evaluate().loss < first - 0.5
    header, tensors = live.frame(False, torch.float32)
    chunk = header["chunk"]
    assert len(chunk["inputs"]) == len(chunk["targets"]) == 25
    assert chunk["inputs"][1:] == chunk["targets"][:-1]
    assert 0 <= chunk["check"]["max_abs_error"] < 1e-12
    assert set(chunk["grad_norms"]) == set(hand.NAMES)
    assert tensors["h"].shape == (26, 32)
    assert tensors["p_target"].shape == (25,)
    assert isinstance(header["sample"], str)
    assert len(header["sample"]) == 200


def test_describe_sends_the_source_that_runs():
    code = make_live().describe()["code"]
    assert [c["name"] for c in code] == ["forward", "backward", "clip", "adagrad"]
    assert code[1]["source"] == inspect.getsource(hand.backward)
    assert 'dh_next = params["W_hh"].T @ dh_raw' in code[1]["source"]


def test_a_fork_carries_the_weights_and_adagrads_memory():
    live = make_live({"hidden": 16})
    for _ in range(5):
        live.train_step()
    other = make_live({"hidden": 16})
    import_weights(other, live.export_weights())
    for name in hand.NAMES:
        assert torch.equal(other.params[name], live.params[name])
        assert torch.equal(other.memory[name], live.memory[name])
    with pytest.raises(ParamError) as err:
        import_weights(make_live({"hidden": 8}), live.export_weights())
    assert err.value.field == "weights"
