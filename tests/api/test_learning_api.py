"""/losses and /optim over HTTP and the websocket: the contract's frames (names, shapes, header), streamed
numbers equal torch's, bad configs and out-of-domain batches refused naming the field while the socket
carries on, and never a NaN in a frame."""

import json
from collections.abc import Callable

import httpx
import numpy as np
import pytest
import torch
from fastapi.testclient import TestClient

from api.helpers import Socket, create_session


def test_a_forward_frame_carries_the_losses_and_the_gradient(live_server: str, open_socket: Callable) -> None:
    session = create_session(
        live_server, model="loss", config={"loss": "cross_entropy", "weight": [1.0, 2.0, 0.5]}
    )
    socket: Socket = open_socket(session, drive=True)
    x = [[1.0, -0.5, 2.0], [0.0, 0.3, 0.1]]
    frame = socket.answer("forward", input=x, target=[2, 1])
    leaf = torch.tensor(x, requires_grad=True)
    loss = torch.nn.CrossEntropyLoss(weight=torch.tensor([1.0, 2.0, 0.5]))(leaf, torch.tensor([2, 1]))
    loss.backward()
    assert frame.tensors["loss"].shape in ((), (1,))
    np.testing.assert_allclose(frame.tensors["loss"], loss.item(), rtol=1e-6)
    np.testing.assert_allclose(frame.tensors["input.grad"], leaf.grad.numpy(), rtol=1e-5, atol=1e-7)
    assert frame.tensors["per_sample"].shape == (2,)
    assert frame["divisor"] == pytest.approx(2.5)


@pytest.mark.parametrize(
    ("config", "batch", "field"),
    [
        ({"loss": "bce"}, {"input": [0.2, 1.4], "target": [0, 1]}, "input[1]"),
        ({"loss": "nll"}, {"input": [[-1.0, -0.5]], "target": [5]}, "target[0]"),
        ({"loss": "mse"}, {"input": [1.0, 2.0], "target": [1.0]}, "target"),
    ],
)
def test_out_of_domain_batches_get_an_error_naming_the_field(
    live_server: str, open_socket: Callable, config: dict, batch: dict, field: str
) -> None:
    session = create_session(live_server, model="loss", config=config)
    socket: Socket = open_socket(session, drive=True)
    reply = socket.call("forward", **batch)
    assert (reply["type"], reply["field"]) == ("error", field)
    socket.assert_alive()


def test_a_nan_in_a_batch_is_refused_before_torch(live_server: str, open_socket: Callable) -> None:
    session = create_session(live_server, model="loss", config={"loss": "mse"})
    socket: Socket = open_socket(session, drive=True)
    socket.send('{"type": "forward", "id": 3, "input": [1.0, NaN], "target": [0.0, 0.0]}')
    reply = socket.wait_reply(3)
    assert (reply["type"], reply["field"]) == ("error", "input[1]")


def test_optim_steps_stream_every_path_and_loss(live_server: str, open_socket: Callable) -> None:
    optimizers = [{"name": "sgd", "lr": 0.001}, {"name": "adam", "lr": 0.05, "betas": [0.9, 0.99]}]
    config = {"function": "rosenbrock", "start": [-1.0, 1.5], "optimizers": optimizers}
    session = create_session(live_server, model="optim", config=config)
    socket: Socket = open_socket(session, drive=True)
    socket.ok("step", count=20)
    frame = socket.wait("frame", step=20)
    point = torch.tensor([-1.0, 1.5], requires_grad=True)
    adam = torch.optim.Adam([point], lr=0.05, betas=(0.9, 0.99))
    for _ in range(20):
        adam.zero_grad()
        ((1 - point[0]) ** 2 + 100 * (point[1] - point[0] ** 2) ** 2).backward()
        adam.step()
    assert frame.tensors["path.0"].shape == (21, 2)
    assert frame.tensors["loss.0"].shape == (21,)
    np.testing.assert_allclose(frame.tensors["path.1"][-1], point.detach().numpy(), rtol=1e-5)
    assert [o["name"] for o in frame["optimizers"]] == ["sgd", "adam"]


def test_a_diverging_optimizer_is_marked_and_the_frame_has_no_nan(
    live_server: str, open_socket: Callable
) -> None:
    config = {"function": "quadratic", "kappa": 100, "optimizers": [{"name": "sgd", "lr": 0.5}]}
    session = create_session(live_server, model="optim", config=config)
    socket: Socket = open_socket(session, drive=True)
    socket.ok("step", count=100)
    frame = socket.wait("frame", step=100)
    assert frame["optimizers"][0]["diverged"]
    assert all(np.isfinite(t).all() for t in frame.tensors.values())
    assert "NaN" not in json.dumps(frame.header)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (
            {"model": "optim", "config": {"optimizers": [{"name": "adam", "momentum": 0.9}]}},
            "config.optimizers[0].momentum",
        ),
        ({"model": "optim", "config": {"start": "here"}}, "config.start"),
        ({"model": "loss", "config": {"loss": "hinge"}}, "config.loss"),
        ({"model": "loss", "config": {"loss": "mse", "pos_weight": [1.0]}}, "config.pos_weight"),
    ],
)
def test_bad_configs_are_refused_naming_the_field(client: TestClient, body: dict, field: str) -> None:
    response = client.post("/api/sessions", json=body)
    assert response.status_code == 422
    assert response.json()["error"]["field"] == field


def test_a_detached_viewers_fork_carries_on_from_the_same_paths(
    live_server: str, open_socket: Callable
) -> None:
    session = create_session(live_server, model="optim", config={"function": "himmelblau"})
    driver: Socket = open_socket(session, drive=True)
    driver.ok("step", count=12)
    source = driver.wait("frame", step=12)
    response = httpx.post(f"{live_server}/api/sessions/{session['id']}/fork", timeout=30)
    assert response.status_code == 201, response.text
    copy = response.json()
    assert copy["step"] == 12
    own: Socket = open_socket(copy, drive=True)
    own.ok("step", count=1)
    driver.ok("step", count=1)
    mine, theirs = own.wait("frame", step=13), driver.wait("frame", step=13)
    for name, tensor in theirs.tensors.items():
        np.testing.assert_array_equal(mine.tensors[name], tensor, err_msg=name)
    assert len(source.tensors["path.0"]) == 13


def random_loss_case(name: str, gen: torch.Generator) -> tuple[dict, torch.Tensor, torch.Tensor]:
    """A config with random options and a random batch for loss ``name``."""
    n, c = 5, 3
    weights = (torch.rand(c, generator=gen) + 0.2).tolist()
    if name in ("nll", "cross_entropy"):
        x = torch.randn(n, c, generator=gen) * 2
        x = torch.log_softmax(x, 1) if name == "nll" else x
        smoothing = {"label_smoothing": 0.2} if name == "cross_entropy" else {}
        return {"weight": weights, "ignore_index": 2, **smoothing}, x, torch.tensor([0, 1, 2, 1, 0])
    if name == "bce":
        return {"weight": weights}, torch.rand(n, c, generator=gen), torch.rand(n, c, generator=gen)
    if name == "bce_with_logits":
        return {"pos_weight": weights}, torch.randn(n, c, generator=gen) * 4, torch.rand(n, c, generator=gen)
    return {}, torch.randn(n, generator=gen) * 3, torch.randn(n, generator=gen)


@pytest.mark.parametrize(
    "name", ["l1", "mse", "nll", "cross_entropy", "bce", "bce_with_logits", "smooth_l1", "huber"]
)
def test_streamed_losses_equal_torch_for_random_batches(
    live_server: str, open_socket: Callable, name: str
) -> None:
    gen = torch.Generator().manual_seed(len(name))
    for reduction in ("mean", "sum", "none"):
        options, x, t = random_loss_case(name, gen)
        config = {"loss": name, "reduction": reduction, **options}
        socket: Socket = open_socket(create_session(live_server, model="loss", config=config), drive=True)
        frame = socket.answer("forward", input=x.tolist(), target=t.tolist())
        kwargs = {k: torch.tensor(v) for k, v in options.items() if k in ("weight", "pos_weight")}
        kwargs |= {k: v for k, v in options.items() if k in ("ignore_index", "label_smoothing")}
        module = {
            "l1": torch.nn.L1Loss,
            "mse": torch.nn.MSELoss,
            "nll": torch.nn.NLLLoss,
            "cross_entropy": torch.nn.CrossEntropyLoss,
            "bce": torch.nn.BCELoss,
            "bce_with_logits": torch.nn.BCEWithLogitsLoss,
            "smooth_l1": torch.nn.SmoothL1Loss,
            "huber": torch.nn.HuberLoss,
        }[name]
        leaf = x.clone().requires_grad_(True)
        reduced = module(reduction=reduction, **kwargs)(leaf, t)
        reduced.sum().backward()
        per_sample = module(reduction="none", **kwargs)(x, t)
        np.testing.assert_allclose(frame.tensors["per_sample"], per_sample.numpy(), rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(frame.tensors["loss"], reduced.sum().item(), rtol=1e-5)
        np.testing.assert_allclose(frame.tensors["input.grad"], leaf.grad.numpy(), rtol=1e-5, atol=1e-6)
