"""Ranking metrics for a single held-out item (leave-last-out): each takes the ranked
list of item ids and the one relevant id."""

from __future__ import annotations

import math
from collections.abc import Sequence


def hit_rate(ranked: Sequence[str], target: str, k: int) -> float:
    return 1.0 if target in ranked[:k] else 0.0


def recall(ranked: Sequence[str], target: str, k: int) -> float:
    # With one relevant item, recall@k equals the hit rate@k.
    return hit_rate(ranked, target, k)


def ndcg(ranked: Sequence[str], target: str, k: int) -> float:
    for pos, item in enumerate(ranked[:k]):
        if item == target:
            return 1.0 / math.log2(pos + 2)
    return 0.0


def mrr(ranked: Sequence[str], target: str, k: int) -> float:
    for pos, item in enumerate(ranked[:k]):
        if item == target:
            return 1.0 / (pos + 1)
    return 0.0
