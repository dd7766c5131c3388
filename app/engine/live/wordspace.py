"""What a frame shows of a word-embedding table: the shown words' vectors and PCA, a word's nearest
neighbours and an analogy, the last two over the whole vocabulary. Shared by ``word2vec`` and ``minilm``."""

from collections.abc import Callable
from typing import Any

import numpy as np
import torch

from app.engine.embedspace import analogy_target, nearest, pca
from app.engine.params import ParamError
from app.protocol.messages import Query

WordIndex = Callable[[str, str], int]  # (word, field) -> token id, or ParamError naming the field


class WordSpace:
    """The query (a word, an analogy a − b + c) and the previous PCA axes, which the next ones follow."""

    def __init__(self) -> None:
        self.word: int | None = None
        self.analogy: tuple[int, int, int] | None = None
        self._axes: torch.Tensor | None = None

    def forget(self) -> None:
        """A new vocabulary or table: no query, and the axes choose their signs afresh."""
        self.word, self.analogy, self._axes = None, None, None

    def ask(self, message: Query, index: WordIndex) -> None:
        """Take a ``query`` message: ``word`` and ``analogy`` ([a, b, c]) checked, then both kept."""
        word = message.word
        terms = message.analogy
        if terms and len(terms) != 3:
            raise ParamError("analogy", "needs three words: a, b and c of a − b + c")
        word_id = index(word, "word") if word else None
        analogy = tuple(index(w, f"analogy[{i}]") for i, w in enumerate(terms)) if terms else None
        self.word, self.analogy = word_id, analogy

    def frame(
        self, table: torch.Tensor, shown: list[int], word_of: Callable[[int], str]
    ) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
        """Header (words, variance, query results) and float32 tensors (vectors, coords, components, mean)."""
        table = table.detach().float().cpu()
        vectors = table[shown]  # (N, d)
        projection = pca(vectors, previous=self._axes)
        self._axes = projection.components

        def listed(ids: list[int], cosines: list[float]) -> list[dict[str, Any]]:
            return [{"word": word_of(i), "id": i, "cos": c} for i, c in zip(ids, cosines, strict=True)]

        query = None
        if self.word is not None:
            query = {
                "word": word_of(self.word),
                "neighbours": listed(*nearest(table, table[self.word], [self.word])),
            }
        analogy = None
        if self.analogy is not None:
            terms = list(self.analogy)
            target = analogy_target(table, *terms)
            analogy = {
                "terms": [word_of(i) for i in terms],
                "results": listed(*nearest(table, target, terms)),
            }
        header = {
            "words": [word_of(i) for i in shown],
            "ids": shown,
            "variance": projection.variance.tolist(),
            "query": query,
            "analogy": analogy,
        }
        tensors = {
            "vectors": vectors,
            "coords": projection.coords,
            "components": projection.components,
            "mean": projection.mean,
        }
        return header, {name: t.contiguous().numpy() for name, t in tensors.items()}
