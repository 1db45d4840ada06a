"""Request and response bodies of the HTTP API, with the limits the API enforces."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from service.types import Event, Filters, Item


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class RecommendationRequest(Strict):
    user_id: str | None = Field(None, min_length=1, max_length=256, examples=["1"])
    query: str | None = Field(None, max_length=2000, examples=["a funny animated movie for kids"])
    k: int = Field(10, ge=1, le=100)
    explain: bool = Field(True, description="add a short blurb per item (when available)")
    filters: Filters | None = Field(None, examples=[{"include": {"genres": ["Comedy"]}, "exclude": {"genres": ["Horror"]}}])
    exclude_seen: bool = True
    use_llm: bool = Field(True, description="rerank with the LLM")
    allow_degraded: bool = Field(
        True, description="when the model is saturated, answer with the candidate order "
                          "(reranked: false) instead of 503")


class RecommendedItem(BaseModel):
    item_id: str
    title: str
    score: float
    rank: int
    sources: dict[str, float]
    blurb: str | None = None
    blurb_grounded: bool | None = None


class RecommendationResponse(BaseModel):
    items: list[RecommendedItem]
    reranked: bool
    fallback_reason: str | None
    model: str | None
    prompt_version: str | None
    blend: str
    timings_ms: dict[str, float]


class ItemsIn(Strict):
    items: list[Item] = Field(min_length=1, max_length=1000)


class EventsIn(Strict):
    events: list[Event] = Field(min_length=1, max_length=5000)


class Upserted(BaseModel):
    upserted: int


class EventsAccepted(BaseModel):
    accepted: int
    duplicates: int
    created_items: list[str] = Field(default_factory=list)


class Forgotten(BaseModel):
    user_id: str
    deleted_events: int


class SimilarResponse(BaseModel):
    item_id: str
    items: list[RecommendedItem]


class ChatMessage(Strict):
    role: Literal["user", "assistant"]
    content: str = Field(min_length=1, max_length=4000)


class ChatRequest(Strict):
    messages: list[ChatMessage] = Field(min_length=1, max_length=50)
    user_id: str | None = Field(None, min_length=1, max_length=256)
    k: int = Field(5, ge=1, le=20)
    stream: bool = False


class ChatResponse(BaseModel):
    reply: str
    items: list[RecommendedItem]
    reranked: bool
    fallback_reason: str | None
    model: str | None
    prompt_version: str | None


class Health(BaseModel):
    status: str
    detail: str | None = None
