"""The adapted reranker's feature rows for a pool, read from the current index."""

from __future__ import annotations

import numpy as np

from service.recommender.index import IndexManager
from service.rerank.adapted import ADAPTED_LLM_FEATURES, AdaptedModel, LLMSide, candidate_features
from service.rerank.base import RerankContext
from service.rerank.item_features import ItemFeatureCache
from service.types import Candidate


def adapted_features(indexes: IndexManager, item_features: ItemFeatureCache | None, context: RerankContext,
                     pool: list[Candidate], ranker: AdaptedModel) -> np.ndarray:
    side = None
    if ranker.uses_llm and item_features is not None:
        side = LLMSide(item_features, ranker.center, ranker.head)
    x = candidate_features(indexes.index, context.history, context.at, pool, side, indexes.timeline)
    if ranker.uses_llm and side is None:  # no cache to read: the columns are unknown (NaN)
        x = np.hstack([x, np.full((len(pool), len(ADAPTED_LLM_FEATURES)), np.nan)])
    return x
