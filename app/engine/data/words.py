"""Word corpora for learning embeddings: words read locally, a frequency-ranked vocabulary, skip-gram pairs.

Nothing is downloaded. ``stdlib`` is the prose of the running interpreter's standard library: the
docstrings and comments (read with ``tokenize``) of ``WORD_FILES``, in that order (a file this
interpreter lacks is skipped); ``shipped`` is the project's own story (``texts/harbour.txt``). A word
is a run of ASCII letters, lower-cased. A user's text is checked by ``check_words``.
"""

import io
import re
import sysconfig
import tokenize
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import torch

from app.engine.data.corpus import SHIPPED_FILE
from app.engine.params import ParamError

WORD_FILES = (
    *("textwrap.py", "string.py", "fnmatch.py", "glob.py", "shlex.py", "bisect.py", "heapq.py"),
    *("contextlib.py", "functools.py", "dataclasses.py", "argparse.py", "typing.py", "inspect.py"),
    *("pathlib.py", "subprocess.py", "threading.py", "logging/__init__.py", "collections/__init__.py"),
    *("random.py", "statistics.py", "_pydecimal.py", "difflib.py", "pickle.py", "tarfile.py", "socket.py"),
    *("asyncio/tasks.py", "unittest/case.py", "email/message.py", "calendar.py", "datetime.py"),
    *("fractions.py", "enum.py", "json/decoder.py", "json/encoder.py", "csv.py", "configparser.py"),
    *("pprint.py", "doctest.py"),
)
WORD_CORPORA = ("stdlib", "shipped")
MAX_WORDS = 200_000  # words of a corpus kept (a user's text too)
MIN_WORDS = 50  # a user's text: enough for a vocabulary and a held-out part
MIN_DISTINCT = 10  # distinct words of a user's text (a projection needs a few points)
VAL_FRACTION = 0.1
_WORD = re.compile(r"[a-z]+")


def words_of(text: str) -> list[str]:
    """The words of ``text``: runs of ASCII letters, lower-cased, at most ``MAX_WORDS``."""
    return _WORD.findall(text.lower())[:MAX_WORDS]


def _prose(source: str) -> str:
    """The comments and docstring-like (triple-quoted) strings of Python source."""
    parts = []
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        quoted = token.string.lstrip("rRbBuUfF").startswith(('"""', "'''"))
        if token.type == tokenize.COMMENT or (token.type == tokenize.STRING and quoted):
            parts.append(token.string)
    return "\n".join(parts)


@lru_cache(maxsize=2)
def load_words(name: str) -> tuple[str, ...]:
    """The words of a named corpus (``stdlib`` or ``shipped``)."""
    if name == "shipped":
        return tuple(words_of(SHIPPED_FILE.read_text(encoding="utf-8")))
    root = Path(sysconfig.get_paths()["stdlib"])
    files = (root / file for file in WORD_FILES)
    return tuple(words_of("\n".join(_prose(f.read_text(encoding="utf-8")) for f in files if f.exists())))


def check_words(text: str, field: str = "text") -> tuple[str, ...]:
    """A user's corpus as words: at least ``MIN_WORDS`` of them, ``MIN_DISTINCT`` different."""
    words = words_of(text)
    if len(words) < MIN_WORDS:
        raise ParamError(field, f"needs at least {MIN_WORDS} words (runs of letters a–z), got {len(words)}")
    if len(set(words)) < MIN_DISTINCT:
        raise ParamError(field, f"needs at least {MIN_DISTINCT} different words, got {len(set(words))}")
    return tuple(words)


@dataclass(frozen=True)
class WordVocab:
    """The ``size`` most frequent words (ties: first seen first); a word's rank is its token id."""

    words: tuple[str, ...]
    counts: torch.Tensor  # (V,) int64, occurrences in the corpus

    @classmethod
    def of(cls, words: tuple[str, ...], size: int) -> "WordVocab":
        """The vocabulary of the ``size`` most frequent words of ``words``."""
        ranked = Counter(words).most_common(size)
        return cls(tuple(w for w, _ in ranked), torch.tensor([c for _, c in ranked], dtype=torch.long))

    def index(self, word: str, field: str) -> int:
        """A word's token id; a word outside the vocabulary is refused naming ``field``."""
        try:
            return self.words.index(word.strip().lower())
        except ValueError:
            raise ParamError(field, f"{word!r} is not in the vocabulary") from None


def skipgram_pairs(ids: torch.Tensor, window: int) -> torch.Tensor:
    """(center, context) pairs, (P, 2) int64: every pair of tokens at most ``window`` apart."""
    pairs = []
    for offset in range(1, window + 1):
        if offset < len(ids):
            ahead = torch.stack((ids[:-offset], ids[offset:]), dim=1)
            pairs += [ahead, ahead.flip(1)]
    return torch.cat(pairs) if pairs else torch.empty(0, 2, dtype=torch.long)


@dataclass(frozen=True)
class WordCorpus:
    """A corpus as token ids of its vocabulary's words (others dropped); the last 10 % held out."""

    name: str
    vocab: WordVocab
    words: int  # words in the corpus, in or out of the vocabulary
    train: torch.Tensor  # (N,) int64
    val: torch.Tensor  # (M,) int64

    @classmethod
    def of(cls, name: str, words: tuple[str, ...], size: int) -> "WordCorpus":
        """Keep the vocabulary's words of ``words``, then split."""
        vocab = WordVocab.of(words, size)
        index = {w: i for i, w in enumerate(vocab.words)}
        ids = torch.tensor([index[w] for w in words if w in index], dtype=torch.long)
        cut = len(ids) - max(int(len(ids) * VAL_FRACTION), 2)
        return cls(name, vocab, len(words), ids[:cut], ids[cut:])

    def facts(self) -> dict:
        """Name, sizes (words in the corpus, tokens kept for training and validation) and vocabulary."""
        return {
            "name": self.name,
            "words": self.words,
            "train": len(self.train),
            "val": len(self.val),
            "vocab": len(self.vocab.words),
        }
