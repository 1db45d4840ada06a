"""The fitted rerankers behind the `Reranker` protocol: the blend (LLM label scores, if
it gives them weight, plus candidate-stage features) and the adapted reranker (a model
fitted on this catalog's interactions; no model call on the request path)."""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np

from service.rerank.adapted import AdaptedRanker
from service.rerank.base import Fallback, RerankContext, RerankResult
from service.rerank.blend import Blend, features
from service.rerank.listwise import LetterLogitReranker
from service.types import Candidate


class BlendReranker:
    """A fitted logistic blend over the top `depth` candidates. It calls the LLM only
    when the blend gives the LLM weight; the rest of the pool keeps its order."""

    name = "blend"
    fusion = None

    def __init__(self, blend: Blend, scorer: LetterLogitReranker | None) -> None:
        self.blend = blend
        self.scorer = scorer if abs(blend.llm_weight) > 1e-9 else None
        self.needs_model = self.scorer is not None
        self.depth = scorer.depth if scorer else 20

    @property
    def version(self) -> str:
        return f"blend:{self.blend.meta.get('kind', 'logistic')}"

    def rerank(self, context: RerankContext, candidates: list[Candidate],
               budget_s: float | None = None) -> RerankResult:
        head, tail = candidates[: self.depth], candidates[self.depth:]
        if self.scorer is None:
            x = features(head, context.popularity)
            return RerankResult(self.blend.order(head, x) + tail, reranked=True)
        res = self.scorer.rerank(context, head, budget_s)
        if not res.reranked:
            res.candidates = list(candidates)
            return res
        x = features(head, context.popularity, res.llm_scores)
        res.candidates = self.blend.order(head, x) + tail
        return res


FeatureFn = Callable[[RerankContext, list[Candidate], AdaptedRanker], np.ndarray]


class AdaptedReranker:
    """The adapted reranker: features from the candidate stage (and cached LLM item
    features), a classifier fitted on this catalog. Milliseconds, no model call."""

    name = "adapted"
    needs_model = False

    def __init__(self, ranker: AdaptedRanker, feature_fn: FeatureFn) -> None:
        self.ranker, self.feature_fn = ranker, feature_fn
        self.depth = ranker.pool
        self.fusion = ranker.meta.get("fusion")

    @property
    def version(self) -> str:
        return self.ranker.version

    def rerank(self, context: RerankContext, candidates: list[Candidate],
               budget_s: float | None = None) -> RerankResult:
        t0 = time.perf_counter()
        if not candidates:
            return RerankResult([], reranked=False, fallback_reason="no candidates", fallback=Fallback.TOO_FEW)
        x = self.feature_fn(context, candidates, self.ranker)
        return RerankResult(self.ranker.order(candidates, x), reranked=True,
                            latency_ms=(time.perf_counter() - t0) * 1000)
