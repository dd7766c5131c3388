"""The char-RNN engine against torch: corpora, truncated BPTT, sampling and its tensors, learning."""

import copy
import sysconfig
from pathlib import Path

import pytest
import torch
import torch.nn.functional as F
from client_messages import typed

from app.engine.bptt import BpttTrainer, as_streams
from app.engine.data.corpus import STDLIB_CAP, STDLIB_FILES, Corpus, Vocab, check_text, load_corpus
from app.engine.live.charrnn import CHARRNN, CharRNNLive
from app.engine.models.charrnn import CharRNN, CharRNNConfig
from app.engine.params import ParamError, validate
from app.engine.textgen import generate

CPU = torch.device("cpu")


def make_live(config: dict | None = None, controls: dict | None = None) -> CharRNNLive:
    """A live char-RNN built as a session builds it."""
    return CHARRNN.build(
        CHARRNN.validate_config(config or {}), validate(CHARRNN.controls, controls or {}, "controls"), 0, CPU
    )


def test_stdlib_corpus_is_the_listed_sources_of_the_running_interpreter():
    root = Path(sysconfig.get_paths()["stdlib"])
    expected = "".join((root / f).read_text(encoding="utf-8") for f in STDLIB_FILES)[:STDLIB_CAP]
    assert load_corpus("stdlib") == expected
    assert "def dedent(" in expected  # textwrap.py comes first


def test_vocab_round_trip_and_refusals_name_the_field():
    vocab = Vocab.of("hello world")
    assert vocab.chars == " dehlorw"
    assert vocab.decode(vocab.encode("world").tolist()) == "world"
    with pytest.raises(ParamError) as err:
        vocab.encode("hex", "prompt")
    assert err.value.field == "prompt"
    assert "'x'" in err.value.message
    with pytest.raises(ParamError) as err:
        check_text("too short")
    assert err.value.field == "text"
    assert "200" in err.value.message


def test_corpus_split_holds_out_the_end():
    text = load_corpus("shipped")
    corpus = Corpus.of("shipped", text)
    assert corpus.vocab.decode(corpus.train.tolist()) + corpus.vocab.decode(corpus.val.tolist()) == text
    assert len(corpus.val) == int(len(text) * 0.1)


def test_streams_are_contiguous_slices_with_next_character_targets():
    ids = torch.arange(103)
    x, y = as_streams(ids, 4)  # (4, 25)
    assert x.shape == y.shape == (4, 25)
    torch.testing.assert_close(x[1], torch.arange(25, 50))
    torch.testing.assert_close(y, x + 1)


def test_truncated_bptt_carries_the_detached_state_into_the_next_chunk():
    ids = Corpus.of("shipped", load_corpus("shipped")).train
    model = torch.manual_seed(0) and CharRNN(CharRNNConfig(int(ids.max()) + 1, "gru", 2, 32, 8))
    trainer = BpttTrainer(model, ids, ids[:300], {"lr": 1e-2, "batch_size": 4, "bptt": 16})
    x, y = as_streams(ids, 4)
    before = copy.deepcopy(model)
    trainer.step()
    logits, _, state1 = before(x[:, :16])
    assert trainer.take_running().loss == pytest.approx(
        F.cross_entropy(logits.flatten(0, 1), y[:, :16].flatten()).item(), rel=1e-5
    )
    torch.testing.assert_close(trainer._state, state1.detach())
    assert not trainer._state.requires_grad
    after_one = copy.deepcopy(model)
    trainer.step()  # the second chunk, starting from the first one's final state
    logits, _, _ = after_one(x[:, 16:32], state1.detach())
    expected = F.cross_entropy(logits.flatten(0, 1), y[:, 16:32].flatten()).item()
    assert trainer.take_running().loss == pytest.approx(expected, rel=1e-5)


@pytest.mark.parametrize("cell", ["rnn", "lstm"])
def test_generation_matches_the_model_read_over_the_sampled_text(cell):
    model = torch.manual_seed(1) and CharRNN(CharRNNConfig(12, cell, 2, 16, 8)).eval()
    prompt = torch.tensor([3, 1, 4])
    gen = generate(model, prompt, 30, 0.7, torch.Generator().manual_seed(5))
    logits, hidden, _ = model(torch.cat([prompt, gen.ids])[None])  # teacher-forced: (1, 33, V), (1, 33, H)
    probs = F.softmax(logits[0, 2:-1] / 0.7, dim=-1)  # the distributions the 30 characters were drawn from
    top = probs.topk(5)
    torch.testing.assert_close(gen.top_p, top.values, atol=1e-5, rtol=1e-5)
    assert torch.equal(gen.top_i, top.indices.to(torch.int32))
    torch.testing.assert_close(gen.p_chosen, probs[torch.arange(30), gen.ids], atol=1e-5, rtol=1e-5)
    torch.testing.assert_close(gen.hidden, hidden[0, 3:].T, atol=1e-5, rtol=1e-5)  # (H, L)
    again = generate(model, prompt, 30, 0.7, torch.Generator().manual_seed(5))
    assert torch.equal(again.ids, gen.ids)


def test_default_charrnn_learns_the_shipped_text():
    """Stated: the default model's training loss on the shipped text falls below 2.0 within 120 steps."""
    live = make_live({"corpus": "shipped"})
    start = live.evaluate().loss
    assert start == pytest.approx(
        torch.log(torch.tensor(45.0)).item(), abs=0.15
    )  # uniform over 45 characters
    for _ in range(100):
        live.train_step()
    live.take_running()
    for _ in range(20):
        live.train_step()
    assert live.take_running().loss < 2.0
    assert live.evaluate().loss < start - 1.0


def test_frames_carry_a_sample_when_due_and_a_prompts_continuation_when_asked():
    live = make_live({"corpus": "shipped", "hidden": 32}, {"sample_every": 60.0, "sample_length": 40})
    header, tensors = live.frame(False, torch.float32)  # the first frame: a sample
    sample = header["sample"]
    assert sample["kind"] == "sample"
    assert len(sample["text"]) == 40
    assert sample["vocab"] == live.corpus.vocab.chars
    assert tensors["top5_p"].shape == (40, 5)
    assert tensors["top5_i"].dtype.name == "int32"
    assert tensors["hidden"].shape == (32, 40)
    live.train_step()
    header, tensors = live.frame(False, torch.float32)  # training, not due: speed only
    assert header["sample"] is None
    assert tensors == {}
    assert header["chars_per_s"] > 0
    live.handle(typed({"type": "generate", "prompt": "The boat", "length": 25, "temperature": 0.5}))
    header, tensors = live.frame(False, torch.float32)
    assert header["sample"]["kind"] == "generate"
    assert header["sample"]["prompt"] == "The boat"
    chosen = [header["sample"]["vocab"].index(c) for c in header["sample"]["text"]]
    top_i, top_p = torch.from_numpy(tensors["top5_i"]), torch.from_numpy(tensors["top5_p"])
    for t, c in enumerate(chosen):  # a drawn character in the top 5 has its own probability there
        if c in top_i[t].tolist():
            assert top_p[t, top_i[t].tolist().index(c)] == pytest.approx(float(tensors["p_chosen"][t]))


def test_a_new_corpus_replaces_vocabulary_and_model_and_bad_inputs_name_their_field():
    live = make_live({"corpus": "shipped", "hidden": 32})
    text = "abcabc ba cab " * 20
    live.handle(typed({"type": "text", "purpose": "corpus", "text": text}))
    assert live.corpus.name == "upload"
    assert live.corpus.vocab.chars == " abc"
    assert live.model.head.out_features == 4
    assert live.describe()["corpus"]["chars"] == " abc"
    for message, field in [
        ({"type": "generate", "prompt": "xyz", "length": 5, "temperature": 1.0}, "prompt"),
        ({"type": "text", "purpose": "corpus", "text": "short"}, "text"),
        ({"type": "text", "purpose": "input", "text": "abc"}, "purpose"),
    ]:
        with pytest.raises(ParamError) as err:
            live.handle(typed(message))
        assert err.value.field == field
    assert live.corpus.vocab.chars == " abc"  # a refused corpus changes nothing
