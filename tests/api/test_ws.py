"""The session websocket through a real uvicorn server: what viewers see, what the driver can do, and
that every number in a frame is what torch computes from the session's own weights."""

import asyncio
import math
from collections.abc import Callable

import httpx
import numpy as np
import pytest

from api.helpers import (
    WAIT_S,
    Frame,
    Socket,
    assert_matches_float16,
    assert_matches_float32,
    assert_same_weights,
    create_session,
    drawing,
    fetch_weights,
    layer_grads,
    layer_outputs,
    lenet,
    seven,
    weights_equal,
)
from app.bus.memory import MemoryBus
from app.engine.data.digits import load_digits_32
from app.engine.models.lenet import LAYER_NAMES
from app.protocol.codec import PROTOCOL
from app.protocol.server import Hello, State
from app.realtime.rooms import Rooms
from app.realtime.viewer import Viewer
from app.sessions.audience import Audience
from app.sessions.control import Control
from app.sessions.manager import channel

OpenSocket = Callable[..., Socket]
ACTIVATIONS = (*LAYER_NAMES, "probs")
SHAPES = {
    "input": (1, 32, 32),
    "c1": (6, 28, 28),
    "s2": (6, 14, 14),
    "c3": (16, 10, 10),
    "s4": (16, 5, 5),
    "c5": (120,),
    "f6": (84,),
    "out": (10,),
    "probs": (10,),
    "c1.weight": (6, 1, 5, 5),
}
EMPTY_HISTORY = {"step": [], "loss": [], "acc": []}
TRAIN_LABELS = load_digits_32().train_y


def test_viewer_gets_hello_state_then_the_latest_frame(session: dict, open_socket: OpenSocket):
    viewer = open_socket(session)
    hello, state, frame = viewer.read(), viewer.read(), viewer.read()
    assert (hello["type"], hello["protocol"], hello["role"]) == ("hello", 2, "viewer")
    assert hello["session"]["id"] == session["id"]
    assert hello["session"]["layers"] == session["layers"]
    assert hello["history"] == {"train": EMPTY_HISTORY, "val": EMPTY_HISTORY}
    assert state == {
        "type": "state",
        "state": "paused",
        "step": 0,
        "controls": session["controls"],
        "viewers": 1,
        "presenter": "away",
        "holder": None,
        "presenters": [],
        "room": "open",
        "lecture": session["lecture"],
        "control_seq": 0,
    }
    assert isinstance(frame, Frame)
    assert (frame["type"], frame["session"], frame["step"]) == ("frame", session["id"], 0)
    assert frame["reply_to"] is None
    assert (frame["train"], frame["val"], frame["grads"]) == (None, None, False)
    assert {name: array.shape for name, array in frame.tensors.items()} == SHAPES
    assert {array.dtype for array in frame.tensors.values()} == {np.dtype("float16")}
    assert frame["pred"] == int(np.argmax(frame.tensors["probs"]))
    assert frame["label"] == int(load_digits_32().val_y[0])  # the first validation digit is the probe


@pytest.mark.parametrize(("kind", "fields"), [("train", {}), ("forward", {"input": drawing(seven)})])
def test_a_viewer_without_the_token_is_refused_and_stays_connected(
    live_server: str, session: dict, open_socket: OpenSocket, kind: str, fields: dict
):
    viewer = open_socket(session)
    reply = viewer.call("auth", token="not-the-token")
    assert (reply["type"], reply["code"]) == ("error", "forbidden")
    reply = viewer.call(kind, **fields)
    assert (reply["type"], reply["code"], reply["id"]) == ("error", "forbidden", 2)
    assert "auth" in reply["message"]
    viewer.assert_alive()
    assert (
        httpx.get(f"{live_server}/api/sessions/{session['id']}", timeout=WAIT_S).json()["state"] == "paused"
    )


def test_forward_of_a_drawing_is_torchs_forward_in_float32(live_server: str, open_socket: OpenSocket):
    info = create_session(live_server, precision="float32")
    frame = open_socket(info, drive=True).answer("forward", input=drawing(seven))
    weights = fetch_weights(live_server, info["id"])
    outputs = layer_outputs(lenet(weights), frame.tensors["input"])
    raw = np.array(drawing(seven), dtype=np.float32)[None]
    assert not np.array_equal(frame.tensors["input"], raw)  # preprocessed into a scan-like image
    assert 0 <= frame.tensors["input"].min() < frame.tensors["input"].max() <= 1
    assert_matches_float32(frame, {name: outputs[name] for name in ACTIVATIONS})
    np.testing.assert_array_equal(frame.tensors["c1.weight"], weights["c1.0.weight"].numpy())
    assert frame["pred"] == int(outputs["probs"].argmax())
    assert frame["label"] is None


def test_forward_in_float16_is_torchs_float32_result_rounded(live_server: str, session: dict, driver: Socket):
    image = drawing(seven)
    frame = driver.answer("forward", input=image, preprocess=False, label=7)
    outputs = layer_outputs(lenet(fetch_weights(live_server, session["id"])), np.array(image)[None])
    np.testing.assert_array_equal(frame.tensors["input"][0], np.array(image, dtype=np.float16))
    assert_matches_float16(frame, {name: outputs[name] for name in ACTIVATIONS})
    assert frame["label"] == 7


@pytest.mark.parametrize(("split", "index"), [("val", 5), ("train", 100)])
def test_sample_frames_carry_the_dataset_image_and_label(driver: Socket, split: str, index: int):
    images, labels = load_digits_32().split(split)
    frame = driver.answer("sample", split=split, index=index)
    assert frame["label"] == int(labels[index])
    np.testing.assert_array_equal(frame.tensors["input"], images[index].numpy().astype(np.float16))


@pytest.mark.parametrize(
    ("kind", "fields", "label"),
    [
        pytest.param("sample", {"split": "train", "index": 11}, int(TRAIN_LABELS[11]), id="dataset-label"),
        pytest.param("forward", {"input": drawing(seven), "preprocess": False}, None, id="no-label"),
    ],
)
def test_grads_are_torchs_autograd_of_the_cross_entropy(
    live_server: str, open_socket: OpenSocket, kind: str, fields: dict, label: int | None
):
    info = create_session(live_server, precision="float32")
    driver = open_socket(info, drive=True)
    driver.ok("set", values={"grads": True})
    frame = driver.answer(kind, **fields)
    assert (frame["grads"], frame["label"]) == (True, label)
    outputs = layer_outputs(lenet(fetch_weights(live_server, info["id"])), frame.tensors["input"])
    # Without a label, the loss is taken against the predicted class (docs/protocol.md).
    target = int(outputs["out"].argmax()) if label is None else label
    assert_matches_float32(frame, layer_grads(outputs, target), atol=1e-6)


def test_head_tensors_are_the_classifier_heads_input_and_parameters(
    live_server: str, open_socket: OpenSocket
):
    info = create_session(live_server, precision="float32")
    driver = open_socket(info, drive=True)
    driver.ok("set", values={"head": True})
    frame = driver.answer("sample", index=2)
    weights = fetch_weights(live_server, info["id"])
    s4 = layer_outputs(lenet(weights), frame.tensors["input"])["s4"].detach()[0]
    np.testing.assert_allclose(frame.tensors["flat"], s4.flatten().numpy(), rtol=1e-4, atol=1e-5)
    head = {"c5.weight": weights["c5.0.weight"].flatten(1), "c5.bias": weights["c5.0.bias"]}
    head |= {f"f6.{p}": weights[f"f6.0.{p}"] for p in ("weight", "bias")}
    head |= {f"out.{p}": weights[f"out.{p}"] for p in ("weight", "bias")}
    for name, parameter in head.items():
        np.testing.assert_array_equal(frame.tensors[name], parameter.numpy(), err_msg=name)


@pytest.mark.parametrize("control", ["grads", "head"])
def test_turning_on_optional_tensors_sends_a_frame_with_them(live_server: str, driver: Socket, control: str):
    models = httpx.get(f"{live_server}/api/models", timeout=WAIT_S).json()["models"]
    names = {m["name"]: m for m in models}["lenet"]["optional_tensors"][control]
    driver.ok("set", values={control: True})
    # No other command follows: only the frame that answers the change can carry the new tensors.
    frame = driver.wait("frame", where=lambda f: set(names) <= f.tensors.keys(), wait_s=5)
    assert frame["step"] == 0


def test_train_streams_frames_with_increasing_steps_until_paused(
    live_server: str, session: dict, driver: Socket
):
    driver.ok("train")
    driver.wait("state", state="training")
    frames = [driver.wait("frame", where=lambda f: f["train"] is not None) for _ in range(3)]
    steps = [f["step"] for f in frames]
    assert 0 < steps[0] < steps[1] < steps[2]
    assert [f["seq"] for f in frames] == sorted({f["seq"] for f in frames})
    for frame in frames:
        assert 0 < frame["train"]["loss"] < math.inf
        assert 0 <= frame["train"]["acc"] <= 1
    driver.ok("pause")
    paused = driver.wait("state", state="paused")
    assert paused["step"] >= steps[-1]
    info = httpx.get(f"{live_server}/api/sessions/{session['id']}", timeout=WAIT_S).json()
    assert (info["state"], info["step"]) == ("paused", paused["step"])


def test_step_runs_that_many_batches(live_server: str, session: dict, driver: Socket):
    driver.ok("step", count=3)
    assert httpx.get(f"{live_server}/api/sessions/{session['id']}", timeout=WAIT_S).json()["step"] == 3
    frame = driver.wait("frame", step=3)
    assert frame["train"]["loss"] > 0
    assert frame["val"]["step"] == 3
    assert driver.wait("state", step=3)["state"] == "paused"
    driver.ok("step")  # count defaults to 1
    assert driver.wait("frame", step=4)["val"]["step"] == 4


def test_reset_restores_the_seeds_weights_and_step_0(
    live_server: str, session: dict, driver: Socket, open_socket: OpenSocket
):
    initial = fetch_weights(live_server, session["id"])
    driver.ok("train")
    driver.wait("state", state="training")
    driver.wait("frame", where=lambda f: f["step"] >= 2)
    driver.ok("reset")
    assert driver.wait("state", state="paused", step=0)["viewers"] == 0  # the driver is not counted
    frame = driver.wait("frame", step=0)
    assert (frame["train"], frame["val"]) == (None, None)
    assert_same_weights(fetch_weights(live_server, session["id"]), initial)
    hello = open_socket(session).read()
    assert hello["history"] == {"train": EMPTY_HISTORY, "val": EMPTY_HISTORY}
    assert (hello["session"]["state"], hello["session"]["step"]) == ("paused", 0)


def test_training_changes_the_weights(live_server: str, session: dict, driver: Socket):
    initial = fetch_weights(live_server, session["id"])
    driver.ok("step", count=1)
    assert not weights_equal(fetch_weights(live_server, session["id"]), initial)


def test_every_viewer_gets_the_same_frame_bytes(session: dict, driver: Socket, open_socket: OpenSocket):
    first, second = open_socket(session), open_socket(session)
    driver.ok("step", count=2)
    frames = [socket.wait("frame", step=2) for socket in (first, second, driver)]
    assert frames[0].raw == frames[1].raw == frames[2].raw


def test_a_late_joiner_gets_the_latest_frame_at_once(session: dict, driver: Socket, open_socket: OpenSocket):
    early = open_socket(session)
    driver.ok("step", count=2)
    last = early.wait("frame", step=2)
    late = open_socket(session)
    hello, state, frame = late.read(), late.read(), late.read()
    assert frame.raw == last.raw
    assert frame["seq"] == last["seq"]
    assert (hello["session"]["step"], state["step"], state["viewers"]) == (
        2,
        2,
        2,
    )  # the driver is not counted
    assert hello["history"]["train"]["step"] == [2]
    assert hello["history"]["val"]["step"] == [2]
    assert hello["history"]["train"]["loss"] == [last["train"]["loss"]]


def test_deleting_the_session_closes_its_viewers_with_4410(
    live_server: str, session: dict, open_socket: OpenSocket
):
    viewer = open_socket(session)
    headers = {"Authorization": f"Bearer {session['token']}"}
    deleted = httpx.delete(f"{live_server}/api/sessions/{session['id']}", headers=headers, timeout=WAIT_S)
    assert deleted.status_code == 204
    assert viewer.wait("closed") == {"type": "closed", "reason": "deleted"}
    assert viewer.close_code() == 4410


def test_a_session_replaced_by_a_successor_sends_its_viewers_there(
    live_server: str, session: dict, open_socket: OpenSocket
):
    viewer = open_socket(session)
    successor = create_session(live_server, config={"activation": "relu"})
    url = f"{live_server}/api/sessions/{session['id']}"
    headers = {"Authorization": f"Bearer {session['token']}"}
    unknown = httpx.delete(url, params={"successor": "nope"}, headers=headers, timeout=WAIT_S)
    assert unknown.status_code == 404
    deleted = httpx.delete(url, params={"successor": successor["id"]}, headers=headers, timeout=WAIT_S)
    assert deleted.status_code == 204
    assert viewer.wait("closed") == {"type": "closed", "reason": "deleted", "successor": successor["id"]}


def test_an_unknown_session_gets_not_found_and_4404(live_server: str):
    socket = Socket(live_server, "no-such-session")
    try:
        assert socket.read() == {
            "type": "error",
            "code": "not_found",
            "message": "no session 'no-such-session'",
            "id": None,  # every error has the same shape: it answers no message
        }
        assert socket.close_code() == 4404
    finally:
        socket.close()


# -- a race that no socket test can force: rooms with a real bus and viewers, interleaved step by step --


class RecordingSocket:
    """What a Viewer needs of a websocket, keeping what it is sent."""

    def __init__(self) -> None:
        self.sent: list = []

    async def send_bytes(self, data: bytes) -> None:
        self.sent.append(data)

    async def send_text(self, text: str) -> None:
        self.sent.append(text)

    async def send_json(self, message: dict) -> None:
        self.sent.append(message)

    async def close(self, code: int, reason: str) -> None:
        self.sent.append(code)


class QuietSession:
    """What Rooms needs of a session."""

    id, last_frame, view = "s1", None, None

    def __init__(self) -> None:
        self.audience = Audience()
        self.control = Control()

    def info(self) -> dict:
        return {"id": self.id}

    def hello(self) -> Hello:
        return Hello(protocol=PROTOCOL, session=self.info(), history={})

    def state_message(self) -> State:
        return State(
            state="paused", step=0, controls={}, viewers=self.audience.count, **self.control.describe()
        )

    def publish_state(self) -> None:
        pass


def test_a_viewer_joining_while_the_last_one_leaves_still_gets_frames(run_async):
    async def scenario() -> list:
        bus, session = MemoryBus(), QuietSession()
        rooms = Rooms(bus, max_viewers=10)
        leaving, joining = Viewer(RecordingSocket()), Viewer(RecordingSocket())
        await rooms.join(session, leaving)
        join = asyncio.create_task(rooms.join(session, joining))
        await asyncio.sleep(0)  # the join has found the room and waits for it to be ready
        await rooms.leave(session, leaving)  # a page reload: the old socket leaves as the new one joins
        await join
        sender = asyncio.create_task(joining.send_loop())
        await bus.publish(channel(session.id, "frame"), b"the next frame")
        for _ in range(20):
            await asyncio.sleep(0)
        sender.cancel()
        await rooms.close()
        return joining.ws.sent

    assert run_async(scenario())[-1] == b"the next frame"


def test_a_joining_viewer_gets_each_frame_once_and_in_order(run_async):
    """A viewer joins with the room's newest relayed frame, then gets each newer one: neither a frame the
    room relays while the viewer joins nor one made and not yet relayed reaches it twice (the seq of
    frames only increases)."""

    async def scenario() -> tuple[list, list]:
        bus, session = MemoryBus(), QuietSession()
        rooms = Rooms(bus, max_viewers=10)
        await rooms.join(session, Viewer(RecordingSocket()))
        frames = channel(session.id, "frame")
        session.last_frame = b"one"
        bus.publish_nowait(frames, session.last_frame)  # the room relays it while the next viewer joins
        early = Viewer(RecordingSocket())
        await rooms.join(session, early)
        session.last_frame = b"two"  # made, not yet relayed when the next viewer joins
        late = Viewer(RecordingSocket())
        await rooms.join(session, late)
        bus.publish_nowait(frames, session.last_frame)
        for _ in range(20):
            await asyncio.sleep(0)
        got = early.waiting_frames(), late.waiting_frames()
        await rooms.close()
        return got

    assert run_async(scenario()) == ([b"one", b"two"], [b"one", b"two"])


def test_changing_a_control_of_a_model_that_does_not_train_answers_with_a_frame(
    live_server: str, open_socket: OpenSocket
):
    info = create_session(live_server, model="dropout")
    driver = open_socket(info, drive=True)
    driver.wait("frame")
    driver.ok("set", values={"p": 0.25, "train": False})
    frame = driver.wait("frame", where=lambda f: f["p"] == 0.25)
    assert frame["mode"] == "eval"
    np.testing.assert_array_equal(frame.tensors["output"], frame.tensors["input"])
