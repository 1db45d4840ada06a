"""Weighted reciprocal-rank fusion: robust to sources whose scores live on different
scales. Each fused candidate keeps every source's raw score in `sources`."""

from __future__ import annotations

from service.types import Candidate


def rrf(lists: dict[str, list[Candidate]], weights: dict[str, float], k0: float = 60.0,
        k: int | None = None) -> list[Candidate]:
    fused: dict[str, float] = {}
    sources: dict[str, dict[str, float]] = {}
    for name, cands in lists.items():
        w = weights.get(name, 0.0)
        for rank, c in enumerate(cands):
            fused[c.item_id] = fused.get(c.item_id, 0.0) + w / (k0 + rank + 1)
            sources.setdefault(c.item_id, {})[name] = c.sources.get(name, c.score)
    order = sorted(fused, key=lambda i: (-fused[i], i))
    if k is not None:
        order = order[:k]
    return [Candidate(item_id=i, score=fused[i], sources=sources[i]) for i in order]
