"""/activations and /playground through the real app: their contracts over HTTP and the websocket, held
against torch, and bad input refused naming the field."""

import httpx
import numpy as np
import pytest
import torch

from api.helpers import WAIT_S, create_session, fetch_weights
from app.engine.models.playground import PlaygroundMLP


def refusal(base: str, model: str, config: dict) -> dict:
    response = httpx.post(f"{base}/api/sessions", json={"model": model, "config": config}, timeout=WAIT_S)
    assert response.status_code == 422, response.text
    return response.json()["error"]


def test_pages_are_served(live_server: str) -> None:
    for path in ("/activations", "/playground"):
        response = httpx.get(live_server + path, timeout=WAIT_S)
        assert response.status_code == 200
        assert 'type="module"' in response.text


def test_activations_frame_follows_its_controls(live_server: str, open_socket) -> None:
    info = create_session(live_server, model="activations", config={"points": 101, "span": 4})
    driver = open_socket(info, drive=True)
    driver.ok("set", values={"depth": 7, "width": 16, "activation": "relu", "w": -2.0, "b": 1.0})
    frame = driver.wait("frame", where=lambda f: f.tensors["grad_norm"].shape == (7,))
    x = torch.tensor(frame.tensors["x"])
    assert x.shape == (101,)
    for name in ("sigmoid", "tanh", "relu", "leaky_relu", "elu", "gelu"):
        assert frame.tensors[f"y.{name}"].shape == frame.tensors[f"dy.{name}"].shape == (101,)
    np.testing.assert_allclose(frame.tensors["y.gelu"], torch.nn.functional.gelu(x).numpy(), atol=1e-6)
    np.testing.assert_allclose(frame.tensors["neuron.y"], torch.relu(-2 * x + 1).numpy(), atol=1e-6)
    assert frame.tensors["dead"].shape == (7,)


@pytest.mark.parametrize(
    ("values", "field"),
    [({"depth": 0}, "values.depth"), ({"width": 1000}, "values.width"), ({"slope": "steep"}, "values.slope")],
)
def test_activations_bad_controls_are_named(live_server: str, open_socket, values, field) -> None:
    driver = open_socket(create_session(live_server, model="activations"), drive=True)
    error = driver.call("set", values=values)
    assert (error["type"], error["field"]) == ("error", field)
    driver.assert_alive()


def test_playground_trains_and_its_frame_keeps_the_contract(live_server: str, open_socket) -> None:
    config = {
        "dataset": "xor",
        "samples": 200,
        "features": ["x1", "x2", "x1_x2"],
        "hidden": [6, 3],
        "grid": 20,
    }
    info = create_session(live_server, model="mlp", config=config)
    assert info["config"]["hidden"] == [6, 3]
    assert info["widths"] == [3, 6, 3, 1]
    driver = open_socket(info, drive=True)
    driver.ok("step", count=20)
    frame = driver.wait("frame", step=20)
    assert set(frame["train"]) == set(frame["test"]) == {"loss", "acc"}
    assert 0 <= frame["test"]["acc"] <= 1
    assert frame.tensors["surface"].shape == (20, 20)
    assert frame.tensors["unit.l1"].shape == (6, 20, 20)
    assert frame.tensors["unit.l2"].shape == (3, 20, 20)
    net = PlaygroundMLP(3, [6, 3], 1, "tanh")
    net.load_state_dict(fetch_weights(live_server, info["id"]))
    with torch.no_grad():
        p = torch.tensor(frame.tensors["points"])
        x = torch.stack((p[:, 0], p[:, 1], p[:, 0] * p[:, 1]), 1)
        y = torch.tensor(frame.tensors["targets"])
        test = torch.tensor(frame.tensors["is_test"]).bool()
        out = net(x[test])[:, 0]
        loss = torch.nn.functional.binary_cross_entropy_with_logits(out, y[test]).item()
    assert frame["test"]["loss"] == pytest.approx(loss, rel=1e-5)


def test_playground_points_are_added_and_malformed_ones_refused(live_server: str, open_socket) -> None:
    info = create_session(live_server, model="mlp", config={"samples": 40})
    driver = open_socket(info, drive=True)
    frame = driver.answer("points", points=[[1.0, -2.0, 1], [3.5, 0.0, 0]])
    assert frame.tensors["points"].shape == (42, 2)
    assert frame.tensors["points"][-2:].tolist() == [[1.0, -2.0], [3.5, 0.0]]
    for points, field in (
        ([[1.0, 2.0]], "points[0]"),
        ([[9.0, 0.0, 1]], "points[0]"),
        ([[0.0, 0.0, 0.3]], "points[0]"),
        ("here", "points"),
    ):
        error = driver.call("points", points=points)
        assert (error["type"], error["field"]) == ("error", field), error
    error = driver.call("set", values={"lr": float("nan")})
    assert (error["type"], error["field"]) == ("error", "values.lr"), error
    assert "finite" in error["message"]
    driver.assert_alive()


@pytest.mark.parametrize(
    ("config", "field"),
    [
        ({"hidden": [4, 40]}, "config.hidden[1]"),
        ({"hidden": [1] * 9}, "config.hidden"),
        ({"features": ["x9"]}, "config.features[0]"),
        ({"samples": 2001}, "config.samples"),
        ({"noise": 0.9}, "config.noise"),
        ({"dataset": "sine", "loss": "cross_entropy"}, "config.loss"),
    ],
)
def test_playground_bad_config_is_refused_naming_the_field(live_server: str, config, field) -> None:
    assert refusal(live_server, "mlp", config)["field"] == field


@pytest.mark.parametrize("model", ["mlp", "activations"])
def test_a_fork_starts_from_the_same_weights(live_server: str, open_socket, model) -> None:
    info = create_session(live_server, model=model)
    if model == "mlp":
        open_socket(info, drive=True).ok("step", count=5)
    response = httpx.post(f"{live_server}/api/sessions/{info['id']}/fork", timeout=WAIT_S)
    assert response.status_code == 201, response.text
    fork = response.json()
    original, copy = fetch_weights(live_server, info["id"]), fetch_weights(live_server, fork["id"])
    assert original.keys() == copy.keys()
    for name, tensor in original.items():
        torch.testing.assert_close(copy[name], tensor, rtol=0, atol=0)
