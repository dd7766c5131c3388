"""The seq2seq model through the real app: refusals by field, a typed date's frame held against the
session's weights decoded greedily here (the model and its twin without attention), bad inputs refused
while the session goes on."""

import re

import httpx
import torch

from api.helpers import WAIT_S, create_session, fetch_weights
from app.engine.data.dates import (
    INPUT_CHARS,
    MAX_INPUT,
    OUTPUT_CHARS,
    OUTPUT_LENGTH,
    decode_output,
    encode_input,
)
from app.engine.models.seq2seq import Seq2Seq, Seq2SeqConfig


def greedy(weights: dict, config: dict, text: str, prefix: str = "") -> tuple[str, torch.Tensor | None]:
    """The weights under ``prefix`` in a fresh Seq2Seq: the translation of ``text`` and its attention."""
    model = Seq2Seq(Seq2SeqConfig(len(INPUT_CHARS) + 1, len(OUTPUT_CHARS), OUTPUT_LENGTH, **config))
    own = {k.removeprefix(prefix): v for k, v in weights.items() if k.startswith(prefix)}
    if not prefix:
        own = {k: v for k, v in own.items() if not k.startswith("baseline.")}
    model.load_state_dict(own)
    x = torch.tensor([encode_input(text)])
    with torch.no_grad():
        out = model.eval()(x, torch.tensor([x.shape[1]]))
    attention = None if out.attention is None else out.attention[0]
    return decode_output(out.logits[0].argmax(-1).tolist()), attention


def test_bad_config_is_refused_naming_the_field(live_server: str) -> None:
    refused = (({"hidden": 100_000}, "config.hidden"), ({"attention": "cosine"}, "config.attention"))
    for config, field in refused:
        body = {"model": "seq2seq", "config": config}
        response = httpx.post(f"{live_server}/api/sessions", json=body, timeout=WAIT_S)
        assert response.status_code == 422
        assert response.json()["error"]["field"] == field


def test_a_typed_date_is_translated_by_both_models_and_bad_inputs_are_refused(
    live_server: str, open_socket
) -> None:
    info = create_session(live_server, model="seq2seq", config={"hidden": 16, "cell": "lstm"})
    assert info["baseline"] is True
    assert info["length_edges"][0] == 1
    driver = open_socket(info, drive=True)
    driver.ok("step", count=3)
    frame = driver.wait("frame", step=3)
    assert frame["baseline"]["train"]["loss"] > 0
    assert 0 <= frame["baseline"]["val"]["acc"] <= 1

    text = "27 Nov 2026 and 03.04.1999, the second"  # two dates, the one to translate named last
    frame = driver.answer("text", text=text, purpose="input")
    assert (frame["input"], frame["target"], frame["date_like"]) == (text, None, True)
    weights = fetch_weights(live_server, info["id"])
    prediction, attention = greedy(weights, info["config"], text)
    assert frame["prediction"] == prediction
    torch.testing.assert_close(torch.tensor(frame.tensors["attention"]), attention)
    assert torch.allclose(torch.tensor(frame.tensors["attention"]).sum(1), torch.ones(OUTPUT_LENGTH))
    twin = {**info["config"], "attention": "none"}
    assert frame["baseline"]["prediction"] == greedy(weights, twin, text, "baseline.")[0]

    for fields, field in (
        ({"text": "27 Nov 2026 ☃"}, "text"),
        ({"text": "9" * (MAX_INPUT + 1)}, "text"),
        ({"text": "27 Nov 2026", "purpose": "corpus"}, "purpose"),
    ):
        error = driver.call("text", **fields)
        assert (error["type"], error["field"]) == ("error", field)
    error = driver.call("sample", split="val", index=10**6)
    assert (error["type"], error["field"]) == ("error", "index")
    frame = driver.answer("sample", split="val", index=3)
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", frame["target"])
    assert frame.tensors["attention"].shape == (OUTPUT_LENGTH, len(frame["input"]))
