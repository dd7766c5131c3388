"""/backprop's hand-written backward pass against torch.autograd, and its SGD step."""

import math

import pytest
import torch
from client_messages import typed

from app.engine.live.backprop import BACKPROP, BackpropLive
from app.engine.models.backprop import ACTIVATIONS, DTYPE, autograd_grads, backward, forward, init_net
from app.engine.params import ParamError
from app.protocol.messages import MessageError

CASES = [
    (seed, activation, loss) for seed in range(6) for activation in ACTIVATIONS for loss in ("mse", "bce")
]


@pytest.mark.parametrize(("seed", "activation", "loss"), CASES)
def test_hand_backward_equals_autograd(seed: int, activation: str, loss: str) -> None:
    generator = torch.Generator().manual_seed(seed)
    depth = int(torch.randint(2, 6, (), generator=generator))
    sizes = torch.randint(1, 7, (depth,), generator=generator).tolist()
    batch = int(torch.randint(1, 6, (), generator=generator))
    output = "sigmoid" if loss == "bce" or seed % 2 else "identity"
    net = init_net(sizes, activation, output, generator)
    x = torch.randn(batch, sizes[0], generator=generator, dtype=DTYPE) * 2
    y = torch.rand(batch, sizes[-1], generator=generator, dtype=DTYPE)
    fwd = forward(net, x, y, loss)
    hand, auto = backward(net, fwd, y, loss), autograd_grads(net, x, y, loss)
    for name in ("da", "dz", "dw", "db"):
        for layer, (h, a) in enumerate(zip(getattr(hand, name), getattr(auto, name), strict=True)):
            assert h.shape == a.shape
            assert (h - a).abs().max() <= 1e-6, f"{name} layer {layer + 1} ({sizes}, {activation}, {loss})"


def build(**config) -> BackpropLive:
    full = BACKPROP.validate_config(config)
    return BACKPROP.build(full, {"lr": 0.5}, 3, torch.device("cpu"))


def test_step_is_w_minus_lr_dw() -> None:
    live = build(sizes=[3, 4, 2], activation="tanh", loss="mse", output="identity")
    live.handle(typed({"type": "forward", "input": [[0.5, -1, 2], [1, 0, -0.5]], "target": [[1, 0], [0, 1]]}))
    fields, before = live.frame(False, torch.float32)
    live.train_step()
    _, after = live.frame(False, torch.float32)
    for layer in (1, 2):
        for w in ("W", "b"):
            want = before[f"{w}.l{layer}"] - 0.5 * before[f"d{w}.l{layer}"]
            assert abs(after[f"{w}.l{layer}"] - want).max() < 1e-6
    assert fields["max_error"] < 1e-9
    assert after["z.l1"].shape == (2, 4)
    assert after["dz.l2"].shape == (2, 2)
    assert abs(live.evaluate().loss - fields["loss_next"]) < 1e-9


@pytest.mark.parametrize(
    ("config", "field"),
    [
        ({"sizes": [2]}, "config.sizes"),
        ({"sizes": [2, 3, 3, 3, 3, 1]}, "config.sizes"),
        ({"sizes": [2, 7, 1]}, "config.sizes[1]"),
        ({"sizes": [2, 0.5, 1]}, "config.sizes[1]"),
        ({"sizes": "2,1"}, "config.sizes"),
        ({"loss": "bce", "output": "identity"}, "config.output"),
    ],
)
def test_bad_config_names_the_field(config: dict, field: str) -> None:
    with pytest.raises(ParamError) as caught:
        BACKPROP.validate_config(config)
    assert caught.value.field == field


@pytest.mark.parametrize(
    ("message", "field"),
    [
        ({"input": [[1, 2, 3]], "target": [[1]]}, "input"),
        ({"input": [[1, 2], [3]], "target": [[1], [0]]}, "input"),
        ({"input": [[1, 2]]}, "target"),
        ({"input": [[1, 2]], "target": [[1], [0]]}, "target"),
        ({"input": [[1, 2]], "target": [[2]]}, "target"),
    ],
)
def test_bad_batch_names_the_field(message: dict, field: str) -> None:
    live = build(loss="bce")
    with pytest.raises((ParamError, MessageError)) as caught:  # refused by the model or by the schema
        live.handle(typed({"type": "forward", **message}))
    assert caught.value.field == field


def test_an_overflowing_update_is_refused_naming_lr() -> None:
    live = build(sizes=[1, 1], activation="identity", output="identity", loss="mse")
    live.handle(typed({"type": "forward", "input": [[1000]], "target": [[-1000]]}))
    live.set_controls({"lr": 10.0})

    def train_on() -> None:
        for _ in range(400):
            live.train_step()

    with pytest.raises(ParamError) as caught:
        train_on()
    assert caught.value.field == "lr"
    fields, _ = live.frame(False, torch.float32)
    assert math.isfinite(fields["loss"])
    assert fields["loss_next"] is None or math.isfinite(fields["loss_next"])
