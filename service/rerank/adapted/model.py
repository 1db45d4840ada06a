"""The adapted reranker's model and its place behind the `Reranker` protocol.

A gradient-boosted classifier (scikit-learn, in the trainer) learns positives = the
user's next item against hard negatives (the rest of the candidate pool); its trees are
exported to arrays (`trees.py`), so serving needs numpy only. The same model without
the LLM columns is always trained as the ablation; the LLM columns are served only if
they beat it on held-out users.

- `AdaptedModel`: one fitted artifact (trees, their feature names, the LLM head, meta);
  it scores a feature matrix.
- `AdaptedReranker`: the `Reranker` that builds the features of a request's pool and
  orders it with an `AdaptedModel`.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from service.rerank.adapted.features import ADAPTED_COLUMNS, ADAPTED_EXPOSURE_FEATURES, ADAPTED_LLM_FEATURES
from service.rerank.base import Fallback, RerankContext, RerankResult
from service.rerank.trees import TreeEnsemble
from service.types import Candidate


@dataclass
class AdaptedModel:
    model: TreeEnsemble  # the fitted trees (scikit-learn's, exported; see trees.py)
    feature_names: list[str]
    center: np.ndarray | None = None
    head: np.ndarray | None = None
    meta: dict = field(default_factory=dict)

    @property
    def uses_llm(self) -> bool:
        return any(f in ADAPTED_LLM_FEATURES for f in self.feature_names)

    @property
    def uses_exposure(self) -> bool:
        return any(f in ADAPTED_EXPOSURE_FEATURES for f in self.feature_names)

    @property
    def version(self) -> str:
        return self.meta.get("version", "adapted-unsaved")

    @property
    def pool(self) -> int:
        return int(self.meta.get("pool", 100))

    def scores(self, x: np.ndarray) -> np.ndarray:
        """x: columns ADAPTED_COLUMNS (as candidate_features gives them); the model reads
        its own, by name, so artifacts fitted on fewer features serve on."""
        return self.model.proba(x[:, [ADAPTED_COLUMNS.index(f) for f in self.feature_names]])

    def order(self, candidates: list[Candidate], x: np.ndarray) -> list[Candidate]:
        s = self.scores(x)
        idx = sorted(range(len(candidates)), key=lambda i: (-s[i], i))
        return [candidates[i].with_score(float(s[i])) for i in idx]


FeatureFn = Callable[[RerankContext, list[Candidate], AdaptedModel], np.ndarray]


class AdaptedReranker:
    """The adapted reranker: features from the candidate stage (and cached LLM item
    features), a classifier fitted on this catalog. Milliseconds, no model call."""

    name = "adapted"
    needs_model = False

    def __init__(self, ranker: AdaptedModel, feature_fn: FeatureFn) -> None:
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
