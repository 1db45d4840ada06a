"""Request and response bodies of the HTTP API, with the limits the API enforces."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from service.types import Event, Filters, Item


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class RecommendationRequest(Strict):
    user_id: str | None = Field(None, min_length=1, max_length=256, examples=["1"])
    query: str | None = Field(None, max_length=2000, examples=["a funny animated movie for kids"])
    k: int = Field(10, ge=1, le=100)
    explain: bool = Field(False, description="add a short personal reason per item and the evidence it rests "
                          "on (the evidence sentence; in RECS_EXPLAIN__LLM_LANGUAGES the LLM phrases the top few, "
                          "about a second each)")
    filters: Filters | None = Field(None, examples=[{"include": {"genres": ["Comedy"]}, "exclude": {"genres": ["Horror"]}}])
    exclude_seen: bool = Field(True, description="leave out every item the person has had an event with "
                               "(up to RECS_CF__SEEN_LIMIT, newest first); false: only what they turned down")
    use_llm: bool = Field(True, description="allow a model call on the request path (a fitted blend that uses "
                          "the LLM, or zero-shot if configured); the adapted reranker makes none and answers either way")
    allow_degraded: bool = Field(
        True, description="when the model is saturated, answer with the candidate order "
                          "(reranked: false) instead of 503")
    exclude_items: list[Annotated[str, Field(min_length=1, max_length=256)]] = Field(
        default_factory=list, max_length=1000, description="items this answer must not contain")
    after: str | None = Field(None, max_length=64, description="the recommendation_id of the previous page: "
                              "this answer is the next page of that feed and repeats nothing its pages showed "
                              "(needs the same user_id, and that page recorded)")
    record_exposure: bool = Field(True, description="record the answer's items as shown to this person (items "
                                  "shown and not taken cool down in their next answers); false for previews")


class EvidenceLink(BaseModel):
    item_id: str
    title: str
    weight: float = Field(description="its share of the item's item-item CF score, 0..1 (0: linked only by "
                          "catalog values both carry)")
    via: list[str] = Field(description="asked_like (the request named it), co_liked, next (comes next), "
                           "shared_values")
    shared: list[str] = Field(description="catalog values (genres, tags, authors...) both items really carry")


class Evidence(BaseModel):
    """Why the item is in the answer, from the ranking itself (when `explain` is on): what
    the blurb rests on, for clients that render reasons of their own."""

    because: list[EvidenceLink] = Field(description="the history items that pulled it in, strongest first")
    asked: list[str] = Field(default_factory=list, description="the request's wishes the item meets")
    facts: dict = Field(default_factory=dict, description="catalog facts: year, creators, rating")
    sources: dict[str, float] = Field(default_factory=dict)


class RecommendedItem(BaseModel):
    item_id: str
    title: str
    score: float
    rank: int
    sources: dict[str, float]
    blurb: str | None = Field(None, description="a short personal reason (when `explain` is on)")
    blurb_grounded: bool | None = Field(None, description="true: written by the LLM and passed the grounding "
                                        "check; false: built from facts instead (see blurb_note)")
    blurb_source: Literal["llm", "facts"] | None = None
    blurb_note: str | None = Field(None, description="why the blurb came from facts")
    evidence: Evidence | None = Field(None, description="what the blurb rests on (when `explain` is on)")


class RecommendationResponse(BaseModel):
    recommendation_id: str = Field(description="this answer's id: send it as `after` for the next page")
    page: int = Field(description="1 for a first page, 2 for the page after it, ...")
    experiment_arm: str | None = Field(None, description="the experiment arm that ranked this answer (while "
                                       "RECS_EXPERIMENT__NAME runs one)")
    items: list[RecommendedItem]
    reranked: bool
    fallback_reason: str | None
    model: str | None
    prompt_version: str | None
    blend: str
    reranker_version: str | None = Field(None, description="the adapted reranker artifact that ordered the "
                                         "list, or `blend:<kind> (why no adapted reranker was used)`")
    timings_ms: dict[str, float]


class ItemsIn(Strict):
    items: list[Item] = Field(min_length=1, max_length=1000)


class EventIn(Strict):
    """An event as clients send it: without a timestamp it happened when it arrived."""

    user_id: str = Field(min_length=1, max_length=256)
    item_id: str = Field(min_length=1, max_length=256)
    type: str = Field("view", min_length=1, max_length=32)
    value: float | None = Field(None, allow_inf_nan=False)
    timestamp: float | None = Field(None, allow_inf_nan=False,
                                    description="unix seconds; the time of receipt when left out")

    def to_event(self, received: float) -> Event:
        return Event(user_id=self.user_id, item_id=self.item_id, type=self.type, value=self.value,
                     timestamp=received if self.timestamp is None else self.timestamp)


class EventsIn(Strict):
    events: list[EventIn] = Field(min_length=1, max_length=5000)


class Upserted(BaseModel):
    upserted: int


class EventsAccepted(BaseModel):
    accepted: int
    duplicates: int
    created_items: list[str] = Field(default_factory=list)


class FeedbackTypeOut(BaseModel):
    type: str
    kind: Literal["positive", "negative", "neutral", "rating"]
    weight: float | None = Field(None, description="how much a positive counts")
    threshold: float | None = Field(None, description="rating: positive at or above, negative below")
    meaning: str


class FeedbackTypes(BaseModel):
    """The event types `POST /v1/events` accepts and what each does to recommendations."""

    types: list[FeedbackTypeOut]
    unknown: str = Field(description="'reject': another type is refused (422); else the type it is read as")


class Forgotten(BaseModel):
    user_id: str
    deleted_events: int


class SimilarResponse(BaseModel):
    item_id: str
    items: list[RecommendedItem]


class ChatMessage(Strict):
    role: Literal["user", "assistant"]
    content: str = Field(min_length=1, max_length=4000)
    item_ids: list[str] | None = Field(None, max_length=100, description="for assistant turns: the items that "
                                       "answer recommended, so 'the second one' resolves exactly (otherwise "
                                       "its numbered lines are read)")


class ChatRequest(Strict):
    messages: list[ChatMessage] = Field(min_length=1, max_length=50)
    user_id: str | None = Field(None, min_length=1, max_length=256)
    k: int = Field(5, ge=1, le=20)
    stream: bool = False
    explain: bool = Field(True, description="write a blurb per item")
    use_llm: bool = Field(True, description="rerank and write blurbs with the LLM")
    record_exposure: bool = Field(True, description="record the answer's items as shown to this person")


class Understood(BaseModel):
    language: str
    query: str | None
    follows: list[str] = Field(default_factory=list, description="earlier turns' words the query refines, "
                               "matched together with it ('un film de vampires' under 'moins romantique')")
    include: list[str]
    exclude: list[str]
    moods: list[str]
    like: list[str] = Field(description="item ids the request referred to")
    values: list[str] = Field(default_factory=list, description="catalog attribute values read from the request "
                              "('brand: Samsung', 'not authors: Stephen King')")
    numbers: list[str] = Field(default_factory=list, description="numbers and comparisons read as ranges "
                               "('price <= 300', 'good value: rating >= 4.1 (median)')")
    llm_values: list[str] = Field(default_factory=list, description="values the LLM read where words ran out "
                                  "(RECS_CHAT__LLM_VALUES), with its probability")
    by_meaning: list[str] = Field(default_factory=list, description="values found by meaning, not spelling "
                                  "('brand: Apple (0.88)' for '苹果'), with the encoder's cosine")
    relaxed: str | None = Field(None, description="what the answer let go of because the whole request "
                                "found nothing (the least certain constraint first)")
    filters: dict


class ChatResponse(BaseModel):
    recommendation_id: str | None = Field(None, description="this answer's id (its items recorded as shown "
                                          "to user_id unless record_exposure is false)")
    reply: str
    items: list[RecommendedItem]
    understood: Understood
    reranked: bool
    fallback_reason: str | None
    model: str | None
    prompt_version: str | None
    reranker_version: str | None = None


class Health(BaseModel):
    status: str
    detail: str | None = None
    index: dict | None = Field(None, description="the CF index: the last event it includes, events it does "
                               "not yet (a rebuild includes them within cf.max_staleness_s), rebuilds")
    trainer: dict | None = Field(None, description="the background trainer: state, last run (examples, "
                                 "validation NDCG@10 per variant, artifact), served artifact, next run")
    workers: list[dict] | None = Field(None, description="with `serve --workers N`: every API process's slot, "
                                       "pid and state (starting, ready, failed, gone); ready only when all are")
