"""The char-RNN over the websocket and HTTP: a prompt's continuation against torch, corpora replaced by
PUT, and bad inputs refused naming their field while the socket and the session carry on."""

from collections.abc import Callable

import httpx
import torch

from api.charrnn_torch import rerun
from api.helpers import Socket, create_session

MB = 1024 * 1024
STORY = "The boats came home one by one, and the keeper counted them. " * 5


def test_generate_answers_with_the_continuation_torch_computes(
    live_server: str, open_socket: Callable
) -> None:
    session = create_session(live_server, model="charrnn", config={"corpus": "shipped", "hidden": 32})
    socket: Socket = open_socket(session, drive=True)
    frame = socket.answer("generate", prompt="The boat", length=40, temperature=0.7)
    sample = frame.header["sample"]
    assert sample["kind"] == "generate"
    assert sample["prompt"] == "The boat"
    assert len(sample["text"]) == 40
    probs, hidden = rerun(live_server, session, "The boat", sample["text"], 0.7)
    top = probs.topk(5)
    torch.testing.assert_close(torch.tensor(frame.tensors["top5_p"]), top.values, atol=1e-5, rtol=1e-5)
    assert torch.equal(torch.tensor(frame.tensors["top5_i"]).long(), top.indices)
    ids = torch.tensor([sample["vocab"].index(c) for c in sample["text"]])
    torch.testing.assert_close(
        torch.tensor(frame.tensors["p_chosen"]), probs[torch.arange(40), ids], atol=1e-5, rtol=1e-5
    )
    torch.testing.assert_close(torch.tensor(frame.tensors["hidden"]), hidden, atol=1e-5, rtol=1e-5)


def test_a_corpus_put_over_http_replaces_the_vocabulary(live_server: str, open_socket: Callable) -> None:
    session = create_session(live_server, model="charrnn", config={"corpus": "shipped", "hidden": 32})
    socket: Socket = open_socket(session, drive=True)
    url = f"{live_server}/api/sessions/{session['id']}/text"
    auth = {"Authorization": f"Bearer {session['token']}"}
    reply = httpx.put(url, content=STORY.encode(), headers=auth, timeout=30)
    assert reply.status_code == 200
    assert reply.json() == {"chars": len(STORY)}
    frame = socket.wait("frame", where=lambda f: f.header["corpus"]["name"] == "upload")
    vocab = "".join(sorted(set(STORY)))
    assert frame.header["sample"]["vocab"] == vocab
    assert frame.header["corpus"]["vocab"] == len(vocab)
    info = httpx.get(f"{live_server}/api/sessions/{session['id']}", timeout=30).json()
    assert info["step"] == 0  # a new vocabulary: the model started again, and its facts are read anew
    assert info["layers"][0]["in"] == [len(vocab)]

    bad = httpx.put(url, content=b"fine \xc3\x28", headers=auth, timeout=30)
    assert bad.status_code == 422
    assert bad.json()["error"]["field"] == "body"
    assert "byte 5" in bad.json()["error"]["message"]
    big = httpx.put(url, content=b"a" * (MB + 1), headers=auth, timeout=30)
    assert big.status_code == 413
    assert (
        socket.answer("generate", prompt="The", length=5, temperature=1.0).header["sample"]["vocab"] == vocab
    )


def test_bad_inputs_name_their_field_and_the_session_carries_on(
    live_server: str, open_socket: Callable
) -> None:
    session = create_session(live_server, model="charrnn", config={"corpus": "shipped", "hidden": 32})
    socket: Socket = open_socket(session, drive=True)
    for kind, fields, field in [
        ("generate", {"prompt": "ünïcode", "length": 5, "temperature": 1.0}, "prompt"),
        ("generate", {"prompt": "a", "length": 0, "temperature": 1.0}, "length"),
        ("text", {"text": "too short", "purpose": "corpus"}, "text"),
        ("text", {"text": "The keeper", "purpose": "input"}, "purpose"),
        ("forward", {"input": [[0.0]]}, "type"),
    ]:
        reply = socket.call(kind, **fields)
        assert reply["type"] == "error", reply
        assert reply["field"] == field, reply
    socket.assert_alive()
    assert (
        len(socket.answer("generate", prompt="", length=12, temperature=0.5).header["sample"]["text"]) == 12
    )
