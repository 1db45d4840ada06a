"""The frozen-LLM side of the adapted reranker: each item's hidden state over its line
of the ranking prompt (cached per item, `item_features.py`), centred and unit-length,
and a learned next-item head in that space."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

HEAD_CONTEXT = 3


def unit(m: np.ndarray) -> np.ndarray:
    """Rows scaled to length 1 (zero rows stay zero)."""
    n = np.linalg.norm(m, axis=-1, keepdims=True)
    return m / np.where(n > 0, n, 1.0)


@dataclass
class LLMSide:
    """What the LLM columns need: the per-item hidden-state cache, the centring vector
    (mean-pooled hidden states share a large common direction) and the next-item head."""
    cache: object  # ItemFeatureCache
    center: np.ndarray
    head: np.ndarray
    coverage: tuple[int, int] | None = None  # (items with features, items needed) at training

    def vectors(self, ids: list[str]) -> np.ndarray:
        m = self.cache.get(ids, dim=len(self.center))
        return unit(m - self.center)

    @staticmethod
    def context(hist_vecs: np.ndarray) -> np.ndarray:
        """Mean of the known vectors among the last HEAD_CONTEXT history items."""
        last = hist_vecs[-HEAD_CONTEXT:]
        ok = last[~np.isnan(last).any(axis=1)]
        return ok.mean(axis=0) if len(ok) else np.full(hist_vecs.shape[1], np.nan)


def fit_head(sequences: list[list[str]], cache, center: np.ndarray, alpha: float = 10.0) -> np.ndarray:
    """Ridge regression from the mean of the last HEAD_CONTEXT items' (centred, unit)
    hidden states to the next item's: a next-item predictor in the LLM's own space."""
    dim = len(center)
    side = LLMSide(cache, center, np.eye(dim, dtype=np.float32))
    ctxs, nexts = [], []
    for seq in sequences:
        if len(seq) < 2:
            continue
        v = side.vectors(seq)
        known = ~np.isnan(v).any(axis=1)
        for j in range(1, len(seq)):
            if known[j]:
                ctx = LLMSide.context(v[:j])
                if not np.isnan(ctx).any():
                    ctxs.append(ctx)
                    nexts.append(v[j])
    if not ctxs:
        return side.head
    x, y = np.asarray(ctxs, dtype=np.float64), np.asarray(nexts, dtype=np.float64)
    return np.linalg.solve(x.T @ x + alpha * np.eye(dim), x.T @ y).astype(np.float32)
