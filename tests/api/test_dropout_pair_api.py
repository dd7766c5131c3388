"""The dropout pair over HTTP and the websocket: after steps, a frame's losses are what the session's
two networks (its exported weights) compute in torch; a bad setting is refused naming its field."""

from collections.abc import Callable

import httpx
import torch
import torch.nn.functional as F

from api.helpers import Socket, create_session, fetch_weights
from app.engine.live.dropoutpair import RUNS, digit_splits, mlp


def test_frames_carry_both_runs_losses_as_their_weights_compute(
    live_server: str, open_socket: Callable
) -> None:
    session = create_session(live_server, model="dropout_pair", config={"per_class": 5, "hidden": 32})
    info = httpx.get(f"{live_server}/api/sessions/{session['id']}", timeout=30).json()
    assert info["layers"] == [64, 32, 32, 10]
    assert info["dataset"] == {"name": "digits8", "train": 50, "val": 500}
    socket: Socket = open_socket(session, drive=True)
    socket.ok("step", count=20)
    frame = socket.wait("frame", where=lambda f: f.header["step"] == 20)
    weights = fetch_weights(live_server, session["id"])
    (x, y), (vx, vy) = digit_splits(5)
    for run in RUNS:
        net = mlp(32, 0.0, 0.0)
        net.load_state_dict(
            {k.removeprefix(f"{run}."): v for k, v in weights.items() if k.startswith(f"{run}.")}
        )
        with torch.no_grad():
            train_logits, val_logits = net(x), net(vx)
        numbers = frame.header[run]
        assert abs(numbers["train_loss"] - float(F.cross_entropy(train_logits, y))) < 1e-5
        assert abs(numbers["val_loss"] - float(F.cross_entropy(val_logits, vy))) < 1e-5
        assert numbers["val_acc"] == float((val_logits.argmax(1) == vy).float().mean())
    # The two runs started from the same weights, yet dropout made them differ.
    assert not torch.equal(weights["plain.1.weight"], weights["dropout.1.weight"])


def test_a_bad_setting_is_refused_naming_its_field(live_server: str) -> None:
    reply = httpx.post(
        f"{live_server}/api/sessions",
        json={"model": "dropout_pair", "config": {"per_class": 500}},
        timeout=30,
    )
    assert reply.status_code == 422, reply.text
    assert "per_class" in reply.text
