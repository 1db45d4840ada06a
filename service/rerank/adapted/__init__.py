"""The adapted reranker: a small model fitted on the catalog's own interactions that
ranks a deep candidate pool on fused features.

- `features.py`: the feature groups, `Timeline` and `candidate_features`;
- `llm_side.py`: the frozen-LLM columns' inputs (`LLMSide`, the next-item head);
- `model.py`: `AdaptedModel` (one fitted artifact) and `AdaptedReranker` (the
  `Reranker` that serves it);
- `artifacts.py`: saving, listing and loading artifacts.
"""

from service.rerank.adapted.artifacts import list_artifacts, load_artifact, load_current, save_artifact, version_name
from service.rerank.adapted.features import (ADAPTED_BASE_FEATURES, ADAPTED_COLUMNS, ADAPTED_EXPOSURE_FEATURES,
                                             ADAPTED_LLM_FEATURES, SEQUENCE_FEATURES, Timeline, candidate_features,
                                             exposure_columns, latest_event_time)
from service.rerank.adapted.llm_side import HEAD_CONTEXT, LLMSide, fit_head
from service.rerank.adapted.model import AdaptedModel, AdaptedReranker, FeatureFn

__all__ = [
    "ADAPTED_BASE_FEATURES", "ADAPTED_COLUMNS", "ADAPTED_EXPOSURE_FEATURES", "ADAPTED_LLM_FEATURES", "HEAD_CONTEXT",
    "SEQUENCE_FEATURES", "AdaptedModel", "AdaptedReranker", "FeatureFn", "LLMSide", "Timeline", "candidate_features",
    "exposure_columns", "fit_head", "latest_event_time", "list_artifacts", "load_artifact", "load_current", "save_artifact", "version_name",
]
