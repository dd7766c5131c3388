"""/backprop and /learning over HTTP and the websocket: the contracts for checks, and bad input."""

import json
from collections.abc import Callable

import httpx
import numpy as np
import pytest
import torch

from api.helpers import WAIT_S, Socket, create_session, fetch_weights
from app.engine.data.points2d import plane_grid
from app.engine.models.gridworld import GridWorld, policy_network
from app.engine.models.selftrain import classifier

BATCH = {"input": [[0.5, -1.0], [1.0, 0.25], [-0.3, 0.8]], "target": [[1.0], [0.0], [0.5]]}


def reference(frame, sizes: list[int], activation, loss: str) -> dict[str, torch.Tensor]:
    """Rerun the frame's network in torch from its W and b: z, a and the gradients by autograd."""
    x = torch.tensor(frame.tensors["input"], dtype=torch.float64)
    y = torch.tensor(frame.tensors["target"], dtype=torch.float64)
    out, a = {}, x
    for layer in range(1, len(sizes)):
        w = torch.tensor(frame.tensors[f"W.l{layer}"], dtype=torch.float64, requires_grad=True)
        b = torch.tensor(frame.tensors[f"b.l{layer}"], dtype=torch.float64, requires_grad=True)
        z = a @ w.T + b
        z.retain_grad()
        a = torch.sigmoid(z) if layer == len(sizes) - 1 else activation(z)
        out |= {f"W.l{layer}": w, f"b.l{layer}": b, f"z.l{layer}": z, f"a.l{layer}": a}
    value = torch.nn.functional.binary_cross_entropy(a, y) if loss == "bce" else ((a - y) ** 2).mean()
    value.backward()
    out["loss"] = value
    return out


@pytest.mark.parametrize(("activation", "loss"), [("tanh", "mse"), ("relu", "bce")])
def test_backprop_frame_is_torch_and_step_is_w_minus_lr_dw(
    live_server: str, open_socket: Callable[..., Socket], activation: str, loss: str
) -> None:
    sizes = [2, 4, 3, 1]
    config = {"sizes": sizes, "activation": activation, "loss": loss}
    info = create_session(live_server, model="backprop", config=config, precision="float32")
    assert info["layers"] == sizes
    driver = open_socket(info, drive=True)
    driver.ok("set", values={"lr": 0.3})
    frame = driver.answer("forward", **BATCH)
    want = reference(frame, sizes, getattr(torch, activation), loss)
    assert frame["loss"] == pytest.approx(float(want["loss"].detach()), abs=1e-6)
    assert frame["max_error"] < 1e-6
    for layer in (1, 2, 3):
        for name in ("z", "a"):
            got = frame.tensors[f"{name}.l{layer}"]
            assert got.shape == (3, sizes[layer])
            np.testing.assert_allclose(got, want[f"{name}.l{layer}"].detach().numpy(), atol=1e-6)
        np.testing.assert_allclose(frame.tensors[f"dz.l{layer}"], want[f"z.l{layer}"].grad.numpy(), atol=1e-6)
        np.testing.assert_allclose(frame.tensors[f"dW.l{layer}"], want[f"W.l{layer}"].grad.numpy(), atol=1e-6)
        np.testing.assert_allclose(frame.tensors[f"db.l{layer}"], want[f"b.l{layer}"].grad.numpy(), atol=1e-6)
    driver.ok("step")
    after = driver.wait("frame", where=lambda f: f["step"] == 1)
    for layer in (1, 2, 3):
        for name in ("W", "b"):
            expected = frame.tensors[f"{name}.l{layer}"] - 0.3 * frame.tensors[f"d{name}.l{layer}"]
            np.testing.assert_allclose(after.tensors[f"{name}.l{layer}"], expected, atol=1e-6)
    assert after["loss"] == pytest.approx(frame["loss_next"], abs=1e-6)
    assert after["loss"] < frame["loss"]


@pytest.mark.parametrize(
    ("config", "field"),
    [
        ({"sizes": [2, 3, 3, 3, 3, 1]}, "config.sizes"),
        ({"sizes": [2, 9, 1]}, "config.sizes[1]"),
        ({"sizes": [2]}, "config.sizes"),
        ({"activation": "swish"}, "config.activation"),
        ({"loss": "bce", "output": "identity"}, "config.output"),
    ],
)
def test_backprop_bad_config_is_400_naming_the_field(live_server: str, config: dict, field: str) -> None:
    response = httpx.post(
        f"{live_server}/api/sessions", json={"model": "backprop", "config": config}, timeout=WAIT_S
    )
    assert response.status_code in (400, 422), response.text
    assert response.json()["error"]["field"] == field


@pytest.mark.parametrize(
    ("message", "field"),
    [
        ('{"type": "set", "id": 7, "values": {"lr": NaN}}', "values.lr"),
        (json.dumps({"type": "set", "id": 7, "values": {"lr": 0}}), "values.lr"),
        (json.dumps({"type": "forward", "id": 7, "input": [[1, 2, 3]], "target": [[1]]}), "input"),
        (json.dumps({"type": "forward", "id": 7, "input": [[1, 2], [3]], "target": [[1], [0]]}), "input"),
        (json.dumps({"type": "forward", "id": 7, "input": [[1, "x"]], "target": [[1]]}), "input[0][1]"),
        (json.dumps({"type": "forward", "id": 7, "input": [[1, 2]]}), "target"),
        (json.dumps({"type": "forward", "id": 7, "input": [[1, 2]], "target": [[1], [2]]}), "target"),
    ],
)
def test_backprop_bad_input_is_an_error_naming_the_field(
    live_server: str, open_socket: Callable[..., Socket], message: str, field: str
) -> None:
    info = create_session(live_server, model="backprop", config={"sizes": [2, 2, 1]})
    driver = open_socket(info, drive=True)
    driver.wait("frame")
    driver.send(message)
    error = driver.wait("error")
    assert (error["code"], error["field"], error["id"]) == ("bad_request", field, 7)
    driver.assert_alive()


def test_learning_trains_every_panel(live_server: str, open_socket: Callable[..., Socket]) -> None:
    config = {"dataset": "moons", "clusters": 2, "samples": 80, "labelled": 4}
    info = create_session(live_server, model="learning", config=config, precision="float32")
    driver = open_socket(info, drive=True)
    first = driver.wait("frame")
    assert first["kmeans_iteration"] == 0
    driver.ok("set", values={"threshold": 0.8, "step_reward": -0.1})
    driver.ok("step", count=5)
    frame = driver.wait("frame", where=lambda f: f["step"] == 5)
    assert frame["threshold"] == 0.8
    assert frame["step_reward"] == -0.1
    assert frame["rl_episodes"] == 40
    inertia = frame.tensors["kmeans.inertia"]
    assert len(inertia) >= 2
    assert (np.diff(inertia) <= 1e-3).all()
    assert frame["inertia"] == pytest.approx(float(inertia[-1]))
    assert frame.tensors["sup.probs"].shape == (40, 40, 2)
    assert not np.array_equal(frame.tensors["sup.probs"], first.tensors["sup.probs"])
    assert frame.tensors["rl.returns"].shape == (5,)
    restarted = driver.answer("resample")
    assert restarted["kmeans_iteration"] == 0
    assert restarted["step"] == 5
    assert not np.array_equal(restarted.tensors["kmeans.centroids"], frame.tensors["kmeans.centroids"])
    np.testing.assert_array_equal(restarted.tensors["sup.probs"], frame.tensors["sup.probs"])
    assert 0 <= frame["sup_acc"] <= 1
    assert frame["val"]["acc"] == pytest.approx(frame["sup_acc"])


def test_learning_refuses_bad_config_and_controls(
    live_server: str, open_socket: Callable[..., Socket]
) -> None:
    response = httpx.post(
        f"{live_server}/api/sessions", json={"model": "learning", "config": {"labelled": 1}}, timeout=WAIT_S
    )
    assert response.status_code in (400, 422)
    assert response.json()["error"]["field"] == "config.labelled"
    info = create_session(live_server, model="learning")
    driver = open_socket(info, drive=True)
    driver.wait("frame")
    error = driver.call("set", values={"threshold": 2})
    assert (error["type"], error["field"]) == ("error", "values.threshold")
    error = driver.call("forward", input=[[1, 2]])
    assert (error["type"], error["field"]) == ("error", "type")


@pytest.mark.parametrize("model", ["backprop", "learning"])
def test_a_fork_starts_where_the_session_stands(
    live_server: str, open_socket: Callable[..., Socket], model: str
) -> None:
    info = create_session(live_server, model=model, precision="float32")
    driver = open_socket(info, drive=True)
    driver.wait("frame")
    if model == "backprop":
        driver.answer("forward", **BATCH)
    driver.ok("step", count=3)
    original = driver.wait("frame", where=lambda f: f["step"] == 3)
    response = httpx.post(f"{live_server}/api/sessions/{info['id']}/fork", timeout=WAIT_S)
    assert response.status_code == 201, response.text
    copy = open_socket(response.json()).wait("frame")
    names = ("W.l1", "b.l2", "input", "target") if model == "backprop" else ("sup.probs", "rl.policy")
    for name in names:
        np.testing.assert_allclose(copy.tensors[name], original.tensors[name], atol=1e-6, err_msg=name)


def test_learning_frames_are_the_exported_networks_outputs(
    live_server: str, open_socket: Callable[..., Socket]
) -> None:
    info = create_session(live_server, model="learning", config={"samples": 60})
    driver = open_socket(info, drive=True)
    driver.ok("step", count=4)
    frame = driver.wait("frame", where=lambda f: f["step"] == 4)
    weights = fetch_weights(live_server, info["id"])
    sup = classifier(info["classes"])
    sup.load_state_dict({k[4:]: v for k, v in weights.items() if k.startswith("sup.")})
    grid = plane_grid(info["grid"], info["extent"])
    with torch.no_grad():
        probs = torch.softmax(sup(grid), 1).reshape(info["grid"], info["grid"], -1)
    np.testing.assert_allclose(frame.tensors["sup.probs"], probs.numpy(), atol=1e-6)
    np.testing.assert_allclose(frame.tensors["kmeans.centroids"], weights["kmeans.centroids"].numpy())
    rows, cols = info["world"]
    policy = policy_network(GridWorld(-0.04))
    policy.load_state_dict({k[3:]: v for k, v in weights.items() if k.startswith("rl.")})
    with torch.no_grad():
        expected = torch.softmax(policy(torch.eye(rows * cols)), 1).reshape(rows, cols, 4)
    np.testing.assert_allclose(frame.tensors["rl.policy"], expected.numpy(), atol=1e-6)
