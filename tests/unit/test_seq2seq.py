"""Dates → ISO: the generator, attention against a hand computation, and training within a budget."""

import datetime as dt

import pytest
import torch
from client_messages import typed
from safetensors.torch import load

from app.engine.data.dates import (
    AFTER,
    BEFORE,
    FORMATS,
    MAX_INPUT,
    decode_output,
    encode_input,
    iso,
    make_pairs,
    ordinal,
    split_dates,
)
from app.engine.live.seq2seq import LENGTH_EDGES, SEQ2SEQ
from app.engine.models.seq2seq import Seq2Seq, Seq2SeqConfig
from app.engine.params import ParamError, validate

CPU = torch.device("cpu")
# Optimizer steps with the default controls. Measured: 99.8 % held-out exact match, the twin 35 %;
# seeds 1, 5 and 9 give > 98 % too (at 150 steps seed 5 gives 92 %).
BUDGET = 200


def build(seed=0, controls=None, **config):
    return SEQ2SEQ.build(
        SEQ2SEQ.validate_config(config), validate(SEQ2SEQ.controls, controls or {}, "controls"), seed, CPU
    )


def test_formats_cover_the_issue_examples():
    day = dt.date(2026, 11, 27)
    texts = {fmt(day) for fmt in FORMATS}
    for text in ("27 Nov 2026", "November 27, 2026", "27/11/26", "Friday 27th of November 2026"):
        assert text in texts
    assert iso(day) == "2026-11-27"
    assert [ordinal(d) for d in (1, 2, 3, 4, 11, 12, 13, 21, 22, 23, 31)] == [
        "1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd", "23rd", "31st",
    ]  # fmt: skip
    longest = max(len(fmt(dt.date(2049, 9, 29))) for fmt in FORMATS)
    assert longest + max(map(len, BEFORE)) + max(map(len, AFTER)) <= MAX_INPUT


def test_split_is_by_date_and_seeded():
    train, held_out = split_dates(3)
    assert not set(train) & set(held_out)
    assert 0.09 < len(held_out) / (len(train) + len(held_out)) < 0.11
    assert split_dates(3) == (train, held_out)
    pairs = make_pairs(held_out, 50, seed=1)
    assert pairs.x.shape == (50, int(pairs.lengths.max()))
    for text, target in zip(pairs.texts, pairs.y.tolist(), strict=True):
        day = dt.date.fromisoformat(decode_output(target))
        assert day in held_out
        assert text in {b + fmt(day) + a for b in BEFORE for fmt in FORMATS for a in AFTER}
    assert make_pairs(held_out, 50, seed=1).texts == pairs.texts


@pytest.mark.parametrize("kind", ["additive", "dot"])
@pytest.mark.parametrize("cell", ["gru", "lstm"])
def test_attention_rows_sum_to_one_and_match_a_hand_computation(kind, cell):
    config = Seq2SeqConfig(
        in_vocab=20, out_vocab=5, steps=4, cell=cell, attention=kind, hidden=6, embedding=3
    )
    torch.manual_seed(0)
    model = Seq2Seq(config)
    x = torch.tensor([[3, 4, 5, 6, 7], [8, 9, 10, 0, 0]])
    lengths = torch.tensor([5, 3])
    out = model(x, lengths)
    assert out.attention.shape == (2, 4, 5)
    assert torch.allclose(out.attention.sum(-1), torch.ones(2, 4), atol=1e-6)
    assert torch.all(out.attention[1, :, 3:] == 0)  # padding gets no weight
    # the first step by hand: the decoder's first state from the summary, scores, softmax, context
    outputs, summary = model.encode(x, lengths)
    s = torch.tanh(summary @ model.bridge.weight.T + model.bridge.bias)
    keys = outputs @ model.keys.weight.T
    if kind == "additive":
        query = s @ model.query.weight.T + model.query.bias
        scores = ((query[:, None] + keys).tanh() @ model.score.weight.T).squeeze(-1)
    else:
        scores = torch.einsum("blh,bh->bl", keys, s)
    scores[1, 3:] = float("-inf")
    alpha = torch.softmax(scores, -1)
    assert torch.allclose(out.attention[:, 0], alpha, atol=1e-6)
    assert torch.allclose(out.context[:, 0], torch.einsum("bl,blc->bc", alpha, outputs), atol=1e-6)


def test_summary_ignores_padding():
    torch.manual_seed(0)
    model = Seq2Seq(Seq2SeqConfig(20, 5, 3, hidden=4, embedding=3))
    short = model.encode(torch.tensor([[3, 4, 5]]), torch.tensor([3]))[1]
    padded = model.encode(torch.tensor([[3, 4, 5, 0, 0]]), torch.tensor([3]))[1]
    assert torch.allclose(short, padded, atol=1e-6)


def test_frame_carries_prediction_attention_and_context():
    live = build(hidden=16)
    live.handle(typed({"type": "text", "text": "Friday 27th of November 2026", "purpose": "input"}))
    fields, tensors = live.frame(False, torch.float32)
    assert fields["input"] == "Friday 27th of November 2026"
    assert fields["target"] is None
    assert len(fields["prediction"]) == 10
    assert tensors["attention"].shape == (10, 28)
    assert torch.allclose(torch.from_numpy(tensors["attention"]).sum(1), torch.ones(10), atol=1e-5)
    assert tensors["context"].shape == (10, 16)  # one direction: hidden
    assert tensors["acc_by_length"].shape == (len(LENGTH_EDGES) - 1,)
    assert fields["baseline"]["prediction"]
    assert tensors["baseline.acc_by_length"].shape == (6,)
    # the frame's prediction is the greedy decode of the exported weights
    weights = load(live.export_weights())
    model = Seq2Seq(live.main.model.config)
    model.load_state_dict({k: v for k, v in weights.items() if not k.startswith("baseline.")})
    x = torch.tensor([encode_input(fields["input"])])
    out = model.eval()(x, torch.tensor([x.shape[1]]))
    assert decode_output(out.logits[0].argmax(-1).tolist()) == fields["prediction"]
    assert torch.allclose(out.attention[0], torch.from_numpy(tensors["attention"]), atol=1e-6)
    sure = out.logits[0].softmax(-1).max(-1).values.min().item()
    assert fields["confidence"] == pytest.approx(sure, rel=1e-5)
    assert fields["date_like"] is True


def test_text_without_a_day_number_is_flagged():
    live = build(hidden=8)
    live.handle(typed({"type": "text", "text": "tomorrow", "purpose": "input"}))
    fields, _ = live.frame(False, torch.float32)
    assert fields["date_like"] is False
    assert 0 < fields["confidence"] <= 1


def test_bad_text_names_the_field():
    live = build(hidden=8)
    for text in ("", "x" * (MAX_INPUT + 1), "27 Nov 2026 ☃"):
        with pytest.raises(ParamError) as err:
            live.handle(typed({"type": "text", "text": text, "purpose": "input"}))
        assert err.value.field == "text"
    with pytest.raises(ParamError) as err:
        live.handle(typed({"type": "sample", "split": "val", "index": 10**6}))
    assert err.value.field == "index"


def test_without_attention_there_is_no_twin_and_no_matrix():
    live = build(hidden=8, attention="none")
    fields, tensors = live.frame(False, torch.float32)
    assert "attention" not in tensors
    assert fields["baseline"] is None
    assert live.describe()["baseline"] is False


def test_trains_past_95_percent_and_beats_no_attention_at_every_length():
    torch.set_num_threads(1)
    live = build()  # the defaults: GRU encoder, additive attention, the twin without
    for _ in range(BUDGET):
        live.train_step()
    assert live.evaluate().acc > 0.95  # held-out dates, greedy decoding
    long = slice(LENGTH_EDGES.index(48), None)  # inputs of 48 characters and more
    with_attention = live.main.by_length[long].mean()
    without = live.baseline.by_length[long].mean()
    assert with_attention > 0.9
    sentence = "the letter is dated 27 Nov 2026 and nobody there remembered what happened next"
    live.handle(typed({"type": "text", "text": sentence, "purpose": "input"}))
    assert live.frame(False, torch.float32)[0]["prediction"] == "2026-11-27"
    assert with_attention > without + 0.3
    # the twin lags as far on the shortest texts, bare dates among them: what is slow without attention
    # is reading the date back out of one vector, not carrying it through the words after it
    shortest = 0
    assert live.main.by_length[shortest] > live.baseline.by_length[shortest] + 0.3
