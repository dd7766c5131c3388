"""The /embedding engine against torch: the lookup is one-hot @ W, PCA is torch's SVD with oriented axes,
neighbours and analogies are cosine rankings, skip-gram's pairs, loss and learning, the MiniLM table."""

import sysconfig
from pathlib import Path

import pytest
import torch
import torch.nn.functional as F
from client_messages import typed

from app.engine.data.words import WORD_FILES, WordCorpus, check_words, load_words, skipgram_pairs, words_of
from app.engine.embedspace import analogy_target, nearest, orient, pca
from app.engine.live.embedding import EMBEDDING, memory
from app.engine.live.word2vec import WORD2VEC
from app.engine.models.skipgram import SkipGram, SkipGramConfig, sgns_loss
from app.engine.params import ParamError, validate
from app.engine.pretrained import INSTALL_HINT, pretrained_available

CPU = torch.device("cpu")
STORY = " ".join(f"the {w} ran to the {v} and back" for w in ("cat", "dog", "fox") for v in ("sea", "hill"))


def build(spec, config: dict | None = None, controls: dict | None = None):
    """A live model built as a session builds it."""
    return spec.build(
        spec.validate_config(config or {}), validate(spec.controls, controls or {}, "c"), 0, CPU
    )


def test_lookup_equals_one_hot_times_the_weight_matrix():
    live = build(EMBEDDING, {"vocab": 10, "dim": 3})
    header, tensors = live.frame(False, torch.float32)
    indices = torch.tensor([[1, 2, 4, 5], [4, 3, 2, 9]])
    assert torch.equal(torch.from_numpy(tensors["indices"]).long(), indices)
    weight = torch.from_numpy(tensors["weight"])
    torch.manual_seed(0)
    assert torch.equal(weight, torch.nn.Embedding(10, 3).weight.detach())  # the seed's nn.Embedding
    output = torch.from_numpy(tensors["output"])
    assert output.shape == (2, 4, 3)
    assert torch.equal(output, F.embedding(indices, weight))
    onehot = F.one_hot(indices, 10).float()
    assert torch.equal(torch.from_numpy(tensors["onehot"]), onehot)
    torch.testing.assert_close(torch.from_numpy(tensors["onehot_output"]), onehot @ weight, rtol=0, atol=1e-7)
    torch.testing.assert_close(output, onehot @ weight, rtol=0, atol=1e-7)
    assert header["max_diff"] == (output - onehot @ weight).abs().max().item()


def test_memory_counts_bytes_of_the_one_hot_and_the_table():
    assert memory(30522, 384, 8) == {
        "vocab": 30522,
        "dim": 384,
        "onehot_table": 30522 * 30522 * 4,
        "embedding_table": 30522 * 384 * 4,
        "onehot_batch": 8 * 30522 * 4,
        "index_batch": 8 * 8,
    }


@pytest.mark.parametrize(
    "rows",
    [[[0, 10]], [[0.5, 1]], [[-1, 2]], [[1, 2], [3]], [[1] * 17], [[1]] * 9, [[[1]]]],
)
def test_bad_index_batches_are_refused_naming_input(rows):
    live = build(EMBEDDING, {"vocab": 10})
    with pytest.raises(ParamError) as error:
        live.handle(typed({"type": "forward", "input": rows}))
    assert error.value.field == "input"


def test_pca_is_the_centred_svd_with_oriented_axes():
    vectors = torch.randn(40, 6, generator=torch.Generator().manual_seed(1)) * torch.arange(6, 0, -1)
    first = pca(vectors)
    centred = vectors - vectors.mean(0)
    _, s, vh = torch.linalg.svd(centred, full_matrices=False)
    signs = torch.sign(vh[:3].gather(1, vh[:3].abs().argmax(1, keepdim=True))).squeeze(1)
    torch.testing.assert_close(first.components, vh[:3] * signs[:, None])
    torch.testing.assert_close(first.coords, centred @ (vh[:3] * signs[:, None]).T)
    torch.testing.assert_close(first.variance, s[:3] ** 2 / (s**2).sum())
    lowrank = torch.pca_lowrank(vectors, q=3, center=True, niter=10)[2]  # torch's own PCA, same axes ±
    torch.testing.assert_close((lowrank.T * first.components).sum(1).abs(), torch.ones(3), atol=1e-4, rtol=0)
    # The next projection follows the previous axes, whatever sign its SVD returns.
    flipped = first.components * torch.tensor([-1.0, 1.0, -1.0])[:, None]
    assert torch.equal(orient(flipped, first.components), first.components)
    assert torch.equal(pca(vectors, previous=flipped).components, flipped)


def test_neighbours_and_analogies_are_cosine_rankings():
    table = torch.randn(30, 5, generator=torch.Generator().manual_seed(2))
    ids, cosines = nearest(table, table[4], [4], count=5)
    brute = sorted((F.cosine_similarity(table[i], table[4], dim=0).item(), i) for i in range(30) if i != 4)
    assert ids == [i for _, i in brute[::-1][:5]]
    torch.testing.assert_close(torch.tensor(cosines), torch.tensor([c for c, _ in brute[::-1][:5]]))
    target = analogy_target(table, 1, 2, 3)
    unit = F.normalize(table, dim=1)
    torch.testing.assert_close(target, unit[1] - unit[2] + unit[3])
    assert not {1, 2, 3} & set(nearest(table, target, [1, 2, 3])[0])


def test_stdlib_words_are_the_docstrings_and_comments_of_the_listed_modules():
    words = load_words("stdlib")
    root = Path(sysconfig.get_paths()["stdlib"])
    text = (root / WORD_FILES[0]).read_text(encoding="utf-8")
    assert words[:4] == tuple(words_of(text.split('"""')[1]))[:4]  # textwrap's module docstring first
    assert "def" not in words[:200]  # code is left out


def test_skipgram_pairs_are_every_pair_within_the_window():
    ids = torch.tensor([5, 6, 7, 8])
    pairs = {tuple(p) for p in skipgram_pairs(ids, 2).tolist()}
    expected = {(ids[i].item(), ids[j].item()) for i in range(4) for j in range(4) if 0 < abs(i - j) <= 2}
    assert pairs == expected
    assert len(skipgram_pairs(ids, 2)) == len(expected)


def test_sgns_loss_is_the_negative_sampling_objective():
    model = SkipGram(SkipGramConfig(6, 4))
    torch.nn.init.normal_(model.context.weight)
    centers, contexts, negatives = torch.tensor([0, 1]), torch.tensor([2, 3]), torch.tensor([[4, 5], [5, 0]])
    positive, negative = model(centers, contexts, negatives)
    v, u = model.center.weight, model.context.weight
    expected = 0.0
    for b in range(2):
        expected -= torch.log(torch.sigmoid(u[contexts[b]] @ v[centers[b]]))
        expected -= sum(torch.log(torch.sigmoid(-u[k] @ v[centers[b]])) for k in negatives[b])
    torch.testing.assert_close(sgns_loss(positive, negative), expected / 2)


def test_word2vec_learns_and_streams_the_pca_of_its_vectors():
    """Stated: 200 steps on the shipped story lower the held-out loss."""
    live = build(WORD2VEC, {"corpus": "shipped", "dim": 8, "shown": 20}, {"lr": 0.05, "batch_size": 64})
    before = live.evaluate().loss
    for _ in range(200):
        live.train_step()
    assert live.evaluate().loss < before
    live.handle(typed({"type": "query", "word": "the", "analogy": ["the", "a", "and"]}))
    header, tensors = live.frame(False, torch.float32)
    vectors = torch.from_numpy(tensors["vectors"])
    assert torch.equal(vectors, live.model.center.weight.detach()[:20])
    assert header["words"] == list(live.corpus.vocab.words[:20])
    centred = vectors - vectors.mean(0)
    torch.testing.assert_close(
        torch.from_numpy(tensors["coords"]), centred @ torch.from_numpy(tensors["components"]).T
    )
    neighbours = header["query"]["neighbours"]
    ids, _ = nearest(live.model.center.weight.detach(), live.model.center.weight.detach()[0], [0])
    assert [n["id"] for n in neighbours] == ids
    assert header["analogy"]["terms"] == ["the", "a", "and"]


def test_word2vec_refuses_unknown_words_and_short_texts_naming_the_field():
    live = build(WORD2VEC, {"corpus": "shipped", "dim": 4, "shown": 10})
    for message, field in [
        ({"word": "zzzz"}, "word"),
        ({"analogy": ["the", "zzzz", "a"]}, "analogy[1]"),
    ]:
        with pytest.raises(ParamError) as error:
            live.handle(typed({"type": "query", **message}))
        assert error.value.field == field
    with pytest.raises(ParamError) as error:
        check_words("too few words here")
    assert error.value.field == "text"
    assert live.handle(typed({"type": "text", "purpose": "corpus", "text": STORY * 3}))
    assert live.corpus.vocab.words[0] == "the"
    assert WordCorpus.of("x", tuple(words_of(STORY)), 3).vocab.words == ("the", "ran", "to")


@pytest.mark.skipif(not pretrained_available(), reason=f"the pretrained extra is absent: {INSTALL_HINT}")
def test_minilm_tokens_are_the_models_word_embeddings():
    from app.engine.live.minilm_tokens import MINILM_TOKENS
    from app.engine.pretrained import load_minilm

    live = build(MINILM_TOKENS)
    tokenizer, model = load_minilm()
    table = model.embeddings.word_embeddings.weight.detach()
    live.handle(typed({"type": "text", "purpose": "input", "text": "king queen man woman paris"}))
    live.handle(typed({"type": "query", "word": "king", "analogy": ["king", "man", "woman"]}))
    header, tensors = live.frame(False, torch.float32)
    ids = tokenizer.convert_tokens_to_ids(["king", "queen", "man", "woman", "paris"])
    assert torch.equal(torch.from_numpy(tensors["vectors"]), table[ids])
    assert header["query"]["neighbours"][0]["id"] == nearest(table, table[ids[0]], [ids[0]])[0][0]
    assert header["analogy"]["results"][0]["word"] == "queen"  # king − man + woman
    with pytest.raises(ParamError) as error:
        live.handle(typed({"type": "text", "purpose": "input", "text": "king queen xyzzyplugh"}))
    assert error.value.field == "text"
