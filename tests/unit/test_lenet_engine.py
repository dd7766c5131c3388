"""LeNet-5's live engine against plain torch: shapes, captured activations, gradients, training."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from sklearn.datasets import load_digits

from app.engine.data.digits import SPLIT_SEED, load_digits_32, preprocess_drawing
from app.engine.live.lenet import HEAD_TENSORS, LENET, LeNetLive, cross_entropy_grad
from app.engine.models.lenet import LAYER_NAMES, LeNet5, LeNetConfig, describe_layers
from app.engine.params import ParamError, validate

CPU = torch.device("cpu")


def make_live(seed: int = 0, **config) -> LeNetLive:
    controls = validate(LENET.controls, {}, "controls")
    return LeNetLive(validate(LENET.config, config, "config"), controls, seed, CPU)


def layer_by_layer(model: LeNet5, x: torch.Tensor) -> dict[str, torch.Tensor]:
    outputs = {}
    for name in LAYER_NAMES:
        x = outputs[name] = getattr(model, name)(x)
    return outputs


def test_classic_shapes_and_size_formula():
    layers = {entry["name"]: entry for entry in describe_layers(LeNet5(LeNetConfig()))}
    assert [layers[n]["out"] for n in LAYER_NAMES] == [
        [6, 28, 28],
        [6, 14, 14],
        [16, 10, 10],
        [16, 5, 5],
        [120],
        [84],
        [10],
    ]
    for entry in layers.values():
        if entry["kind"] in ("conv", "pool"):
            n, f, p, s = entry["in"][-1], entry["kernel"], entry["padding"], entry["stride"]
            side = entry["out"][-1] if len(entry["out"]) == 3 else 1  # C5's 120@1×1 is flattened
            assert side == (n - f + 2 * p) // s + 1


@pytest.mark.parametrize("config", [{}, {"activation": "relu", "pooling": "max"}, {"activation": "sigmoid"}])
def test_frame_activations_equal_a_plain_forward(config):
    live = make_live(**config)
    live.set_sample("val", 7)
    _, tensors = live.frame(grads=False, dtype=torch.float32)
    expected = layer_by_layer(live.model, load_digits_32().val_x[7][None])
    for name in LAYER_NAMES:
        torch.testing.assert_close(torch.from_numpy(tensors[name]), expected[name][0].detach())
    probs = F.softmax(expected["out"], dim=1)[0].detach()
    torch.testing.assert_close(torch.from_numpy(tensors["probs"]), probs)
    torch.testing.assert_close(torch.from_numpy(tensors["c1.weight"]), live.model.c1[0].weight.detach())


def test_frame_gradients_equal_autograd():
    live = make_live(seed=3)
    live.set_sample("train", 11)
    header, tensors = live.frame(grads=True, dtype=torch.float32)
    x = load_digits_32().train_x[11][None].clone().requires_grad_(True)
    outputs = layer_by_layer(live.model, x)
    loss = F.cross_entropy(outputs["out"], torch.tensor([header["label"]]))
    grads = torch.autograd.grad(loss, [x, *outputs.values()])
    for name, grad in zip(("input", *LAYER_NAMES), grads, strict=True):
        torch.testing.assert_close(torch.from_numpy(tensors[f"{name}.grad"]), grad[0])


def test_frame_tensors_keep_their_order_and_shapes():
    live = make_live()
    live.set_controls({"head": True})
    _, tensors = live.frame(grads=True, dtype=torch.float16)
    assert list(tensors) == [*LENET.tensors, *HEAD_TENSORS, *LENET.optional_tensors["grads"]]
    shapes = {"input": (1, 32, 32), "c1": (6, 28, 28), "s4": (16, 5, 5), "out": (10,), "probs": (10,)}
    shapes |= {"c1.weight": (6, 1, 5, 5), "c5.weight": (120, 400), "s2.grad": (6, 14, 14), "f6.grad": (84,)}
    assert {name: tensors[name].shape for name in shapes} == shapes


def test_float16_frames_are_the_float32_values_rounded():
    live = make_live()
    _, wide = live.frame(grads=True, dtype=torch.float32)
    _, half = live.frame(grads=True, dtype=torch.float16)
    for name, array in wide.items():
        assert half[name].dtype.name == "float16"
        assert (half[name] == array.astype("float16")).all(), name


def test_layer_outputs_are_the_forward_pass_and_modes_do_not_matter():
    for activation, pooling in [("tanh", "avg"), ("relu", "max"), ("sigmoid", "avg")]:
        model = LeNet5(LeNetConfig(activation, pooling))
        x = torch.randn(3, 1, 32, 32)
        outputs = model.layer_outputs(x)
        assert list(outputs) == list(LAYER_NAMES)
        assert torch.equal(outputs["out"], model(x))
        model.eval()  # no dropout or batch norm: frames may skip the mode switch
        assert all(torch.equal(outputs[n], v) for n, v in model.layer_outputs(x).items())


@pytest.mark.parametrize("config", [LeNetConfig(), LeNetConfig("relu", "max"), LeNetConfig("sigmoid")])
def test_native_convolutions_give_the_models_outputs_and_gradients(config):
    """The probe's cheaper path (native convolutions) against the float32 model itself: well within
    float16 display precision (a relative step of 1e-3), for a batch of one, as frames use it."""
    torch.manual_seed(1)
    model = LeNet5(config)
    x = load_digits_32().val_x[3][None].clone().requires_grad_(True)
    native = model.layer_outputs(x, native_conv=True)
    plain = layer_by_layer(model, x)
    torch.testing.assert_close(native["out"], model(x), rtol=1e-5, atol=1e-6)
    for name in LAYER_NAMES:
        torch.testing.assert_close(native[name], plain[name], rtol=1e-5, atol=1e-6)
    target = torch.tensor([4])
    theirs = torch.autograd.grad(F.cross_entropy(plain["out"], target), [x, *plain.values()])
    for frozen in (False, True):  # frozen: the weights detached, as a frame with gradients runs it
        ours = model.layer_outputs(x, native_conv=True, frozen=frozen)
        grads = torch.autograd.grad(F.cross_entropy(ours["out"], target), [x, *ours.values()])
        for a, b in zip(grads, theirs, strict=True):
            torch.testing.assert_close(a, b, rtol=1e-5, atol=1e-7)
    assert all(p.grad is None for p in model.parameters())


@pytest.mark.parametrize("native_conv", [False, True])
def test_frozen_outputs_are_the_models_with_no_path_to_its_weights(native_conv):
    torch.manual_seed(2)
    model = LeNet5(LeNetConfig())
    x = torch.randn(1, 1, 32, 32, requires_grad=True)
    frozen = model.layer_outputs(x, native_conv=native_conv, frozen=True)
    for name, value in layer_by_layer(model, x).items():
        torch.testing.assert_close(frozen[name], value, rtol=1e-5, atol=1e-6)
    with pytest.raises(RuntimeError, match="not have been used in the graph"):
        torch.autograd.grad(frozen["out"].sum(), [model.c1[0].weight, model.out.weight])
    assert torch.autograd.grad(frozen["out"].sum(), x)[0].abs().sum() > 0


def test_cross_entropy_grad_is_autograds():
    logits = torch.randn(1, 10, requires_grad=True)
    for label in (0, 7):
        (expected,) = torch.autograd.grad(F.cross_entropy(logits, torch.tensor([label])), logits)
        ours = cross_entropy_grad(F.softmax(logits.detach(), dim=1), label)
        torch.testing.assert_close(ours, expected, rtol=1e-6, atol=1e-7)


@pytest.mark.skipif(not torch.backends.mkldnn.is_available(), reason="torch built without oneDNN")
def test_the_probe_skips_onednn_and_training_keeps_it():
    live = make_live()
    with torch.profiler.profile() as frame:
        live.frame(grads=True, dtype=torch.float16)
    ops = {event.key for event in frame.key_averages()}
    assert "aten::thnn_conv2d" in ops
    assert "aten::mkldnn_convolution" not in ops
    with torch.profiler.profile() as step:
        live.train_step()
    assert "aten::mkldnn_convolution" in {event.key for event in step.key_averages()}


def test_same_seed_same_weights_and_reset_restores_them():
    a, b, c = make_live(seed=5), make_live(seed=5), make_live(seed=6)
    initial = {k: v.clone() for k, v in a.model.state_dict().items()}
    for key, value in initial.items():
        assert torch.equal(value, b.model.state_dict()[key])
    assert not torch.equal(initial["c1.0.weight"], c.model.state_dict()["c1.0.weight"])
    for _ in range(3):
        a.train_step()
    assert not torch.equal(initial["c1.0.weight"], a.model.state_dict()["c1.0.weight"])
    a.reset()
    for key, value in initial.items():
        assert torch.equal(value, a.model.state_dict()[key])


def test_bad_probe_inputs_name_their_field():
    live = make_live()
    with pytest.raises(ParamError) as shape:
        live.set_drawing([[0.0] * 32] * 31, preprocess=True, label=None)
    assert shape.value.field == "input"
    with pytest.raises(ParamError) as label:
        live.set_drawing([[0.0] * 32] * 32, preprocess=False, label=12)
    assert label.value.field == "label"
    with pytest.raises(ParamError) as index:
        live.set_sample("val", 360)
    assert index.value.field == "index"


@pytest.fixture(scope="module")
def trained() -> LeNetLive:
    live = make_live()
    for _ in range(300):
        live.train_step()
    return live


def test_training_reaches_90_percent_validation_accuracy(trained):
    assert trained.evaluate().acc > 0.9


def test_a_drawing_is_read_like_the_scans(trained):
    """Redraw validation digits as 32×32 pen drawings (off-centre, thin); most are still recognised."""
    digits = load_digits_32()
    scans = torch.from_numpy(load_digits().images).float() / 16.0
    order = torch.from_numpy(np.random.default_rng(SPLIT_SEED).permutation(len(scans)))
    val_scans = scans[order][:100]
    correct = 0
    for i, scan in enumerate(val_scans):
        drawing = torch.zeros(32, 32)
        drawing[2:26, 5:29] = F.interpolate(scan[None, None], size=(24, 24), mode="nearest")[0, 0] > 0.5
        trained.set_drawing(drawing.tolist(), preprocess=True, label=None)
        header, _ = trained.frame(grads=False, dtype=torch.float32)
        correct += header["pred"] == int(digits.val_y[i])
    assert correct >= 80


def test_preprocess_centres_and_scales():
    drawing = torch.zeros(32, 32)
    drawing[1:9, 0:3] = 1.0  # a small stroke in the corner
    image = preprocess_drawing(drawing)[0]
    rows = image.sum(dim=1).nonzero()
    assert rows.min() >= 3
    assert rows.max() <= 28
    assert abs(float((image.sum(1) * torch.arange(32)).sum() / image.sum()) - 15.5) < 1.5
    assert preprocess_drawing(torch.zeros(32, 32)).abs().sum() == 0


def test_head_matrices_reproduce_the_classifier():
    live = make_live(seed=2)
    live.set_controls({"head": True})
    live.set_sample("val", 4)
    _, t = live.frame(grads=False, dtype=torch.float32)
    x = {k: torch.from_numpy(v) for k, v in t.items()}
    assert torch.equal(x["flat"], x["s4"].flatten())
    torch.testing.assert_close(torch.tanh(x["c5.weight"] @ x["flat"] + x["c5.bias"]), x["c5"])
    torch.testing.assert_close(torch.tanh(x["f6.weight"] @ x["c5"] + x["f6.bias"]), x["f6"])
    torch.testing.assert_close(x["out.weight"] @ x["f6"] + x["out.bias"], x["out"])
    live.set_controls({"head": False})
    _, t = live.frame(grads=False, dtype=torch.float32)
    assert "out.weight" not in t
