"""What the HTTP controllers, the OpenAI-compatible endpoint and the MCP tools do, once:
each takes the Runtime and a request schema and returns a response schema."""

from __future__ import annotations

import time

from service.api.metrics import (EXPERIMENT_EXPOSURES, EXPERIMENT_POSITIVES, FALLBACKS, LLM_SECONDS,
                                 RECOMMEND_SECONDS)
from service.api.runtime import Runtime
from service.api.schemas import (
    ChatResponse,
    EventsAccepted,
    EventsIn,
    FeedbackTypeOut,
    FeedbackTypes,
    RecommendationRequest,
    RecommendationResponse,
    RecommendedItem,
    SimilarResponse,
    Understood,
)
from service.chat import ChatAnswer, Items, Planned, Turn
from service.errors import InvalidInput, NotFound, Overloaded
from service.feedback import Feedback
from service.recommender.results import Recommendation
from service.types import CandidateRequest, Filters, Item, Ranked


def items(ranked: list[Ranked], blurbs: dict | None = None) -> list[RecommendedItem]:
    out = []
    for r in ranked:
        b = (blurbs or {}).get(r.item_id)
        extra = dict(blurb=b.text, blurb_grounded=b.grounded, blurb_source=b.source, blurb_note=b.note,
                     evidence=evidence(b.evidence)) if b else {}
        out.append(RecommendedItem(item_id=r.item_id, title=r.title, score=r.score, rank=r.rank,
                                   sources=r.sources, **extra))
    return out


def evidence(ev) -> dict | None:
    """The API's view of an explain.Evidence record."""
    if ev is None:
        return None
    d = ev.as_dict()
    return {"because": [{k: c[k] for k in ("item_id", "title", "weight", "via", "shared")} for c in d["because"]],
            "asked": d["asked"], "facts": d["facts"], "sources": d["sources"]}


def observe(rec: Recommendation, allow_degraded: bool) -> None:
    RECOMMEND_SECONDS.observe(rec.timings_ms.get("total", 0.0) / 1000)
    if "rerank" in rec.timings_ms and rec.ranker != "adapted":
        LLM_SECONDS.observe(rec.timings_ms["rerank"] / 1000)
    if not rec.reranked:
        FALLBACKS.labels(reason=rec.fallback.value if rec.fallback else "unknown").inc()
    if rec.overloaded and not allow_degraded:
        raise Overloaded("the model is saturated; retry, or send allow_degraded=true", retry_after=2.0)


def understood(plan) -> Understood:
    i = plan.intent
    topic = i.topic()  # the earlier turns' words (the query is also matched with a referred item's text)
    return Understood(language=i.language, query=plan.request.query,
                      follows=[t for t in plan.request.query_context if t in topic],
                      include=i.include, exclude=i.exclude,
                      moods=i.moods, like=i.seeds,
                      values=[f"{a}: {v}" for a, v in i.values_in] + [f"not {a}: {v}" for a, v in i.values_out]
                      + [f"titled: {w}" for _a, w in i.lines_in] + [f"not titled: {w}" for w in i.lines_out],
                      numbers=[c.why for c in i.ranges],
                      llm_values=[f"{a}: {v} (p={p:.2f})" for a, v, p in i.llm_values],
                      by_meaning=[f"{a}: {v} ({s:.2f})" for a, v, s in i.semantic], relaxed=plan.relaxed,
                      filters=plan.request.filters.model_dump(exclude_defaults=True))



def recommend(runtime: Runtime, data: RecommendationRequest) -> RecommendationResponse:
    rec = runtime.get()
    page = rec.exposure.page(data.user_id, data.after)
    req = CandidateRequest(user_id=data.user_id, query=data.query, k=data.k,
                           filters=data.filters or Filters(), exclude_seen=data.exclude_seen,
                           exclude_items=list(dict.fromkeys([*data.exclude_items, *page.before])))
    arm = rec.experiment.arm(data.user_id) if not (data.query and data.query.strip()) else None
    out = rec.recommend_full(req, use_llm=data.use_llm, history_weights=rec.experiment.weights(arm))
    out = rec.explore(req, out)
    observe(out, data.allow_degraded)
    if data.record_exposure and rec.exposure.record(data.user_id, page, [r.item_id for r in out.items]):
        rec.explorer.shown(r.item_id for r in out.items)
        if arm:
            EXPERIMENT_EXPOSURES.labels(rec.experiment.name, arm).inc(len(out.items))
    blurbs = rec.blurbs(out.items, data.user_id, data.use_llm) if data.explain and out.items else {}
    return RecommendationResponse(recommendation_id=page.answer_id, page=page.page, experiment_arm=arm,
                                  items=items(out.items, blurbs), reranked=out.reranked,
                                  fallback_reason=out.fallback_reason, model=out.model,
                                  prompt_version=out.prompt_version, blend=out.blend,
                                  reranker_version=out.reranker_version,
                                  timings_ms={k: round(v, 2) for k, v in out.timings_ms.items()})


def start_chat(runtime: Runtime, turns: list[Turn], user_id: str | None, k: int, explain: bool,
               use_llm: bool):
    """(plan, the rest of the run's events); planning errors (no user message...) raise
    here, before any answer has started."""
    run = runtime.chat().run(turns, user_id, k, explain=explain, use_llm=use_llm)
    first = next(run)
    assert isinstance(first, Planned)  # Chat.run's first event
    return first.plan, run


def shown(runtime: Runtime, user_id: str | None, out: Recommendation, record: bool = True) -> str:
    """A chat answer's id, its items recorded as shown to this person (unless not to)."""
    rec = runtime.get()
    page = rec.exposure.page(user_id, None)
    if record:
        rec.exposure.record(user_id, page, [r.item_id for r in out.items])
    return page.answer_id


def collect_chat(plan, run, shown_as=None) -> ChatResponse:
    """A chat run's events gathered into one answer (the non-streaming form). `shown_as`:
    called with the items' Recommendation, returns the answer's id (records exposure)."""
    answer, answer_id = ChatAnswer(plan), None
    for ev in run:
        answer.add(ev)
        if isinstance(ev, Items):
            observe(ev.recommendation, True)
            answer_id = shown_as(ev.recommendation) if shown_as else None
    return chat_response(plan, answer.recommendation, answer.blurbs, answer.reply, answer_id)


def chat_response(plan, out: Recommendation, blurbs: dict, reply: str,
                  recommendation_id: str | None = None) -> ChatResponse:
    return ChatResponse(recommendation_id=recommendation_id, reply=reply, items=items(out.items, blurbs),
                        understood=understood(plan),
                        reranked=out.reranked, fallback_reason=out.fallback_reason, model=out.model,
                        prompt_version=out.prompt_version, reranker_version=out.reranker_version)


def similar(runtime: Runtime, item_id: str, k: int) -> SimilarResponse:
    return SimilarResponse(item_id=item_id, items=items(runtime.get().similar(item_id, k)))


def get_item(runtime: Runtime, item_id: str) -> Item:
    item = runtime.get().store.get_item(item_id)
    if item is None:
        raise NotFound(f"no item {item_id!r}")
    return item


def record_events(runtime: Runtime, data: EventsIn) -> EventsAccepted:
    rec = runtime.get()
    for e in data.events:  # an unknown type refuses the batch before anything is written
        rec.feedback.resolve(e.type)
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
    events = [e.to_event(received) for e in data.events]
    inserted, dupes = rec.add_events(events)
    if rec.experiment.name:
        for arm, n in rec.experiment.attributed(rec.feedback.resolve_events(events)).items():
            EXPERIMENT_POSITIVES.labels(rec.experiment.name, arm).inc(n)
    return EventsAccepted(accepted=inserted, duplicates=dupes, created_items=created)


def feedback_types(runtime: Runtime) -> FeedbackTypes:
    fb = Feedback(runtime.settings.feedback)
    return FeedbackTypes(types=[FeedbackTypeOut(**t) for t in fb.describe()], unknown=fb.cfg.unknown)
