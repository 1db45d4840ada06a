"""The adapted reranker's feature rows for a pool, read from the current index (and,
for a ranker that learned from exposure, what the person was shown before now)."""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np

from service.recommender.index import IndexManager
from service.rerank.adapted import AdaptedModel, LLMSide, candidate_features
from service.rerank.base import RerankContext
from service.rerank.item_features import ItemFeatureCache
from service.store import Exposure
from service.types import Candidate


def adapted_features(indexes: IndexManager, item_features: ItemFeatureCache | None, context: RerankContext,
                     pool: list[Candidate], ranker: AdaptedModel,
                     exposures: Callable[[str], list[Exposure]]) -> np.ndarray:
    side = None
    if ranker.uses_llm and item_features is not None:  # no cache to read: the LLM columns stay unknown (NaN)
        side = LLMSide(item_features, ranker.center, ranker.head)
    shown: list[tuple[str, float]] = []
    if ranker.uses_exposure and context.user_id:  # read by the candidate stage for a feed, else here
        shown = context.shown if context.shown is not None else \
            [(x.item_id, x.shown_at) for x in exposures(context.user_id)]
    return candidate_features(indexes.index, context.history, context.at, pool, side, indexes.timeline,
                              shown, time.time())
