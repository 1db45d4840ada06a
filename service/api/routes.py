"""Thin controllers: validate (pydantic does), call the pipeline, return a schema."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterator

from litestar import Controller, Request, Response, delete, get, post
from litestar.di import NamedDependency
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import FromPath, JSONBody, Parameter
from litestar.response import ServerSentEvent, ServerSentEventMessage
from litestar.status_codes import HTTP_200_OK, HTTP_503_SERVICE_UNAVAILABLE

from service.api.request_id import request_id
from service.api.runtime import Runtime
from service.api.metrics import FALLBACKS, LLM_SECONDS, RECOMMEND_SECONDS
from service.api.schemas import (
    ChatRequest,
    ChatResponse,
    EventsAccepted,
    EventsIn,
    Forgotten,
    Health,
    ItemsIn,
    RecommendationRequest,
    RecommendationResponse,
    RecommendedItem,
    SimilarResponse,
    Understood,
    Upserted,
)
from service.chat import Turn
from service.errors import InvalidInput, NotFound, Overloaded
from service.pipeline import Recommendation
from service.types import CandidateRequest, Filters, Item, Ranked

log = logging.getLogger(__name__)


def _items(ranked: list[Ranked], blurbs: dict | None = None) -> list[RecommendedItem]:
    out = []
    for r in ranked:
        b = (blurbs or {}).get(r.item_id)
        extra = dict(blurb=b.text, blurb_grounded=b.grounded, blurb_source=b.source, blurb_note=b.note) if b else {}
        out.append(RecommendedItem(item_id=r.item_id, title=r.title, score=r.score, rank=r.rank,
                                   sources=r.sources, **extra))
    return out


def _observe(rec: Recommendation, allow_degraded: bool) -> None:
    RECOMMEND_SECONDS.observe(rec.timings_ms.get("total", 0.0) / 1000)
    if "rerank" in rec.timings_ms and rec.ranker != "adapted":
        LLM_SECONDS.observe(rec.timings_ms["rerank"] / 1000)
    if not rec.reranked:
        FALLBACKS.labels(reason=rec.fallback.value if rec.fallback else "unknown").inc()
    if rec.overloaded and not allow_degraded:
        raise Overloaded("the model is saturated; retry, or send allow_degraded=true", retry_after=2.0)


class RecommendationsController(Controller):
    path = "/v1/recommendations"
    tags = ["recommendations"]

    @post(status_code=HTTP_200_OK, sync_to_thread=True)
    def recommend(self, data: JSONBody[RecommendationRequest], runtime: NamedDependency[Runtime]) -> RecommendationResponse:
        """Recommendations for a user and/or a free-text request. An unknown user gets
        the cold-start path (text and popularity)."""
        rec = runtime.get()
        req = CandidateRequest(user_id=data.user_id, query=data.query, k=data.k,
                               filters=data.filters or Filters(), exclude_seen=data.exclude_seen)
        out = rec.recommend_full(req, use_llm=data.use_llm)
        _observe(out, data.allow_degraded)
        blurbs = rec.blurbs(out.items, data.user_id, data.use_llm) if data.explain and out.items else {}
        return RecommendationResponse(items=_items(out.items, blurbs), reranked=out.reranked,
                                      fallback_reason=out.fallback_reason, model=out.model,
                                      prompt_version=out.prompt_version, blend=out.blend,
                                      reranker_version=out.reranker_version,
                                      timings_ms={k: round(v, 2) for k, v in out.timings_ms.items()})


class ChatController(Controller):
    path = "/v1/chat"
    tags = ["chat"]

    @post(status_code=HTTP_200_OK, sync_to_thread=True, responses={
        200: ResponseSpec(data_container=ChatResponse, description="JSON answer, or (streaming) "
                          "text/event-stream events: items, reply, blurb (deltas), blurb_done, done | error")})
    def chat(self, data: JSONBody[ChatRequest], request: Request, runtime: NamedDependency[Runtime]) -> Response:
        """Chat-style request in English, French, Spanish or Chinese: free text,
        constraints ("not horror"), "like <title>", and follow-ups ("more like the second
        one", "something lighter"). With `stream: true` or `Accept: text/event-stream`
        the answer is Server-Sent Events: `items` (the ranked list, first), `reply` (the
        opening line), `blurb` deltas per item (a higher `attempt` restarts that item's
        text), `blurb_done` (the final, checked blurb), then `done` with the whole reply
        (or `error`)."""
        chat = runtime.chat()
        turns = [Turn(m.role, m.content, m.item_ids) for m in data.messages]
        run = chat.run(turns, data.user_id, data.k, explain=data.explain, use_llm=data.use_llm)
        plan = next(run)[1]  # planning errors (e.g. no user message) become 4xx here
        wants_stream = data.stream or "text/event-stream" in request.headers.get("accept", "")
        if not wants_stream:
            out, blurbs, reply = None, {}, ""
            for kind, ev in run:
                if kind == "items":
                    out = ev
                    _observe(out, True)
                elif kind == "blurb":
                    blurbs[ev.item_id] = ev
                elif kind == "done":
                    reply = ev
            return Response(ChatResponse(reply=reply, items=_items(out.items, blurbs), understood=_understood(plan),
                                         reranked=out.reranked, fallback_reason=out.fallback_reason,
                                         model=out.model, prompt_version=out.prompt_version,
                                         reranker_version=out.reranker_version))

        def events() -> Iterator[ServerSentEventMessage]:
            def sse(event: str, body: dict) -> ServerSentEventMessage:
                return ServerSentEventMessage(event=event, data=json.dumps(body, ensure_ascii=False))

            try:
                for kind, ev in run:
                    if kind == "items":
                        _observe(ev, True)
                        yield sse("items", {"items": [i.model_dump() for i in _items(ev.items)],
                                            "understood": _understood(plan).model_dump(), "reranked": ev.reranked,
                                            "fallback_reason": ev.fallback_reason, "model": ev.model,
                                            "prompt_version": ev.prompt_version,
                                            "reranker_version": ev.reranker_version})
                    elif kind == "reply":
                        yield sse("reply", {"delta": ev})
                    elif kind == "blurb_delta":
                        yield sse("blurb", {"item_id": ev.item_id, "delta": ev.delta, "attempt": ev.attempt})
                    elif kind == "blurb":
                        yield sse("blurb_done", {"item_id": ev.item_id, "blurb": ev.text, "grounded": ev.grounded,
                                                 "source": ev.source, "note": ev.note})
                    elif kind == "done":
                        yield sse("done", {"reply": ev})
            except Exception as e:  # the stream is already 200: report in-band, log the traceback
                rid = request_id(request.scope)
                log.exception("chat stream failed (request id %s)", rid)
                yield sse("error", {"detail": f"{type(e).__name__}: {e}", "request_id": rid})

        return ServerSentEvent(events())


def _understood(plan) -> Understood:
    i = plan.intent
    return Understood(language=i.language, query=plan.request.query, include=i.include, exclude=i.exclude,
                      moods=i.moods, like=i.seeds,
                      values=[f"{a}: {v}" for a, v in i.values_in] + [f"not {a}: {v}" for a, v in i.values_out],
                      numbers=[c.why for c in i.ranges],
                      llm_values=[f"{a}: {v} (p={p:.2f})" for a, v, p in i.llm_values],
                      filters=plan.request.filters.model_dump(exclude_defaults=True))


class ItemsController(Controller):
    path = "/v1/items"
    tags = ["catalog"]

    @post(status_code=HTTP_200_OK, sync_to_thread=True)
    def upsert(self, data: JSONBody[ItemsIn], runtime: NamedDependency[Runtime]) -> Upserted:
        """Insert or replace items (batch). New items are searchable at once."""
        return Upserted(upserted=runtime.get().add_items(data.items))

    @get("/{item_id:str}", sync_to_thread=True)
    def get_item(self, item_id: FromPath[str], runtime: NamedDependency[Runtime]) -> Item:
        item = runtime.get().store.get_item(item_id)
        if item is None:
            raise NotFound(f"no item {item_id!r}")
        return item

    @delete("/{item_id:str}", sync_to_thread=True)
    def delete_item(self, item_id: FromPath[str], runtime: NamedDependency[Runtime]) -> None:
        """Remove an item (and its events) from the store and every candidate source."""
        runtime.get().delete_item(item_id)

    @get("/{item_id:str}/similar", sync_to_thread=True)
    def similar(self, item_id: FromPath[str], runtime: NamedDependency[Runtime],
                k: int = Parameter(default=10, ge=1, le=100)) -> SimilarResponse:
        return SimilarResponse(item_id=item_id, items=_items(runtime.get().similar(item_id, k)))


class EventsController(Controller):
    path = "/v1/events"
    tags = ["events"]

    @post(status_code=HTTP_200_OK, sync_to_thread=True)
    def add(self, data: JSONBody[EventsIn], runtime: NamedDependency[Runtime]) -> EventsAccepted:
        """Record events (batch), committed before the answer. They change the user's
        next recommendation at once; item-item matrices refresh in the background."""
        rec = runtime.get()
        unknown = sorted({e.item_id for e in data.events} - set(rec.store.get_items(
            sorted({e.item_id for e in data.events}))))
        created: list[str] = []
        if unknown:
            if runtime.settings.unknown_item_events != "create":
                shown = ", ".join(repr(i) for i in unknown[:10])
                raise InvalidInput(f"events name unknown item(s) {shown}: POST them to /v1/items first "
                                   "(nothing from this batch was stored)")
            rec.add_items([Item(item_id=i, title=i) for i in unknown])
            created = unknown
        received = time.time()
        inserted, dupes = rec.add_events([e.to_event(received) for e in data.events])
        return EventsAccepted(accepted=inserted, duplicates=dupes, created_items=created)


class UsersController(Controller):
    path = "/v1/users"
    tags = ["users"]

    @delete("/{user_id:str}", status_code=HTTP_200_OK, sync_to_thread=True)
    def forget(self, user_id: FromPath[str], runtime: NamedDependency[Runtime]) -> Forgotten:
        """Forget a user: their events and everything derived from them."""
        return Forgotten(user_id=user_id, deleted_events=runtime.get().delete_user(user_id))


class HealthController(Controller):
    path = "/health"
    tags = ["health"]
    opt = {"public": True}

    @get("/live")
    async def live(self) -> Health:
        return Health(status="ok")

    @get("/ready")
    async def ready(self, runtime: NamedDependency[Runtime]) -> Response[Health]:
        if runtime.recommender is not None:
            status = getattr(runtime.recommender, "index_status", None)
            return Response(Health(status="ready", index=status() if status else None,
                                   trainer=runtime.trainer_status()))
        detail = runtime.error or "loading"
        return Response(Health(status="not ready", detail=detail), status_code=HTTP_503_SERVICE_UNAVAILABLE,
                        headers={"Retry-After": "2"})

