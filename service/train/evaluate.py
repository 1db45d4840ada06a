"""The adapted reranker in the offline evaluation: trained on the eval store (which
never holds the held-out events) and reported with and without its LLM features."""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING

from service.rerank.adapted import Timeline, candidate_features
from service.train.fit_adapted import TrainOptions, pools, train_reranker

if TYPE_CHECKING:
    from service.eval.runner import UserRow


def rank_adapted(rec, rows: list[UserRow], backend, minutes: float, feature_cache: Path | None,
                 seed: int) -> tuple[dict[str, list[list[str]]], dict]:
    """Train the adapted reranker on the eval store (it never sees the held-out events)
    and rank each user's deep pool with it and with its no-LLM ablation."""
    catalog = rec.catalog
    trained = train_reranker(rec.settings, rec.store, backend,
                             TrainOptions(minutes=minutes, seed=seed, feature_cache=feature_cache))
    timeline = Timeline.build(rec.store, catalog.space, rec.feedback)
    depth = trained.without_llm.pool
    t0 = time.perf_counter()
    pooled = pools(rec, [r.user for r in rows], depth, trained.without_llm.meta.get("fusion"))
    pool_ms = (time.perf_counter() - t0) * 1000 / max(len(rows), 1)
    side = trained.side
    if side is not None:  # items only the test users' pools touch
        need = {i: None for hist, _t, pool in pooled.values()
                for i in hist[-rec.settings.cf.history:] + [c.item_id for c in pool]}
        side.cache.ensure(list(catalog.get_items(list(need)).values()))
    out = {}
    for name, ranker in (("adapted", trained.with_llm), ("adapted_no_llm", trained.without_llm)):
        if ranker is None:
            continue
        lists = []
        for r in rows:
            hist, t, pool = pooled[r.user]
            start = time.perf_counter()
            x = candidate_features(rec.index, hist, t, pool, side if ranker.uses_llm else None, timeline)
            ordered = [c.item_id for c in ranker.order(pool, x)]
            r.ms[f"rerank:{name}"] = (time.perf_counter() - start) * 1000 + pool_ms
            lists.append(ordered)
        out[name] = lists
    rep = trained.report
    info = {"chosen": rep.chosen, "servable": rep.servable, "reason": rep.reason,
            "llm_feature_items": rep.llm_feature_items, "validation": rep.rows, "examples": rep.examples,
            "train_seconds": {k: round(v, 1) for k, v in rep.seconds.items()}, "pool": depth,
            "fusion": rep.fusion}
    return out, info


def adapted_extra(minutes: float, feature_cache: Path | None, seed: int):
    """`run_eval(extra=...)`: rank the eval users with the adapted reranker."""
    def extra(rec, rows, backend):
        return rank_adapted(rec, rows, backend, minutes, feature_cache, seed)
    return extra
