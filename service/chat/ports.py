"""What chat reads from the service: `pipeline.Recommender` is one such thing, a test
may bring another. Chat depends on this, not on the pipeline."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from service.calllog import CallLog
    from service.candidates.catalog import CatalogView
    from service.embed import Embedder
    from service.llm import LLMBackend
    from service.recommender.results import Recommendation
    from service.settings import Settings
    from service.types import CandidateRequest


class ChatPipeline(Protocol):
    settings: Settings
    backend: LLMBackend | None  # picks attribute values where the words run out
    embedder: Embedder  # reads values by meaning
    calllog: CallLog  # where the blurbs' LLM calls are logged
    catalog: CatalogView  # the item space (vocabulary) and item rows (seeds, comparisons)

    def recommend_full(self, request: CandidateRequest, use_llm: bool = True,
                       history_weights: dict[str, float] | None = None) -> Recommendation: ...

    def history(self, user_id: str | None) -> list[str]: ...

    def liked(self, user_id: str | None) -> list[str]: ...
