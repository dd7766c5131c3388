"""The activations model against torch: curves and autograd derivatives, the neuron, the depth experiment."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from app.engine.live.activations import ACTIVATIONS, DEPTH_BATCH, FUNCTIONS, depth_weights
from app.engine.params import ParamError, validate

CPU = torch.device("cpu")


def frame(seed=0, config=None, **controls):
    spec = ACTIVATIONS
    live = spec.build(
        spec.validate_config(config or {}), validate(spec.controls, controls, "controls"), seed, CPU
    )
    return live.frame(False, torch.float32)


def analytic(name: str, x: torch.Tensor, slope: float) -> tuple[torch.Tensor, torch.Tensor]:
    """Each function by torch and its derivative written out by hand."""
    s, t = torch.sigmoid(x), torch.tanh(x)
    phi = torch.exp(-(x**2) / 2) / (2 * torch.pi) ** 0.5
    cdf = 0.5 * (1 + torch.erf(x / 2**0.5))
    return {
        "sigmoid": (s, s * (1 - s)),
        "tanh": (t, 1 - t**2),
        "relu": (F.relu(x), (x > 0).float()),
        "leaky_relu": (F.leaky_relu(x, slope), torch.where(x > 0, 1.0, slope)),
        "elu": (F.elu(x), torch.where(x > 0, 1.0, torch.exp(x))),
        "gelu": (F.gelu(x), cdf + x * phi),
    }[name]


def test_curves_and_derivatives_equal_torch():
    _, tensors = frame(config={"points": 301, "span": 5.0}, slope=0.2)
    x = torch.from_numpy(tensors["x"])
    assert x.shape == (301,)
    assert x[0] == -5
    assert x[-1] == 5
    for name in FUNCTIONS:
        y, dy = analytic(name, x, 0.2)
        np.testing.assert_allclose(tensors[f"y.{name}"], y.numpy(), atol=1e-6, err_msg=name)
        np.testing.assert_allclose(tensors[f"dy.{name}"], dy.numpy(), atol=1e-5, err_msg=name)


def test_neuron_is_g_of_wx_plus_b_and_its_slope():
    _, tensors = frame(activation="tanh", w=2.0, b=-1.0)
    x = torch.from_numpy(tensors["x"])
    z = 2 * x - 1
    np.testing.assert_allclose(tensors["neuron.y"], torch.tanh(z).numpy(), atol=1e-6)
    np.testing.assert_allclose(tensors["neuron.dy"], (2 * (1 - torch.tanh(z) ** 2)).numpy(), atol=1e-5)


def test_sigmoid_gradients_vanish_with_depth_while_relu_ones_do_not():
    fields, tensors = frame(seed=3, depth=20, width=64, depth_activation="sigmoid", compare_activation="relu")
    sigmoid, relu = tensors["grad_norm"], tensors["grad_norm.compare"]
    assert sigmoid.shape == relu.shape == (20,)
    assert sigmoid[0] < 1e-6 * sigmoid[-1]  # layer 1 gets almost nothing back
    assert np.all(np.diff(sigmoid) > 0)  # shrinking layer by layer towards the input
    assert 0.1 < relu[0] / relu[-1] < 10  # ReLU with He initialisation keeps its scale
    assert fields["dead_units"] == 0  # a sigmoid unit is never exactly 0
    assert fields["dead_units_compare"] == int(tensors["dead.compare"].sum()) > 0


def test_depth_gradients_equal_autograd_written_directly():
    _, tensors = frame(seed=9, depth=3, width=4, depth_activation="tanh", init="xavier")
    h = torch.randn(DEPTH_BATCH, 4, generator=torch.Generator().manual_seed(9)).requires_grad_(True)
    layers = []
    for w in depth_weights(3, 4, "xavier", 9):
        h = torch.tanh(h @ w.T)
        layers.append(h)
    grads = torch.autograd.grad(h.sum(1).mean(), layers)
    np.testing.assert_allclose(tensors["grad_norm"], [g.norm().item() for g in grads], rtol=1e-5)


@pytest.mark.parametrize(
    ("controls", "field"),
    [
        ({"depth": 31}, "controls.depth"),
        ({"w": float("nan")}, "controls.w"),
        ({"activation": "swish"}, "controls.activation"),
    ],
)
def test_bad_controls_name_the_field(controls, field):
    with pytest.raises(ParamError) as info:
        validate(ACTIVATIONS.controls, controls, "controls")
    assert info.value.field == field
