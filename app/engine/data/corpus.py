"""Text corpora for the character-level RNN: named corpora read locally, a vocabulary, a train/val split.

Nothing is downloaded. ``stdlib`` is the source of a fixed list of modules of the running interpreter's
standard library (``STDLIB_FILES`` under ``sysconfig.get_paths()["stdlib"]``), concatenated in that order
and cut at ``STDLIB_CAP`` characters; ``shipped`` is original prose written for this project
(``texts/harbour.txt``). A user's text (pasted or uploaded) is checked by ``check_text``.
"""

import sysconfig
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import torch

from app.engine.params import ParamError

STDLIB_FILES = (
    "textwrap.py",
    "string.py",
    "fnmatch.py",
    "glob.py",
    "shlex.py",
    "bisect.py",
    "heapq.py",
    "colorsys.py",
    "keyword.py",
    "contextlib.py",
    "functools.py",
    "dataclasses.py",
    "argparse.py",
)
STDLIB_CAP = 300_000  # characters
SHIPPED_FILE = Path(__file__).parent / "texts" / "harbour.txt"
CORPORA = ("stdlib", "shipped")
MIN_CHARS = 200  # a user's text: enough for a training slice and a validation slice
MAX_VOCAB = 2000  # distinct characters (the embedding and the output layer grow with it)
VAL_FRACTION = 0.1
VAL_CAP = 4096  # characters of the held-out slice that validation reads


@lru_cache(maxsize=2)
def load_corpus(name: str) -> str:
    """The text of a named corpus (``stdlib`` or ``shipped``)."""
    if name == "shipped":
        return SHIPPED_FILE.read_text(encoding="utf-8")
    root = Path(sysconfig.get_paths()["stdlib"])
    text = "".join((root / file).read_text(encoding="utf-8") for file in STDLIB_FILES)
    return text[:STDLIB_CAP]


def check_text(text: str, field: str = "text") -> str:
    """A user's corpus: long enough and with at most ``MAX_VOCAB`` distinct characters."""
    if len(text) < MIN_CHARS:
        raise ParamError(field, f"needs at least {MIN_CHARS} characters, got {len(text)}")
    distinct = len(set(text))
    if distinct > MAX_VOCAB:
        raise ParamError(field, f"has {distinct} distinct characters; at most {MAX_VOCAB} are allowed")
    return text


@dataclass(frozen=True)
class Vocab:
    """The distinct characters of a text, sorted; a character's index is its token id."""

    chars: str

    @classmethod
    def of(cls, text: str) -> "Vocab":
        """The vocabulary of ``text``."""
        return cls("".join(sorted(set(text))))

    def encode(self, text: str, field: str = "text") -> torch.Tensor:
        """Token ids (T,) int64; characters outside the vocabulary are refused naming ``field``."""
        index = {c: i for i, c in enumerate(self.chars)}
        unknown = sorted({c for c in text if c not in index})
        if unknown:
            shown = " ".join(repr(c) for c in unknown[:10])
            raise ParamError(field, f"characters not in the corpus's vocabulary: {shown}")
        return torch.tensor([index[c] for c in text], dtype=torch.long)

    def decode(self, ids: list[int]) -> str:
        """Characters of token ids."""
        return "".join(self.chars[i] for i in ids)


@dataclass(frozen=True)
class Corpus:
    """A text as token ids: the first 90 % to train on, a held-out slice after it (≤ VAL_CAP) to validate."""

    name: str
    vocab: Vocab
    train: torch.Tensor  # (N,) int64
    val: torch.Tensor  # (M,) int64

    @classmethod
    def of(cls, name: str, text: str) -> "Corpus":
        """Split ``text``: the train part first, then the validation slice."""
        vocab = Vocab.of(text)
        ids = vocab.encode(text)
        cut = len(ids) - max(int(len(ids) * VAL_FRACTION), 2)
        return cls(name, vocab, ids[:cut], ids[cut : cut + VAL_CAP])

    def facts(self) -> dict:
        """Name, sizes and vocabulary size for clients."""
        return {
            "name": self.name,
            "train": len(self.train),
            "val": len(self.val),
            "vocab": len(self.vocab.chars),
        }
