"""The read path: candidates -> the chosen reranker (through the rerank stage) -> the
ranked answer; and items similar to one item."""

from __future__ import annotations

import time

from service.candidates import rrf
from service.candidates.catalog import CatalogView
from service.errors import NotFound
from service.recommender.candidates import CandidateFuser, LiveIndex
from service.recommender.profiles import Profiles
from service.recommender.results import Recommendation
from service.rerank.base import RerankContext
from service.rerank.choice import RerankerSet
from service.rerank.stage import RerankStage
from service.settings import Settings
from service.types import Candidate, CandidateRequest, Item, Ranked


def to_ranked(catalog: CatalogView, candidates: list[Candidate], known: dict[str, Item] | None = None) -> list[Ranked]:
    """Candidates as answer rows, in order; one deleted since it was found is left out."""
    known = known or {}
    items = {**catalog.get_items([c.item_id for c in candidates if c.item_id not in known]), **known}
    out = []
    for c in candidates:
        it = items.get(c.item_id)
        if it is None:  # deleted between stages: never return it
            continue
        out.append(Ranked(item_id=c.item_id, title=it.title, score=c.score, rank=len(out) + 1,
                          sources=c.sources, attributes=it.attributes))
    return out


class ReadPath:
    def __init__(self, settings: Settings, catalog: CatalogView, live: LiveIndex, fuser: CandidateFuser,
                 profiles: Profiles, rankers: RerankerSet, stage: RerankStage, model_id: str | None) -> None:
        self.settings, self.catalog, self.live, self.fuser = settings, catalog, live, fuser
        self.profiles, self.rankers, self.stage, self.model_id = profiles, rankers, stage, model_id

    def recommend_full(self, request: CandidateRequest, use_llm: bool = True,
                       history_weights: dict[str, float] | None = None) -> Recommendation:
        """candidates -> the chosen reranker (through the stage) -> top k. `history_weights`:
        an experiment arm's fusion instead of the ranker's."""
        t0 = time.perf_counter()
        is_text = bool(request.query and request.query.strip())
        choice = self.rankers.choose(is_text, use_llm)
        ranker = choice.reranker
        cand = self.fuser.candidates(request, max(request.k, ranker.depth), history_weights or ranker.fusion)
        timings = {"candidates": cand.timings_ms["total"]}
        pool = cand.candidates
        hist_n = self.settings.llm.history_items
        items = self.catalog.get_items([c.item_id for c in pool[: max(ranker.depth, request.k)]]
                                       + cand.history[-hist_n:]) if ranker.needs_model else {}
        context = RerankContext(
            user_id=request.user_id, history=cand.history, items=items, is_text=is_text,
            at=cand.latest_at if cand.latest_at is not None else self.profiles.latest_at(request.user_id),
            popularity=self.catalog.popularity([c.item_id for c in pool[: ranker.depth]]),
            shown=None if cand.shown is None else [(x.item_id, x.shown_at) for x in cand.shown],
        )
        res = self.stage.run(ranker, context, pool)
        if ranker.name != "identity":
            timings["rerank"] = res.rerank_ms
        ranked = to_ranked(self.catalog, res.candidates[: request.k], items)
        timings["total"] = (time.perf_counter() - t0) * 1000
        version = res.version if not choice.note else f"{res.version} ({choice.note})"
        blend = {"adapted": "adapted", "identity": "none"}.get(ranker.name) or ranker.version.split(":")[-1]
        return Recommendation(ranked, res.reranked, res.fallback_reason, res.model or self.model_id,
                              res.prompt_version or self.rankers.prompt.ref, blend, timings_ms=timings,
                              overloaded=res.overloaded, reranker_version=version, fallback=res.fallback,
                              ranker=ranker.name)

    def similar(self, item_id: str, k: int = 10) -> list[Ranked]:
        """Items like this one: its CF neighbours and transitions fused with its nearest
        items in embedding space."""
        if self.catalog.get_item(item_id) is None:
            raise NotFound(f"no item {item_id!r}")
        req = CandidateRequest(history=[item_id], exclude_seen=True, k=k)
        sources = self.live.sources
        lists = {
            "cf": sources["cf"].candidates(req, max(k, 50)),
            "semantic_profile": sources["semantic_profile"].candidates(req, max(k, 50)),
        }
        return to_ranked(self.catalog, rrf(lists, {"cf": 1.0, "semantic_profile": 0.5}, self.settings.fusion.rrf_k, k))
