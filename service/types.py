"""Typed records passed between pipeline stages."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

AttrValue = str | int | float | bool | list[str]
AttrName = Annotated[str, Field(min_length=1, max_length=64)]
Values = Annotated[list[Annotated[str, Field(min_length=1, max_length=200)]], Field(min_length=1, max_length=100)]


class Item(BaseModel):
    model_config = ConfigDict(frozen=True)

    item_id: str = Field(min_length=1, max_length=256)
    title: str = Field(min_length=1, max_length=1000)
    text: str = Field("", max_length=20_000)
    attributes: dict[str, AttrValue] = Field(default_factory=dict)


class Event(BaseModel):
    model_config = ConfigDict(frozen=True)

    user_id: str = Field(min_length=1, max_length=256)
    item_id: str = Field(min_length=1, max_length=256)
    type: str = Field("view", min_length=1, max_length=32)
    value: float | None = None
    timestamp: float = Field(description="unix seconds; for order-only data, the row's order")


class Range(BaseModel):
    model_config = ConfigDict(extra="forbid")

    gte: float | None = Field(None, allow_inf_nan=False)
    lte: float | None = Field(None, allow_inf_nan=False)


class Filters(BaseModel):
    """Constraints every candidate must satisfy.

    `include`: attribute -> values; an item passes when, for every attribute, it has at
    least one of the values. `require`: an item passes only when it has all of them.
    `exclude`: an item fails when it has any of the values. `ranges`: numeric attribute
    bounds (inclusive).
    """

    model_config = ConfigDict(extra="forbid")

    include: dict[AttrName, Values] = Field(default_factory=dict, max_length=20)
    require: dict[AttrName, Values] = Field(default_factory=dict, max_length=20)
    exclude: dict[AttrName, Values] = Field(default_factory=dict, max_length=20)
    ranges: dict[AttrName, Range] = Field(default_factory=dict, max_length=20)

    def is_empty(self) -> bool:
        return not (self.include or self.require or self.exclude or self.ranges)


class CandidateRequest(BaseModel):
    user_id: str | None = None
    query: str | None = None
    # Earlier turns of a conversation the query refines: matched together with it (their
    # mean weighs as much as the query itself).
    query_context: list[str] = Field(default_factory=list)
    k: int = 10
    filters: Filters = Field(default_factory=Filters)
    exclude_seen: bool = True
    exclude_items: list[str] = Field(default_factory=list)
    # Only these items may be returned (e.g. the pool a text query selected).
    restrict_to: list[str] | None = None
    # A history given directly (e.g. from a chat or for evaluation) instead of the store's.
    history: list[str] | None = None


class Candidate(BaseModel):
    item_id: str
    score: float
    sources: dict[str, float] = Field(default_factory=dict)

    def with_score(self, score: float) -> "Candidate":
        return self.model_copy(update={"score": score})


class Ranked(BaseModel):
    item_id: str
    title: str
    score: float
    rank: int
    sources: dict[str, float] = Field(default_factory=dict)
    attributes: dict[str, Any] = Field(default_factory=dict)
