"""Candidate stage: rank fusion of the sources and item-item collaborative filtering."""

from __future__ import annotations

from pydantic import BaseModel, Field


class FusionWeights(BaseModel):
    """Weights of each candidate source in weighted reciprocal-rank fusion.

    `history`: requests without text. `query`: requests with text; the text's semantic
    matches form the pool and the other sources only re-order that pool."""

    history: dict[str, float] = Field(
        default_factory=lambda: {"cf": 1.0, "semantic_profile": 0.1, "popularity": 0.0},
        description="source weights for requests without text (the trainer may learn its own per catalog)")
    query: dict[str, float] = Field(
        default_factory=lambda: {
            "semantic_query": 1.0, "cf": 0.4, "semantic_profile": 0.1, "popularity": 0.4,
        }, description="source weights for requests with text when `text_scores` is off")
    query_pool: int = Field(200, description="semantic matches a text request draws from")
    text_scores: bool = Field(True, description="order a text request's matches by a weighted sum of scores "
                              "(`text_blend`) instead of rank fusion (`query`)")
    text_blend: dict[str, float] = Field(
        default_factory=lambda: {"semantic_query": 1.0, "popularity": 0.1, "cf": 0.15, "semantic_profile": 0.05},
        description="weights of the score sum for text requests: the text match's centred cosine, plus the "
        "others scaled to [0, 1] within its matches")
    center_text: bool = Field(True, description="match a request's text against item vectors centred on the "
                              "catalog's mean (in process, when the catalog's vectors are kept there)")
    rrf_k: float = Field(60.0, description="k of reciprocal-rank fusion: a list's item at rank r adds "
                         "weight / (k + r)")


class CFSettings(BaseModel):
    """Item-item collaborative filtering: cosine neighbours + order-aware transitions."""

    neighbours: int = Field(200, description="neighbours kept per item (pruned similarity)")
    history: int = Field(50, description="most recent items of a user that form the profile")
    seen_limit: int = Field(10_000, ge=0, description="most items a person has had events with that answers "
                            "leave out as seen (newest first), beyond the profile's window")
    half_life: float = Field(2.0, description="profile weight halves every N items back in time")
    transition_window: int = Field(5, description="items ahead counted as 'next' of an item")
    transition_weight: float = Field(1.0, description="weight of transition score vs cosine score")
    rebuild_after_events: int = Field(
        1000, description="rebuild item-item matrices after this many new events"
    )
    max_staleness_s: float = Field(
        30.0, ge=0.5, description="every acknowledged event is in the matrices within about this long "
        "(plus one rebuild) after it was written, however few events came")
