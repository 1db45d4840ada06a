"""What a training run of the adapted reranker is asked for, and what it reports."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class TrainOptions:
    minutes: float = 30.0  # time budget; LLM item features stop at 80% of it
    users: int | None = 2000  # users sampled per split (None: all)
    seed: int = 0
    pool: int = 100  # candidates the reranker orders
    fit_splits: int = 3  # earlier events per user used as fit targets
    feature_cache: Path | None = None  # where LLM item features are cached (default: the artifacts dir)
    learn_fusion: bool = True  # choose the history fusion weights for this catalog
    learn_exposure: bool = True  # try learning from what was shown (kept only where it helps)
    no_llm_reason: str = "the LLM backend gives no hidden states"  # reported when there are no LLM columns


@dataclass
class TrainReport:
    rows: dict[str, dict] = field(default_factory=dict)
    chosen: str = ""
    reason: str = ""
    seconds: dict[str, float] = field(default_factory=dict)
    seeded_vectors: int = 0  # item vectors taken from the published snapshot (not embedded again)
    examples: dict[str, int] = field(default_factory=dict)
    servable: bool = True
    llm_feature_items: tuple[int, int] | None = None  # (with features, needed)
    fusion: dict = field(default_factory=dict)  # chosen history fusion weights and the grid's scores
    exposure: dict = field(default_factory=dict)  # whether learning from exposure was tried, and kept
