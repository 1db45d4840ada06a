"""Candidates for a request: each source asked for its list, the lists fused, what the
person turned down dropped and its near neighbours demoted."""

from __future__ import annotations

import time
from typing import Protocol

from service.candidates import CandidateIndex, CandidateSource, rrf
from service.candidates.fusion import score_sum
from service.candidates.negatives import closeness, turn_down
from service.errors import InvalidInput
from service.exposure import ExposureLog
from service.recommender.profiles import Profiles
from service.recommender.results import CandidateResult
from service.settings import Settings
from service.types import Candidate, CandidateRequest


class LiveIndex(Protocol):
    """The current index and the sources wired to it (`IndexManager`)."""
    index: CandidateIndex
    sources: dict[str, CandidateSource]


class CandidateFuser:
    def __init__(self, settings: Settings, live: LiveIndex, profiles: Profiles, exposure: ExposureLog) -> None:
        self.settings, self.live, self.profiles, self.exposure = settings, live, profiles, exposure

    def candidates(self, request: CandidateRequest, k: int,
                   history_weights: dict[str, float] | None = None) -> CandidateResult:
        """Fused candidates. `history_weights` overrides the history fusion (the adapted
        reranker carries the weights its trainer chose for this catalog)."""
        if k < 1:
            raise InvalidInput("k must be at least 1")
        t0 = time.perf_counter()
        latest_at = None
        fb = self.profiles.user_feedback(request.user_id)
        if request.history is not None:
            history = request.history
        else:
            history = fb.positives
            latest_at = fb.latest_at if fb.latest_at is not None else float("inf")
        negatives = set(fb.negatives)
        req = request.model_copy(update={"history": history})
        if request.user_id and request.history is None and request.exclude_seen:
            # events older than the profile's window: still seen, so still left out (the
            # window's negatives are turned down after fusion, where no other score moves)
            shown = set(history) | set(req.exclude_items) | negatives
            older = [i for i in self.profiles.seen(request.user_id) if i not in shown]
            if older:
                req.exclude_items = [*req.exclude_items, *older]
        exposures = None
        if request.user_id and request.history is None and not (request.query and request.query.strip()) \
                and self.settings.exposure.times >= 1:  # a feed: show something new
            exposures = self.exposure.shown(request.user_id)  # read once: the reranker's features use them too
            cooled = self.exposure.cooling(request.user_id, set(fb.positives), shown=exposures)
            if cooled:
                req.exclude_items = [*req.exclude_items, *cooled]
        fusion = self.settings.fusion
        timings: dict[str, float] = {}
        lists: dict[str, list[Candidate]] = {}
        sources = self.live.sources

        def run(name: str, r: CandidateRequest, n: int) -> None:
            t = time.perf_counter()
            lists[name] = sources[name].candidates(r, n)
            timings[name] = (time.perf_counter() - t) * 1000

        if req.query and req.query.strip():
            weights = fusion.query
            run("semantic_query", req, max(fusion.query_pool, k))
            pool = [c.item_id for c in lists["semantic_query"]]
            scoped = req.model_copy(update={"restrict_to": pool})
            for name in ("cf", "semantic_profile", "popularity"):
                if weights.get(name):
                    run(name, scoped, len(pool))
        else:
            weights = history_weights or fusion.history
            depth = max(k, 100)
            for name, w in weights.items():
                if w and name != "semantic_query":
                    run(name, req, depth)
        lists = {n: c for n, c in lists.items() if c}
        if not any(lists.get(n) for n in ("cf", "semantic_query", "semantic_profile")) and "popularity" not in lists:
            # cold start: no history, no text ('like the Pixel 8' in a shop without events has
            # its history: the item's nearest texts, not the most popular)
            run("popularity", req, max(k, 100))
            weights = {**weights, "popularity": 1.0}
        if lists.get("semantic_query") and fusion.text_scores:
            fused = score_sum(lists, fusion.text_blend, "semantic_query", k + len(negatives))
        else:
            fused = rrf(lists, weights, fusion.rrf_k, k + len(negatives))
        if negatives:
            fused = self._turn_down(fused, negatives)
        fused = fused[:k]
        timings["total"] = (time.perf_counter() - t0) * 1000
        return CandidateResult(fused, lists, history, timings, latest_at, exposures)

    def _turn_down(self, fused: list[Candidate], negatives: set[str]) -> list[Candidate]:
        """Drop what the person turned down; demote its near neighbours (never raise)."""
        cfg, index = self.settings.feedback, self.live.index
        close = closeness(index.space, index.model.sim, index.vectors, sorted(negatives),
                          [c.item_id for c in fused], cfg.demote_semantic_floor)
        return turn_down(fused, negatives, close, cfg.demote)
