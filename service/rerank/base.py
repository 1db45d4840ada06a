"""Reranker protocol, result record, fallback reasons, and the identity baseline.

Contract (every reranker): the output is a permutation of the input candidates; what the
model did not score keeps its original order after what it did; on any failure the
input order comes back with `reranked=False` and the reason. `tests/unit/test_rerank_contract.py`
runs every implementation through the same cases."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Protocol

from service.types import Candidate, Item


class Fallback(str, Enum):
    """Why an answer is in candidate order: a bounded set (metrics label by it), each
    with a human message beside it in `RerankResult.fallback_reason`."""

    NOT_REQUESTED = "not_requested"      # the request asked for no LLM
    NO_MODEL = "no_model"                # no LLM configured
    NOT_TRAINED = "not_trained"          # nothing fitted on this catalog yet: candidate order
    ZERO_WEIGHT = "zero_weight"          # the fitted blend gives the LLM no weight
    TOO_FEW = "too_few"                  # fewer than two candidates
    OVERLOADED = "overloaded"            # the model's queue is full
    TIMEOUT = "timeout"                  # over the budget
    ERROR = "error"                      # the reranker failed (logged with its traceback)


@dataclass
class RerankContext:
    """What a reranker may know about the request besides its candidates."""

    user_id: str | None
    history: list[str]                 # item ids, oldest first (may repeat)
    items: dict[str, Item]             # the candidates' and the latest history items' records
    at: float = float("inf")           # when the request happens, as features see it
    popularity: dict[str, float] = field(default_factory=dict)
    is_text: bool = False              # the request carried free text
    shown: list[tuple[str, float]] | None = None  # (item, shown at) of the person's exposures, when read already

    def history_items(self, last: int) -> list[Item]:
        return [self.items[i] for i in self.history[-last:] if i in self.items]


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
    fallback: Fallback | None = None


class Reranker(Protocol):
    name: str
    needs_model: bool  # runs the shared LLM (so it waits in the model's queue)
    depth: int         # candidates it wants to see
    version: str       # what answered, for `reranker_version`
    fusion: dict[str, float] | None  # history fusion weights it was trained with (None: the configured ones)

    def rerank(self, context: RerankContext, candidates: list[Candidate],
               budget_s: float | None = None) -> RerankResult: ...


class IdentityReranker:
    """The candidate order, unchanged: the baseline every evaluation reports and the
    default until something fitted on this catalog beats it."""

    name = "identity"
    needs_model = False
    fusion = None

    def __init__(self, depth: int = 20, reason: str = "candidate order",
                 kind: Fallback = Fallback.NOT_TRAINED) -> None:
        self.depth, self.reason, self.kind = depth, reason, kind

    @property
    def version(self) -> str:
        return f"identity ({self.reason})"

    def rerank(self, context, candidates, budget_s=None) -> RerankResult:
        return RerankResult(list(candidates), reranked=False, fallback_reason=self.reason, fallback=self.kind)


def fallback(candidates: list[Candidate], reason: str, prompt_version: str | None = None,
             latency_ms: float = 0.0, kind: Fallback = Fallback.ERROR) -> RerankResult:
    return RerankResult(list(candidates), reranked=False, fallback_reason=reason,
                        prompt_version=prompt_version, latency_ms=latency_ms, fallback=kind)


def permutation_or_fallback(candidates: list[Candidate], result: RerankResult) -> RerankResult:
    """The contract, enforced once: a result that drops, invents or repeats a candidate
    is replaced by the input order."""
    given = [c.item_id for c in candidates]
    got = [c.item_id for c in result.candidates]
    if sorted(got) == sorted(given):
        return result
    return fallback(candidates, "the reranker did not return a permutation of its input",
                    result.prompt_version, result.latency_ms)
