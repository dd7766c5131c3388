"""The rnn model through the real app: HTTP refusals by field, typed sequences over the websocket held
against nn.RNN built here with the session's weights, and bad sequences refused while the session goes on."""

import httpx
import torch

from api.helpers import WAIT_S, create_session, fetch_weights
from app.engine.models.rnn import make_rnn


def test_sizes_too_large_are_refused_naming_the_field(live_server: str) -> None:
    for field in ("hidden_size", "seq_len"):
        body = {"model": "rnn", "config": {field: 100_000}}
        response = httpx.post(f"{live_server}/api/sessions", json=body, timeout=WAIT_S)
        assert response.status_code == 422
        assert response.json()["error"]["field"] == f"config.{field}"
        assert "at most" in response.json()["error"]["message"]


def test_a_typed_sequence_runs_through_nn_rnn_and_a_wrong_shape_is_refused(
    live_server: str, open_socket
) -> None:
    config = {
        "batch_first": True,
        "batch": 2,
        "seq_len": 3,
        "input_size": 2,
        "num_layers": 2,
        "bidirectional": True,
    }
    info = create_session(live_server, model="rnn", config=config)
    driver = open_socket(info, drive=True)
    x = [[[0.5, -1.0], [2.0, 0.0], [0.25, 1.5]], [[-0.5, 1.0], [0.0, 3.0], [1.0, -2.0]]]  # (B, T, I)
    frame = driver.answer("forward", input=x)
    rnn = make_rnn(info["config"])
    rnn.load_state_dict(fetch_weights(live_server, info["id"]))
    with torch.no_grad():
        output, h_n = rnn(torch.tensor(x))
    torch.testing.assert_close(torch.tensor(frame.tensors["output"]), output)
    torch.testing.assert_close(torch.tensor(frame.tensors["h_n"]), h_n)
    assert frame["max_diff"] < 1e-6

    error = driver.call("forward", input=[[[1.0, 2.0], [3.0, 4.0]]])
    assert (error["type"], error["field"]) == ("error", "input")
    assert "[2, 3, 2]" in error["message"]
    again = driver.answer("pattern", name="checkerboard")
    assert again.tensors["input"].shape == (2, 3, 2)
