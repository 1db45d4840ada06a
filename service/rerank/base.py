"""Reranker protocol, result record, and the identity baseline.

Contract (every reranker): the output is a permutation of the input candidates; what the
model did not score keeps its original order after what it did; on any failure the
input order comes back with `reranked=False` and the reason."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from service.types import Candidate, Item


@dataclass
class RerankResult:
    candidates: list[Candidate]
    reranked: bool
    fallback_reason: str | None = None
    llm_scores: dict[str, float] = field(default_factory=dict)
    prompt_version: str | None = None
    latency_ms: float = 0.0
    tokens: int = 0
    prompts: list[str] = field(default_factory=list)  # rendered text of each forward pass


class Reranker(Protocol):
    name: str

    def rerank(self, history: list[Item], candidates: list[Candidate], items: dict[str, Item],
               budget_s: float | None = None) -> RerankResult: ...


class IdentityReranker:
    """The candidate order, unchanged: the baseline every evaluation reports."""

    name = "identity"

    def rerank(self, history, candidates, items, budget_s=None) -> RerankResult:
        return RerankResult(list(candidates), reranked=False)


def fallback(candidates: list[Candidate], reason: str, prompt_version: str | None = None,
             latency_ms: float = 0.0) -> RerankResult:
    return RerankResult(list(candidates), reranked=False, fallback_reason=reason,
                        prompt_version=prompt_version, latency_ms=latency_ms)
