"""What the read path returns."""

from __future__ import annotations

from dataclasses import dataclass, field

from service.rerank.base import Fallback
from service.store import Exposure
from service.types import Candidate, Ranked


@dataclass
class Recommendation:
    items: list[Ranked]
    reranked: bool
    fallback_reason: str | None
    model: str | None
    prompt_version: str | None
    blend: str
    timings_ms: dict[str, float]
    overloaded: bool = False
    reranker_version: str | None = None
    fallback: Fallback | None = None
    ranker: str = "identity"


@dataclass
class CandidateResult:
    candidates: list[Candidate]
    by_source: dict[str, list[Candidate]]
    history: list[str]
    timings_ms: dict[str, float] = field(default_factory=dict)
    latest_at: float | None = None  # the user's latest event time, when the history was read here
    shown: list[Exposure] | None = None  # the person's exposures, when a feed request read them here
