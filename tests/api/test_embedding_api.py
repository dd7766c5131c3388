"""The /embedding models over the websocket: the lookup equals one-hot @ W, the streamed PCA
coordinates equal torch's PCA of the streamed vectors while training moves them, queries answered
from the session's own weights, bad inputs refused naming their field; the pretrained table when
the extra is installed, and a clear refusal naming the install command when it is not."""

import itertools
from collections.abc import Callable

import httpx
import pytest
import torch
import torch.nn.functional as F

from api.helpers import Socket, create_session, fetch_weights
from app.engine import pretrained
from app.engine.pretrained import INSTALL_HINT, pretrained_available

SMALL = {"corpus": "shipped", "dim": 8, "shown": 30}


def tensor(frame, name: str) -> torch.Tensor:
    """A streamed tensor as a torch tensor (a copy: the frame's arrays are read-only views)."""
    return torch.from_numpy(frame.tensors[name].copy())


def streamed_pca(frame) -> tuple[torch.Tensor, torch.Tensor]:
    """torch's PCA of the frame's own vectors: the centred vectors and the SVD's first three axes."""
    vectors = tensor(frame, "vectors")
    centred = vectors - vectors.mean(0)
    return centred, torch.linalg.svd(centred, full_matrices=False)[2][:3]


def test_the_lookup_over_the_socket_equals_one_hot_times_w(live_server: str, open_socket: Callable) -> None:
    session = create_session(live_server, model="embedding", config={"vocab": 12, "dim": 4})
    socket: Socket = open_socket(session, drive=True)
    frame = socket.answer("forward", input=[[11, 0, 3], [3, 3, 7]])
    indices = torch.tensor([[11, 0, 3], [3, 3, 7]])
    weight = fetch_weights(live_server, session["id"])["weight"]
    assert torch.equal(tensor(frame, "weight"), weight)
    assert torch.equal(tensor(frame, "output"), F.embedding(indices, weight))
    onehot = F.one_hot(indices, 12).float()
    torch.testing.assert_close(tensor(frame, "onehot_output"), onehot @ weight)
    assert frame.header["memory"][0]["onehot_table"] == 12 * 12 * 4
    assert frame.header["memory"][0]["index_batch"] == 6 * 8
    for rows in ([[12]], [[1.5]], [[1, 2], [3]]):
        reply = socket.call("forward", input=rows)
        assert reply["type"] == "error"
        assert reply["field"] == "input"
    socket.assert_alive()


def test_streamed_coordinates_are_torchs_pca_of_the_streamed_vectors(
    live_server: str, open_socket: Callable
) -> None:
    session = create_session(live_server, model="word2vec", config=SMALL)
    socket: Socket = open_socket(session, drive=True)
    socket.ok("set", values={"lr": 0.05, "batch_size": 64})
    frames = [socket.answer("query", word="the", analogy=None)]
    for n in range(1, 4):
        socket.ok("step", count=20)
        frames.append(socket.wait("frame", step=20 * n))
    weights = fetch_weights(live_server, session["id"])
    for before, frame in itertools.pairwise(frames):
        centred, axes = streamed_pca(frame)
        components = tensor(frame, "components")
        signs = (axes * components).sum(1)
        torch.testing.assert_close(signs.abs(), torch.ones(3), atol=1e-4, rtol=0)  # torch's axes, up to sign
        torch.testing.assert_close(tensor(frame, "coords"), centred @ components.T)
        previous = tensor(before, "components")
        assert ((components * previous).sum(1) > 0).all()  # each axis keeps the previous frame's sign
        assert not torch.equal(tensor(frame, "coords"), tensor(before, "coords"))
    last = tensor(frames[-1], "vectors")
    assert torch.equal(last, weights["center.weight"][:30])
    neighbours = frames[-1].header["query"]["neighbours"]
    cosines = F.normalize(weights["center.weight"], dim=1) @ F.normalize(weights["center.weight"][0], dim=0)
    cosines[0] = -2
    assert [n["id"] for n in neighbours] == cosines.topk(len(neighbours)).indices.tolist()


def test_bad_queries_name_their_field_and_the_session_carries_on(
    live_server: str, open_socket: Callable
) -> None:
    session = create_session(live_server, model="word2vec", config=SMALL)
    socket: Socket = open_socket(session, drive=True)
    for fields, field in [
        ({"word": "zzzz"}, "word"),
        ({"analogy": ["the", "a"]}, "analogy"),
        ({"analogy": ["the", "zzzz", "a"]}, "analogy[1]"),
        ({"word": "x" * 65}, "word"),
    ]:
        reply = socket.call("query", **fields)
        assert reply["type"] == "error", reply
        assert reply["field"] == field, reply
    reply = socket.call("text", text="too few words", purpose="corpus")
    assert reply["field"] == "text"
    socket.assert_alive()
    assert socket.answer("query", word="the")["query"]["word"] == "the"


def test_without_the_extra_the_pretrained_table_is_refused_naming_the_install_command(
    live_server: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pretrained, "pretrained_available", lambda: False)
    reply = httpx.post(f"{live_server}/api/sessions", json={"model": "minilm_tokens"}, timeout=30)
    assert reply.status_code == 501
    assert reply.json()["error"]["code"] == "unavailable"
    assert INSTALL_HINT in reply.json()["error"]["message"]


@pytest.mark.skipif(not pretrained_available(), reason=f"the pretrained extra is absent: {INSTALL_HINT}")
def test_the_pretrained_table_streams_chosen_tokens_and_answers_an_analogy(
    live_server: str, open_socket: Callable
) -> None:
    tokenizer, model = pretrained.load_minilm()
    session = create_session(live_server, model="minilm_tokens")
    socket: Socket = open_socket(session, drive=True)
    frame = socket.answer("text", text="cat dog paris london blue", purpose="input")
    ids = tokenizer.convert_tokens_to_ids(["cat", "dog", "paris", "london", "blue"])
    table = model.embeddings.word_embeddings.weight.detach()
    assert frame["words"] == ["cat", "dog", "paris", "london", "blue"]
    assert torch.equal(tensor(frame, "vectors"), table[ids])
    centred, axes = streamed_pca(frame)
    components = tensor(frame, "components")
    torch.testing.assert_close((axes * components).sum(1).abs(), torch.ones(3), atol=1e-4, rtol=0)
    torch.testing.assert_close(tensor(frame, "coords"), centred @ components.T)
    frame = socket.answer("query", word="paris", analogy=["paris", "france", "germany"])
    assert frame["analogy"]["results"][0]["word"] == "berlin"
    reply = socket.call("text", text="cat dog qqqqzzzz", purpose="input")
    assert reply["field"] == "text"
