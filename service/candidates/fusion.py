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


def score_sum(lists: dict[str, list[Candidate]], weights: dict[str, float], pool: str,
              k: int | None = None) -> list[Candidate]:
    """Weighted sum of scores over the `pool` source's candidates (a text request's
    matches): the pool source's own scores as they are (how well each item matches the
    text, so a clear match stays ahead of a near miss however popular the miss is), the
    others scaled to [0, 1] by their best score in the pool (missing counts 0).

    Unlike rank fusion this sees the gaps between scores: when many items match the text
    about as well (every children's film matches 'a children's film'), the other sources
    decide among them; when one matches clearly better, it wins."""
    base = {c.item_id: c for c in lists.get(pool, [])}
    fused = {i: weights.get(pool, 1.0) * c.sources.get(pool, c.score) for i, c in base.items()}
    sources = {i: {pool: c.sources.get(pool, c.score)} for i, c in base.items()}
    for name, cands in lists.items():
        w = weights.get(name, 0.0)
        if name == pool or not cands:
            continue
        top = max((c.score for c in cands if c.item_id in base), default=0.0)
        for c in cands:
            if c.item_id not in base:
                continue
            sources[c.item_id][name] = c.sources.get(name, c.score)
            if w and top > 0:
                fused[c.item_id] += w * max(c.score, 0.0) / top
    order = sorted(fused, key=lambda i: (-fused[i], i))
    if k is not None:
        order = order[:k]
    return [Candidate(item_id=i, score=fused[i], sources=sources[i]) for i in order]
