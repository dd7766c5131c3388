"""Convolution, pooling and dropout sessions' engines against torch, for many random settings."""

import random

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from client_messages import typed
from safetensors.torch import load

from app.engine.kernels import preset
from app.engine.live.conv import CONV2D, output_side
from app.engine.live.dropout import DROPOUT
from app.engine.live.pool import AVGPOOL2D, MAXPOOL2D
from app.engine.params import ParamError, validate

CPU = torch.device("cpu")


def build(spec, seed=0, controls=None, **config):
    return spec.build(
        spec.validate_config(config), validate(spec.controls, controls or {}, "controls"), seed, CPU
    )


def random_conv_configs(count: int) -> list[dict]:
    rng, configs = random.Random(7), []
    while len(configs) < count:
        c = {
            "height": rng.randint(1, 12),
            "width": rng.randint(1, 12),
            "in_channels": rng.randint(1, 3),
            "out_channels": rng.randint(1, 4),
            "kernel": rng.randint(1, 7),
            "padding": rng.randint(0, 3),
            "stride": rng.randint(1, 4),
            "dilation": rng.randint(1, 3),
            "bias": rng.random() < 0.5,
        }
        span = c["dilation"] * (c["kernel"] - 1) + 1
        if span <= min(c["height"], c["width"]) + 2 * c["padding"]:
            configs.append(c)
    return configs


@pytest.mark.parametrize("config", random_conv_configs(25))
def test_conv_output_equals_f_conv2d_of_the_streamed_input_and_exported_weights(config):
    live = build(CONV2D, seed=3, **config)
    live.handle(typed({"type": "pattern", "name": "random"}))
    _, t = live.frame(False, torch.float32)
    weights = load(live.export_weights())
    expected = F.conv2d(
        torch.from_numpy(t["input"])[None],
        weights["weight"],
        weights.get("bias"),
        stride=config["stride"],
        padding=config["padding"],
        dilation=config["dilation"],
    )[0]
    torch.testing.assert_close(torch.from_numpy(t["output"]), expected)
    torch.testing.assert_close(torch.from_numpy(t["relu"]), expected.relu())
    geometry = [config[k] for k in ("kernel", "padding", "stride", "dilation")]
    sides = [output_side(config[side], *geometry) for side in ("height", "width")]
    assert list(t["output"].shape) == [config["out_channels"], *sides] == live.describe()["output"]


def test_unreached_rows_follow_floor_semantics():
    live = build(CONV2D, height=8, width=7, kernel=3, padding=0, stride=2)
    # padded height 8: windows start at 0, 2, 4 → cover rows 0..6, row 7 is never reached
    assert live.describe()["output"] == [1, 3, 3]
    assert live.describe()["unreached"] == [1, 0]


@pytest.mark.parametrize(
    ("config", "field"),
    [
        ({"height": 3, "width": 3, "kernel": 7, "padding": 0}, "config.kernel"),
        ({"kernel": 3, "dilation": 3, "height": 4, "padding": 0}, "config.kernel"),
        ({"stride": 0}, "config.stride"),
        ({"out_channels": 10_000}, "config.out_channels"),
    ],
)
def test_impossible_convolutions_are_refused_naming_the_field(config, field):
    with pytest.raises(ParamError) as error:
        CONV2D.validate_config(config)
    assert error.value.field == field


def test_presets_and_typed_kernels_reach_the_convolution():
    live = build(CONV2D, out_channels=2, in_channels=2, bias=True)
    live.handle(typed({"type": "kernel", "preset": "sobel_x"}))
    assert torch.equal(live.conv.weight[0, 1], preset("sobel_x", 3))
    weights = torch.arange(36, dtype=torch.float32).reshape(2, 2, 3, 3).tolist()
    live.handle(typed({"type": "kernel", "weight": weights, "bias": [1.5, -2.0], "preset": None}))
    assert live.conv.weight.flatten().tolist() == list(range(36))
    assert live.conv.bias.tolist() == [1.5, -2.0]
    with pytest.raises(ParamError) as error:
        live.handle(typed({"type": "kernel", "weight": [[[[1.0]]]], "preset": None}))
    assert error.value.field == "weight"


def test_typed_and_generated_inputs():
    live = build(CONV2D, height=2, width=3)
    live.handle(typed({"type": "forward", "input": [[1, -2, 3], [4, 5, 6]]}))
    assert live.image.tolist() == [[[1, -2, 3], [4, 5, 6]]]
    live.handle(typed({"type": "pattern", "name": "checkerboard"}))
    assert live.image.tolist() == [[[1, 0, 1], [0, 1, 0]]]
    with pytest.raises(ParamError):
        live.handle(typed({"type": "forward", "input": [[1, 2], [3, 4]]}))


@pytest.mark.parametrize("spec", [MAXPOOL2D, AVGPOOL2D])
@pytest.mark.parametrize("seed", range(6))
def test_pooling_and_its_gradient_equal_torch(spec, seed):
    rng = random.Random(seed)
    f = rng.randint(1, 4)
    config = {"height": rng.randint(4, 10), "width": rng.randint(4, 10), "channels": rng.randint(1, 3)}
    config |= {"kernel": f, "stride": rng.randint(1, 3), "padding": rng.randint(0, f // 2)}
    live = build(spec, seed=seed, **config)
    live.handle(typed({"type": "pattern", "name": "random"}))
    live.handle(typed({"type": "upstream", "source": "random"}))
    _, t = live.frame(False, torch.float32)
    x = torch.from_numpy(t["input"]).clone().requires_grad_(True)
    pool = F.max_pool2d if spec is MAXPOOL2D else F.avg_pool2d
    out = pool(x[None], config["kernel"], config["stride"], config["padding"])[0]
    out.backward(torch.from_numpy(t["output.grad"]))
    torch.testing.assert_close(torch.from_numpy(t["output"]), out.detach())
    torch.testing.assert_close(torch.from_numpy(t["input.grad"]), x.grad)


def test_max_pooling_routes_the_gradient_to_the_argmax_only():
    live = build(MAXPOOL2D, height=4, width=4, kernel=2, stride=2)
    live.handle(typed({"type": "forward", "input": [[1, 9, 0, 0], [2, 3, 0, 7], [5, 5, 1, 1], [4, 6, 2, 8]]}))
    _, t = live.frame(False, torch.float32)
    assert t["output"].tolist() == [[[9, 7], [6, 8]]]
    assert t["argmax"].tolist() == [[[1, 7], [13, 15]]]
    assert t["input.grad"].tolist() == [[[0, 1, 0, 0], [0, 0, 0, 1], [0, 0, 0, 0], [0, 1, 0, 1]]]
    avg = build(AVGPOOL2D, height=4, width=4, kernel=2, stride=2)
    _, a = avg.frame(False, torch.float32)
    assert np.all(a["input.grad"] == 0.25)


def test_pooling_padding_over_half_the_window_is_refused():
    with pytest.raises(ParamError) as error:
        MAXPOOL2D.validate_config({"kernel": 2, "padding": 2})
    assert error.value.field == "config.padding"


def test_dropout_zeroes_and_rescales_in_train_mode_and_is_identity_in_eval():
    live = build(DROPOUT, controls={"p": 0.25})
    live.handle(typed({"type": "pattern", "name": "random"}))
    header, t = live.frame(False, torch.float32)
    np.testing.assert_allclose(t["output"], t["input"] * t["mask"] / 0.75, rtol=1e-6)
    with torch.random.fork_rng():
        torch.manual_seed(live.mask_seed)
        expected = torch.nn.functional.dropout(torch.from_numpy(t["input"]), 0.25, training=True)
    np.testing.assert_array_equal(t["output"], expected.numpy())
    assert abs(header["mean_over_masks"] - header["mean_input"]) < 0.05 * header["mean_input"] + 0.01
    live.set_controls({"train": False})
    header, t = live.frame(False, torch.float32)
    assert header["mode"] == "eval"
    np.testing.assert_array_equal(t["output"], t["input"])
    assert t["mask"].all()


def test_dropout_resample_draws_a_new_mask():
    live = build(DROPOUT)
    _, first = live.frame(False, torch.float32)
    _, again = live.frame(False, torch.float32)
    live.handle(typed({"type": "resample"}))
    _, other = live.frame(False, torch.float32)
    np.testing.assert_array_equal(first["mask"], again["mask"])
    assert (first["mask"] != other["mask"]).any()
