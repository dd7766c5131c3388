"""The Python SDK against a live server: what it streams for a model defined here equals a fresh torch run
of that model; the server checks the frames a driver sends and relays them; viewers cannot publish;
runs are found by name; a script whose server is gone trains on; another holder of the token can neither
take control from the SDK nor stop its stream."""

import contextlib
import socket
from collections.abc import Callable, Iterator

import httpx
import numpy as np
import pytest
import torch
from polling import wait_until
from torch import nn

import nnlive
from api.helpers import WAIT_S, Frame, Socket
from app.config import Settings
from app.protocol import encode_frame
from app.sdk import run_tokens
from app.sdk.capture import clip
from app.sdk.transport import Transport

OpenSocket = Callable[..., Socket]


class TinyCNN(nn.Module):
    """A custom model the app knows nothing about."""

    def __init__(self) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(1, 4, 3, padding=1)
        self.act = nn.ReLU()
        self.pool = nn.MaxPool2d(2)
        self.fc = nn.Linear(4 * 6 * 6, 3)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc(self.pool(self.act(self.conv1(x))).flatten(1))


@pytest.fixture
def settings() -> Settings:
    """A small frame limit, so that the limit can be hit cheaply."""
    return Settings(device="cpu", torch_threads=1, max_frame_bytes=64 * 1024)


@pytest.fixture(autouse=True)
def run_tokens_file(tmp_path, monkeypatch: pytest.MonkeyPatch):
    """The SDK keeps its run tokens in a file of this test, not in the user's cache."""
    path = tmp_path / "run-tokens.json"
    monkeypatch.setattr(run_tokens, "TOKENS_FILE", path)
    return path


def start_run(base: str, name: str) -> dict:
    response = httpx.post(f"{base}/api/runs/{name}", timeout=WAIT_S)
    assert response.status_code == 201, response.text
    return response.json()


def wait_for_session(run: nnlive.Run) -> dict:
    """The session the run created (it connects in the background), as a socket fixture takes it."""
    assert run.wait_connected(WAIT_S), "the SDK did not connect"
    return {"id": run.session_id}


def test_streamed_activations_and_gradients_equal_a_fresh_torch_run(
    live_server: str, open_socket: OpenSocket
):
    torch.manual_seed(0)
    model, x, y = TinyCNN(), torch.randn(2, 1, 12, 12), torch.tensor([0, 2])
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    with nnlive.connect(live_server, run="unit-cnn", fps=1e6, precision="float32") as run:
        run.watch(model, exclude=["pool"])
        viewer = open_socket(wait_for_session(run))
        losses = []
        for _ in range(4):
            optimizer.zero_grad()
            loss = nn.functional.cross_entropy(model(x), y)
            loss.backward()
            optimizer.step()
            run.log(loss=loss)
            losses.append(loss.item())
        optimizer.zero_grad()  # one last pass with no optimizer step: the weights stay as streamed
        loss = nn.functional.cross_entropy(model(x), y)
        loss.backward()
        run.log(loss=loss)
        frame = viewer.wait("frame", step=4)

    conv = model.conv1(x)  # a fresh forward of the same model
    conv.retain_grad()
    fresh = nn.functional.cross_entropy(model.fc(model.pool(model.act(conv)).flatten(1)), y)
    fresh.backward()
    assert frame["run"] == "unit-cnn"
    assert frame["session"] == run.session_id
    assert frame["scalars"]["loss"] == pytest.approx(fresh.item(), rel=1e-6)
    np.testing.assert_allclose(frame.tensors["conv1"], clip(conv).detach().numpy(), rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(frame.tensors["conv1.grad"], clip(conv.grad).numpy(), rtol=1e-6, atol=1e-9)
    assert frame["grad_norms"]["conv1"] == pytest.approx(conv.grad.norm().item(), rel=1e-5)
    assert frame.tensors["fc"].shape == (2, 3)
    assert "pool" not in frame.tensors
    tree = {m["name"]: m for m in frame["modules"]}
    assert tree["conv1"] == {"name": "conv1", "type": "Conv2d", "shape": [2, 4, 12, 12]}
    assert tree["fc"]["type"] == "Linear"
    assert tree["fc"]["shape"] == [2, 3]
    assert losses[-1] < losses[0]


def test_float16_frames_and_clipped_large_maps(live_server: str, open_socket: OpenSocket):
    conv = nn.Conv2d(1, 20, 3, padding=1)
    model = nn.Sequential(conv)
    x = torch.randn(3, 1, 70, 40)
    with nnlive.connect(live_server, run="unit-clip", fps=1e6) as run:
        run.watch(model)
        viewer = open_socket(wait_for_session(run))
        model(x).sum().backward()
        run.log(step=7, loss=float("inf"))  # a diverged loss: JSON has no infinity, the frame says null
        frame = viewer.wait("frame", step=7)
    assert frame["scalars"] == {"loss": None}
    expected = conv(x)[:1, :16, ::3, ::2].detach()
    assert frame.tensors["0"].dtype == np.float16
    assert frame.tensors["0"].shape == (1, 16, 24, 20)
    np.testing.assert_array_equal(frame.tensors["0"], expected.half().numpy())


def test_bad_frames_from_the_driver_get_an_error_and_the_connection_goes_on(
    live_server: str, open_socket: OpenSocket
):
    info = start_run(live_server, "unit-bad")
    driver, viewer = open_socket(info, drive=True), open_socket(info)
    good = {"t": np.ones((2, 3), np.float32)}
    bad = [
        (b"\x01\x00", "bad_request"),
        (b"\xff\xff\x00\x00{}", "bad_request"),
        (encode_frame({"step": -1}, good), "bad_request"),
        (encode_frame({"step": 1}, {"deep": np.zeros((1, 1, 1, 1, 1), np.float32)}), "bad_request"),
        (encode_frame({"step": 1}, {"big": np.zeros(20_000, np.float32)}), "limit"),
        # NaN written by a client that is not our codec (encode_frame sends it as null)
        (encode_frame({"step": 1, "scalars": {"loss": 1.5}}, good).replace(b"1.5", b"NaN"), "bad_request"),
        (encode_frame({"step": 1, "grad_norms": {"fc": "big"}}, good), "bad_request"),
        (encode_frame({"step": 1, "modules": "conv1"}, good), "bad_request"),
    ]
    for payload, code in bad:
        driver.send(payload)
        error = driver.wait("error")
        assert (error["code"], error.get("field")) == (code, "frame"), error
    driver.send(encode_frame({"step": 3, "seq": 99, "session": "forged", "scalars": {"loss": 0.5}}, good))
    frame = viewer.wait("frame", step=3)
    assert frame["session"] == info["id"]
    assert frame["seq"] != 99
    assert frame["scalars"] == {"loss": 0.5}
    np.testing.assert_array_equal(frame.tensors["t"], good["t"])
    driver.assert_alive()  # a frame relayed before the pong would have reached the driver by now
    assert not [m for m in driver.unread if isinstance(m, Frame) and m["step"] == 3]  # not sent back
    run = httpx.get(f"{live_server}/api/runs/unit-bad", timeout=WAIT_S).json()
    assert run["curves"] == {"step": [3], "scalars": [{"loss": 0.5}], "grad_norms": [{}]}


def test_a_viewer_cannot_publish_and_a_model_session_takes_no_frames(
    live_server: str, open_socket: OpenSocket, session: dict
):
    viewer = open_socket(start_run(live_server, "unit-viewer"))
    viewer.send(encode_frame({"step": 1}, {}))
    assert viewer.wait("error")["code"] == "forbidden"
    lenet_driver = open_socket(session, drive=True)
    lenet_driver.send(encode_frame({"step": 1}, {}))
    error = lenet_driver.wait("error")
    assert (error["code"], error["field"]) == ("bad_request", "type")
    viewer.assert_alive()


def start_run_as(base: str, name: str, run_token: str | None) -> dict:
    headers = {"Authorization": f"Bearer {run_token}"} if run_token else {}
    response = httpx.post(f"{base}/api/runs/{name}", headers=headers, timeout=WAIT_S)
    assert response.status_code == 201, response.text
    return response.json()


def test_a_run_name_finds_its_newest_session(live_server: str):
    first = start_run(live_server, "named")
    second = start_run_as(live_server, "named", first["run_token"])
    found = httpx.get(f"{live_server}/api/runs/named", timeout=WAIT_S).json()
    assert found["session"]["id"] == second["id"] != first["id"]
    assert second["viewer_url"].endswith("/inspect?run=named")
    assert (second["run"], second["run_token"]) == ("named", first["run_token"])
    nobody = httpx.get(f"{live_server}/api/runs/nobody", timeout=WAIT_S).json()
    assert nobody == {"run": "nobody", "session": None, "curves": None}
    refused = httpx.post(f"{live_server}/api/runs/bad%20name", timeout=WAIT_S)
    assert refused.status_code == 422
    assert refused.json()["error"]["field"] == "name"


def test_a_stranger_cannot_take_a_run_name_over(live_server: str):
    """Issue 15, finding 3: without the run token a second creator gets a name of its own."""
    owner = start_run(live_server, "lecture")
    for token in (None, "guessed", owner["token"]):  # no token, a wrong one, the session's control token
        stranger = start_run_as(live_server, "lecture", token)
        assert stranger["run"].startswith("lecture-")
        assert stranger["viewer_url"].endswith(f"/inspect?run={stranger['run']}")
        found = httpx.get(f"{live_server}/api/runs/lecture", timeout=WAIT_S).json()
        assert found["session"]["id"] == owner["id"]
    assert start_run_as(live_server, "lecture", None)["run"] == "lecture-5"


def test_the_sdk_keeps_its_run_token_and_a_taken_name_gives_it_another(live_server: str):
    squatter = start_run(live_server, "taken")
    with nnlive.connect(live_server, run="taken", fps=1e6) as run:
        info = wait_for_session(run)
        assert run.name == "taken-2"
        assert run.viewer_url.endswith("/inspect?run=taken-2")
        token = run._transport.run_token
        run._transport.session = None  # as after a server restart: it asks for its name again
        assert run._transport._ensure_session()["run"] == "taken-2"
        assert run._transport.run_token == token
    assert info["id"] != squatter["id"]


def test_a_script_run_again_keeps_its_run_name(live_server: str, run_tokens_file):
    with nnlive.connect(live_server, run="again", fps=1e6) as first:
        first_id = wait_for_session(first)["id"]
    assert run_tokens_file.stat().st_mode & 0o077 == 0  # readable by its user only
    with nnlive.connect(live_server, run="again", fps=1e6) as second:
        second_id = wait_for_session(second)["id"]
        assert second.name == "again"
        found = httpx.get(f"{live_server}/api/runs/again", timeout=WAIT_S).json()
        assert found["session"]["id"] == second_id != first_id


def test_another_holder_of_the_token_can_neither_take_control_nor_stop_the_stream(
    live_server: str, open_socket: OpenSocket, monkeypatch: pytest.MonkeyPatch
):
    """While the SDK drives, a page with its token is a presenter without control. When such a page
    took control first (it claimed it while the SDK was reconnecting) or takes the SDK's presenter number
    over (as a reconnecting presenter may), the SDK streams to a new session of its run instead of
    sending frames the server refuses."""
    taken = start_run(live_server, "contested")
    other = open_socket(taken)
    assert other.ok("auth", token=taken["token"])["role"] == "driver"
    sessions = iter([taken])
    ensure = Transport._ensure_session

    def reconnect_to_taken_first(transport: Transport) -> dict:
        if transport.session is None:
            transport.session = next(sessions, None)
            transport.run_token = taken["run_token"]  # as if this script had created the run
        return ensure(transport)

    monkeypatch.setattr(Transport, "_ensure_session", reconnect_to_taken_first)
    run = nnlive.connect(live_server, run="contested", fps=1e6)
    try:
        info = wait_for_session(run)
        assert info["id"] != taken["id"]  # it did not stay where it could not publish
        # Its token on another socket: a presenter that cannot take control, hand it on or close the room.
        page = open_socket(info)
        reply = page.ok("auth", token=run._transport.session["token"])
        assert reply["role"] == "presenter"
        assert page.ok("auth", token=run._transport.session["token"])["role"] == "presenter"  # again
        for kind, fields in [("handoff", {"to": reply["presenter"]}), ("room", {"open": False})]:
            refused = page.call(kind, **fields)
            assert refused["type"] == "error", refused
            assert refused["code"] == "forbidden"
        run.log(step=7, loss=0.25)
        frame = page.wait("frame", step=7)
        assert frame.header["scalars"] == {"loss": 0.25}
        found = httpx.get(f"{live_server}/api/runs/contested", timeout=WAIT_S).json()
        assert found["session"]["id"] == info["id"]
        assert found["curves"]["scalars"][-1] == {"loss": 0.25}

        sdk_number = run._transport.session["presenter"]
        fresh = open_socket(info)
        taken_over = fresh.ok("auth", token=run._transport.session["token"], presenter=sdk_number)
        assert taken_over["role"] == "driver"
        moved = lambda: run.log(step=8, loss=0.5) or run.session_id not in (info["id"], None)  # noqa: E731
        wait_until(moved, "the SDK stayed on a session it no longer drives")  # its next frame is refused
        run.log(step=9, loss=0.125)
        url = f"{live_server}/api/runs/contested"
        found = wait_until(
            lambda: (reply := httpx.get(url, timeout=WAIT_S).json())["curves"]["step"] and reply,
            "no frame reached the new session",
        )
        assert found["session"]["id"] == run.session_id
        assert found["curves"]["scalars"][-1] in ({"loss": 0.5}, {"loss": 0.125})
    finally:
        run.close()


def test_training_goes_on_without_a_server():
    with socket_nobody_listens_on() as url:
        model = TinyCNN()
        run = nnlive.connect(url, run="unit-offline", fps=1e6)
        run.watch(model)
        for step in range(3):
            model(torch.randn(1, 1, 12, 12)).sum().backward()
            run.log(loss=float(step))
        run.close()
    assert run.sent == 0
    assert not run.connected


@contextlib.contextmanager
def socket_nobody_listens_on() -> Iterator[str]:
    """A loopback URL whose port is bound but never listened on: every connection is refused."""
    with socket.socket() as bound:
        bound.bind(("127.0.0.1", 0))
        yield f"http://127.0.0.1:{bound.getsockname()[1]}"
