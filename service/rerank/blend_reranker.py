"""The fitted blend behind the `Reranker` protocol: LLM label scores, if the blend gives
them weight, plus candidate-stage features. (The adapted reranker's is in
`rerank/adapted/model.py`.)"""

from __future__ import annotations

from service.rerank.base import RerankContext, RerankResult
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

