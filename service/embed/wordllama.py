"""WordLlama: a static token-embedding model whose weights ship inside its wheel, so it
works offline. English-centric; multilingual requests are normalised upstream."""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np


class WordLlamaEmbedder:
    name = "wordllama-l2-supercat"

    def __init__(self, dim: int = 256) -> None:
        import wordllama
        from wordllama import WordLlama

        if dim not in (64, 128, 256):
            raise ValueError("wordllama's packaged weights give 64, 128 or 256 dimensions")
        # Its own packaged-file lookup has a path bug: point it at the package folder.
        pkg_dir = Path(wordllama.__file__).parent
        self._model = WordLlama.load(cache_dir=pkg_dir, disable_download=True, dim=256)
        self.dim = dim
        self._lock = threading.Lock()

    def embed(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        with self._lock:
            vecs = np.asarray(self._model.embed(texts, norm=False), dtype=np.float32)
        vecs = vecs[:, : self.dim]
        norms = np.linalg.norm(vecs, axis=1, keepdims=True)
        return vecs / np.maximum(norms, 1e-9)
