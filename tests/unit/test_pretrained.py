"""The pretrained extra's shared model and tokenizer under sessions' threads: sessions created together
load the model once, on the CPU (not left on the meta device), and threads may tokenize at once with
different padding without the fast tokenizer's "Already borrowed" refusal."""

from concurrent.futures import ThreadPoolExecutor

import pytest

from app.engine import pretrained

pytestmark = pytest.mark.skipif(
    not pretrained.pretrained_available(),
    reason=f"the 'pretrained' extra is not installed ({pretrained.INSTALL_HINT}); CI installs it",
)
TEXTS = ["The quick brown fox jumps over the lazy dog. " * 4, "short"]


def encode(padding: bool) -> list[list[int]]:
    """Encode the texts 100 times with or without padding; the ids of the last call."""
    for _ in range(100):
        ids = pretrained.tokenize(TEXTS, padding=padding)["input_ids"]
    return ids


def test_concurrent_calls_with_different_padding_all_succeed():
    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(encode, [True, False, True, False]))
    padded, plain = results[0], results[1]
    assert len(padded[0]) == len(padded[1]) == len(plain[0])
    assert len(plain[1]) == 3  # [CLS] short [SEP]
    assert padded[1][3:] == [0] * (len(padded[1]) - 3)  # pad id


def test_sessions_created_together_load_one_model_on_the_cpu():
    pretrained._load_once.cache_clear()  # as in a fresh process
    with ThreadPoolExecutor(3) as pool:
        loaded = list(pool.map(lambda _: pretrained.load_minilm(), range(3)))
    assert all(pair is loaded[0] for pair in loaded)
    assert {str(p.device) for p in loaded[0][1].parameters()} == {"cpu"}
