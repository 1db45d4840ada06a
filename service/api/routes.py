"""Thin controllers: validate (pydantic does), call the pipeline, return a schema."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator

from litestar import Controller, Request, Response, delete, get, post
from litestar.di import NamedDependency
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import FromPath, JSONBody, Parameter
from litestar.response import ServerSentEvent, ServerSentEventMessage
from litestar.status_codes import HTTP_200_OK, HTTP_503_SERVICE_UNAVAILABLE

from service.api import actions
from service.api.request_id import request_id
from service.api.runtime import Runtime
from service.api.schemas import (
    ChatRequest,
    ChatResponse,
    EventsAccepted,
    EventsIn,
    FeedbackTypes,
    Forgotten,
    Health,
    ItemsIn,
    RecommendationRequest,
    RecommendationResponse,
    SimilarResponse,
    Upserted,
)
from service.chat import Blurb, BlurbDelta, Done, Items, Reply, Turn
from service.types import Item

log = logging.getLogger(__name__)


class RecommendationsController(Controller):
    path = "/v1/recommendations"
    tags = ["recommendations"]

    @post(status_code=HTTP_200_OK, sync_to_thread=True)
    def recommend(self, data: JSONBody[RecommendationRequest], runtime: NamedDependency[Runtime]) -> RecommendationResponse:
        """Recommendations for a user and/or a free-text request. An unknown user gets
        the cold-start path (text and popularity)."""
        return actions.recommend(runtime, data)


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
        turns = [Turn(m.role, m.content, m.item_ids) for m in data.messages]
        plan, run = actions.start_chat(runtime, turns, data.user_id, data.k, data.explain, data.use_llm)
        wants_stream = data.stream or "text/event-stream" in request.headers.get("accept", "")

        def shown_as(out) -> str:
            return actions.shown(runtime, data.user_id, out, data.record_exposure)

        if not wants_stream:
            return Response(actions.collect_chat(plan, run, shown_as))

        def events() -> Iterator[ServerSentEventMessage]:
            def sse(event: str, body: dict) -> ServerSentEventMessage:
                return ServerSentEventMessage(event=event, data=json.dumps(body, ensure_ascii=False))

            try:
                for ev in run:
                    if isinstance(ev, Items):
                        out = ev.recommendation
                        actions.observe(out, True)
                        yield sse("items", {"recommendation_id": shown_as(out),
                                            "items": [i.model_dump() for i in actions.items(out.items)],
                                            "understood": actions.understood(plan).model_dump(), "reranked": out.reranked,
                                            "fallback_reason": out.fallback_reason, "model": out.model,
                                            "prompt_version": out.prompt_version,
                                            "reranker_version": out.reranker_version})
                    elif isinstance(ev, Reply):
                        yield sse("reply", {"delta": ev.text})
                    elif isinstance(ev, BlurbDelta):
                        yield sse("blurb", {"item_id": ev.item_id, "delta": ev.delta, "attempt": ev.attempt})
                    elif isinstance(ev, Blurb):
                        yield sse("blurb_done", {"item_id": ev.item_id, "blurb": ev.text, "grounded": ev.grounded,
                                                 "source": ev.source, "note": ev.note,
                                                 "evidence": actions.evidence(ev.evidence)})
                    elif isinstance(ev, Done):
                        yield sse("done", {"reply": ev.reply})
            except Exception as e:  # the stream is already 200: report in-band, log the traceback
                rid = request_id(request.scope)
                log.exception("chat stream failed (request id %s)", rid)
                yield sse("error", {"detail": f"{type(e).__name__}: {e}", "request_id": rid})

        return ServerSentEvent(events())


class ItemsController(Controller):
    path = "/v1/items"
    tags = ["catalog"]

    @post(status_code=HTTP_200_OK, sync_to_thread=True)
    def upsert(self, data: JSONBody[ItemsIn], runtime: NamedDependency[Runtime]) -> Upserted:
        """Insert or replace items (batch). New items are searchable at once."""
        return Upserted(upserted=runtime.get().add_items(data.items))

    @get("/{item_id:str}", sync_to_thread=True)
    def get_item(self, item_id: FromPath[str], runtime: NamedDependency[Runtime]) -> Item:
        return actions.get_item(runtime, item_id)

    @delete("/{item_id:str}", sync_to_thread=True)
    def delete_item(self, item_id: FromPath[str], runtime: NamedDependency[Runtime]) -> None:
        """Remove an item (and its events) from the store and every candidate source."""
        runtime.get().delete_item(item_id)

    @get("/{item_id:str}/similar", sync_to_thread=True)
    def similar(self, item_id: FromPath[str], runtime: NamedDependency[Runtime],
                k: int = Parameter(default=10, ge=1, le=100)) -> SimilarResponse:
        return actions.similar(runtime, item_id, k)


class EventsController(Controller):
    path = "/v1/events"
    tags = ["events"]

    @post(status_code=HTTP_200_OK, sync_to_thread=True)
    def add(self, data: JSONBody[EventsIn], runtime: NamedDependency[Runtime]) -> EventsAccepted:
        """Record events (batch), committed before the answer. They change the user's
        next recommendation at once; item-item matrices refresh in the background."""
        return actions.record_events(runtime, data)


class FeedbackTypesController(Controller):
    path = "/v1/feedback-types"
    tags = ["events"]

    @get(sync_to_thread=False)
    def list_types(self, runtime: NamedDependency[Runtime]) -> FeedbackTypes:
        """The event types `POST /v1/events` accepts and what each means: positive (with a
        weight), negative (the item leaves that person's answers; its neighbours are
        demoted), neutral (an exposure: stored, counted nowhere), or a rating (positive at
        or above a threshold, negative below)."""
        return actions.feedback_types(runtime)


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
        ready, rows = runtime.deployment()
        if ready:
            status = getattr(runtime.recommender, "index_status", None)
            return Response(Health(status="ready", index=status() if status else None,
                                   trainer=runtime.trainer_status(), workers=rows))
        detail = runtime.error or ("loading" if runtime.recommender is None else
                                   "this process is ready; waiting for the other API processes")
        return Response(Health(status="not ready", detail=detail, workers=rows),
                        status_code=HTTP_503_SERVICE_UNAVAILABLE, headers={"Retry-After": "2"})

