"""Text embedders behind one protocol; a better model is a settings change."""

from __future__ import annotations

from typing import Protocol

import numpy as np

from service.errors import InvalidInput


class Embedder(Protocol):
    name: str
    dim: int

    def embed(self, texts: list[str]) -> np.ndarray:
        """Unit-normalised float32 vectors, one row per text."""
        ...


def make_embedder(name: str, dim: int = 256) -> Embedder:
    if name == "wordllama":
        from service.embed.wordllama import WordLlamaEmbedder

        return WordLlamaEmbedder(dim=dim)
    raise InvalidInput(f"unknown embedder {name!r}; known: wordllama")
