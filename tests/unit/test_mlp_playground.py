"""The MLP playground's engine: it learns xor and circle, its frames keep the contract, bad input is named."""

import json

import numpy as np
import pytest
import torch
from client_messages import typed

from app.engine.data.points2d import plane_grid
from app.engine.data.toy2d import DATASETS, SPAN, make_toy
from app.engine.live.mlp import MAX_POINTS, MLP
from app.engine.params import ParamError, validate

CPU = torch.device("cpu")


def build(seed=0, controls=None, **config):
    return MLP.build(
        MLP.validate_config(config), validate(MLP.controls, controls or {}, "controls"), seed, CPU
    )


@pytest.fixture(autouse=True)
def one_thread():
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # tiny ops: threads only add overhead on a shared machine
    yield
    torch.set_num_threads(threads)


@pytest.mark.parametrize("dataset", ["xor", "circle"])
def test_learns_to_95_percent_test_accuracy_within_1000_steps(dataset):
    live = build(dataset=dataset, hidden=[8, 8], controls={"batch_size": 20})
    for _ in range(1000):
        live.train_step()
    assert live.evaluate().acc > 0.95


def test_frame_carries_the_contract():
    live = build(dataset="moons", hidden=[5, 3], features=["x1", "x2", "x1_x2"], grid=16, samples=100)
    live.train_step()
    fields, tensors = live.frame(False, torch.float32)
    assert set(fields["train"]) == set(fields["test"]) == {"loss", "acc"}
    assert 0 <= fields["test"]["acc"] <= 1
    assert tensors["surface"].shape == (16, 16)
    assert tensors["unit.l1"].shape == (5, 16, 16)
    assert tensors["unit.l2"].shape == (3, 16, 16)
    assert "unit.l3" not in tensors
    assert tensors["weight.l1"].shape == (5, 3)
    assert tensors["weight.l3"].shape == (1, 3)
    assert tensors["grad_norm"].shape == (3,)
    assert np.all(tensors["grad_norm"] > 0)
    assert tensors["points"].shape == (100, 2)
    assert tensors["is_test"].sum() == 50


def test_surface_and_units_equal_the_network_on_the_grid():
    live = build(dataset="circle", hidden=[4], activation="relu", grid=8)
    _, tensors = live.frame(False, torch.float32)
    grid = plane_grid(8, SPAN, pixel_centres=True)
    assert grid[0].tolist() == [-5.25, 5.25]  # the top left pixel's centre
    layer1, layer2 = live.model.layers
    x = torch.stack((grid[:, 0], grid[:, 1]), 1)
    hidden = torch.relu(layer1(x))
    np.testing.assert_allclose(tensors["unit.l1"], hidden.T.reshape(4, 8, 8).detach().numpy(), atol=1e-6)
    surface = torch.sigmoid(layer2(hidden))[:, 0].reshape(8, 8)
    np.testing.assert_allclose(tensors["surface"], surface.detach().numpy(), atol=1e-6)


def test_metrics_equal_torch_losses():
    live = build(dataset="gauss", loss="cross_entropy", hidden=[3])
    x, y = live.split(test=True)
    out = live.model(x)
    metrics = live.evaluate()
    assert metrics.loss == pytest.approx(torch.nn.functional.cross_entropy(out, y.long()).item(), rel=1e-5)
    assert metrics.acc == pytest.approx((out.argmax(1) == y).float().mean().item())


def test_regression_has_no_accuracy():
    live = build(dataset="sine", loss="mse", hidden=[])
    fields, tensors = live.frame(False, torch.float32)
    assert fields["task"] == "regression"
    assert fields["test"]["acc"] is None
    assert "unit.l1" not in tensors
    assert tensors["weight.l1"].shape == (1, 2)


@pytest.mark.parametrize("name", DATASETS)
def test_data_sets_are_seeded_and_inside_the_square(name):
    x, y = make_toy(name, 200, 0.3, seed=4)
    again, _ = make_toy(name, 200, 0.3, seed=4)
    assert torch.equal(x, again)
    assert x.abs().max() <= 6
    assert y.abs().max() <= 1


def test_points_join_the_chosen_split():
    live = build(dataset="xor", samples=20)
    live.handle(typed({"type": "points", "points": [[1, 2, 1], [-3, 0.5, 0]], "split": "test"}))
    assert len(live.points) == 22
    assert live.is_test[-2:].all()
    assert live.split(test=True)[1][-2:].tolist() == [1.0, 0.0]


@pytest.mark.parametrize(
    ("points", "field"),
    [([[7, 0, 1]], "points[0]"), ([[0, 0, 1], [0, 0, 0.5]], "points[1]")],
)
def test_bad_points_name_the_field(points, field):
    live = build(dataset="xor", samples=20)
    with pytest.raises(ParamError) as info:
        live.handle(typed({"type": "points", "points": points, "split": "train"}))
    assert info.value.field == field


def test_points_beyond_the_total_are_refused_naming_the_field():
    live = build(dataset="xor", samples=20)
    batch = typed({"type": "points", "points": [[0, 0, 1]] * 200, "split": "train"})
    while len(live.points) + 200 <= MAX_POINTS:  # a message carries at most 200
        live.handle(batch)
    with pytest.raises(ParamError) as info:
        live.handle(batch)
    assert info.value.field == "points"
    assert len(live.points) <= MAX_POINTS


@pytest.mark.parametrize(
    ("config", "field"),
    [
        ({"hidden": [4, 0]}, "config.hidden[1]"),
        ({"hidden": [33]}, "config.hidden[0]"),
        ({"hidden": [2] * 9}, "config.hidden"),
        ({"features": ["x1", "x3"]}, "config.features[1]"),
        ({"features": []}, "config.features"),
        ({"samples": 5000}, "config.samples"),
        ({"dataset": "plane", "loss": "bce"}, "config.loss"),
    ],
)
def test_bad_config_names_the_field(config, field):
    with pytest.raises(ParamError) as info:
        MLP.validate_config(config)
    assert info.value.field == field


def test_nan_learning_rate_is_refused():
    with pytest.raises(ParamError) as info:
        validate(MLP.controls, {"lr": float("nan")}, "values", partial=True)
    assert info.value.field == "values.lr"


def test_maps_follow_the_sessions_precision_and_numbers_stay_float32():
    _, tensors = build(hidden=[3], grid=8).frame(False, torch.float16)
    assert tensors["surface"].dtype == tensors["unit.l1"].dtype == tensors["feature"].dtype == np.float16
    assert tensors["weight.l1"].dtype == tensors["points"].dtype == np.float32


def test_a_diverged_run_sends_null_losses_never_nan():
    live = build(
        dataset="sine",
        loss="mse",
        hidden=[8, 8],
        activation="relu",
        controls={"optimizer": "sgd", "lr": 10.0},
    )
    for _ in range(50):
        live.train_step()
    fields, _ = live.frame(False, torch.float32)
    assert fields["train"]["loss"] is None
    assert fields["test"]["loss"] is None
    assert "NaN" not in json.dumps(fields)
