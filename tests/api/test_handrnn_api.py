"""The char-RNN by hand over HTTP and the websocket: the session's info carries the source that trains,
and after steps a frame's chunk and hidden states are what the session's weights compute in torch."""

from collections.abc import Callable

import httpx
import torch
from polling import wait_until

from api.helpers import Socket, create_session, fetch_weights
from app.engine.data.corpus import Vocab, load_corpus
from app.engine.models import handrnn as hand


def test_session_sends_its_code_and_frames_the_chunk_its_weights_compute(
    live_server: str, open_socket: Callable
) -> None:
    session = create_session(live_server, model="handrnn", config={"hidden": 24})
    info = httpx.get(f"{live_server}/api/sessions/{session['id']}", timeout=30).json()
    assert [c["name"] for c in info["code"]] == ["forward", "backward", "clip", "adagrad"]
    assert "def backward(" in info["code"][1]["source"]
    assert info["shapes"]["W_hh"] == [24, 24]
    socket: Socket = open_socket(session, drive=True)
    socket.ok("step", count=5)
    frame = socket.wait("frame", where=lambda f: f.header["step"] == 5 and f.header["chunk"] is not None)
    chunk = frame.header["chunk"]
    assert chunk["check"]["max_abs_error"] < 1e-12
    vocab = Vocab.of(load_corpus("shipped"))
    assert chunk["inputs"] == load_corpus("shipped")[100:125]  # the fifth chunk of 25 characters
    weights = {k: v.double() for k, v in fetch_weights(live_server, session["id"]).items()}
    inputs, targets = vocab.encode(chunk["inputs"]).tolist(), vocab.encode(chunk["targets"]).tolist()
    h_prev = torch.tensor(frame.tensors["h"][0]).double()
    run = hand.forward(weights, inputs, targets, h_prev)  # the weights after the step: the frame's check
    torch.testing.assert_close(
        torch.tensor(frame.tensors["h"][1:]).double(), torch.stack(run.hs[1:]), atol=1e-5, rtol=0
    )
    assert abs(chunk["loss"] - run.loss.item() / 25) < 1e-9
    torch.testing.assert_close(
        torch.tensor(frame.tensors["p_target"]).double(),
        torch.stack([p[t] for p, t in zip(run.ps, targets, strict=True)]),
        atol=1e-6,
        rtol=0,
    )


def test_a_fork_starts_from_the_same_weights(live_server: str, open_socket: Callable) -> None:
    session = create_session(live_server, model="handrnn", config={"hidden": 16})
    open_socket(session, drive=True).ok("step", count=3)
    wait_until(
        lambda: httpx.get(f"{live_server}/api/sessions/{session['id']}", timeout=30).json()["step"] == 3
    )
    reply = httpx.post(f"{live_server}/api/sessions/{session['id']}/fork", timeout=30)
    assert reply.status_code == 201, reply.text
    fork = reply.json()
    assert fork["step"] == 3
    mine, theirs = fetch_weights(live_server, session["id"]), fetch_weights(live_server, fork["id"])
    assert mine.keys() == theirs.keys()
    assert all(torch.equal(mine[k], theirs[k]) for k in mine)
