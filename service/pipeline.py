"""Recommender: wires candidates -> rerank -> respond, and keeps the derived indexes
in step with the store."""

from __future__ import annotations

import logging
import secrets
import threading
import time
from dataclasses import dataclass, field, replace
from functools import cached_property

import numpy as np

from service.calllog import CallLog
from service.candidates import CandidateIndex, ChromaSemantic, ItemItemCF, Popularity, rrf
from service.candidates.fusion import score_sum
from service.candidates.negatives import closeness, turn_down
from service.candidates.sources import SessionNeighbours
from service.candidates import snapshots
from service.candidates.refresher import IndexRefresher, SnapshotFollower
from service.freshness import IndexLifecycle
from service.candidates.vectors import ChromaVectors
from service.embed import Embedder, make_embedder
from service.errors import InvalidInput, NotFound
from service.exposure import ExposureLog
from service.exposure.experiment import Experiment
from service.exposure.explore import Explorer, slots
from service.feedback import Feedback, Split
from service.llm import LLMBackend, make_scheduled_backend
from service.rerank.adapted import ADAPTED_LLM_FEATURES as LLM_FEATURES, AdaptedModel as AdaptedRanker
from service.rerank.adapted import LLMSide, Timeline, candidate_features, latest_event_time
from service.rerank.base import Fallback, RerankContext
from service.rerank.choice import RerankerSet
from service.rerank.stage import RerankStage
from service.settings import Settings
from service.store import Store, open_store
from service.types import Candidate, CandidateRequest, Event, Item, Ranked

log = logging.getLogger(__name__)


@dataclass
class Recommendation:
    items: list[Ranked]
    reranked: bool
    fallback_reason: str | None
    model: str | None
    prompt_version: str | None
    blend: str
    timings_ms: dict[str, float]
    overloaded: bool = False
    reranker_version: str | None = None
    fallback: Fallback | None = None
    ranker: str = "identity"


@dataclass
class CandidateResult:
    candidates: list[Candidate]
    by_source: dict[str, list[Candidate]]
    history: list[str]
    timings_ms: dict[str, float] = field(default_factory=dict)
    latest_at: float | None = None  # the user's latest event time, when the history was read here


class Recommender(IndexLifecycle):
    def __init__(self, settings: Settings, store: Store | None = None,
                 embedder: Embedder | None = None, backend: LLMBackend | None = None) -> None:
        self.settings = settings
        self.feedback = Feedback(settings.feedback)
        self.store = store or open_store(settings)
        self.exposure = ExposureLog(self.store, settings.exposure, self.feedback)
        self.explorer = Explorer(self.store, settings.exposure)
        self.experiment = Experiment(settings.experiment, self.store, self.feedback)
        self.embedder = embedder or make_embedder(settings.embedder, settings.embedder_dim)
        self.vectors = ChromaVectors(settings, self.embedder)
        self._lock = threading.RLock()
        # 'api' processes follow the snapshots an indexer publishes (with items written
        # since); until there is one, they build their own in memory
        self.index = snapshots.load(settings, self.store, follow_catalog=self.follows_snapshots,
                                    embedder=self.embedder.name)
        if self.index is None:
            self.index = CandidateIndex.build(self.store, settings)
        self._wire()
        self.backend = backend
        self.model_id = backend.model_id if backend else None
        # with a shared store, one salt for every process's call log: a user forgotten
        # through any process can be found (by salted hash) in all of them
        salt = self.store.meta_default("calllog_salt", secrets.token_hex(16)) if self.store.shared else None
        self.calllog = CallLog(settings.calllog_path, settings.calllog_enabled, settings.calllog_retention_days, salt)
        self._forgotten_seen = 0
        self.rerank = RerankStage(settings, self.calllog, self.model_id)
        self._timeline: Timeline | None = None
        self.rankers = RerankerSet(settings, backend, self._adapted_features)
        self.refresher = IndexRefresher(self.build_index, self.pending_events, settings.cf)
        self.follower = SnapshotFollower(self.store, self.index.version, self.adopt_snapshot,
                                         settings.snapshot_poll_s, also=self.apply_forgotten)
        if self.rankers.adapted is not None:
            _ = self.timeline  # built now, not on the first request

    @classmethod
    def open(cls, settings: Settings, with_llm: bool = True) -> "Recommender":
        """Everything created once: store, embedder, Chroma, CF index and (optionally)
        the LLM."""
        return cls(settings, backend=make_scheduled_backend(settings) if with_llm else None)

    def _wire(self) -> None:
        space, model = self.index.space, self.index.model
        matrix = self.index.vectors if len(space) <= self.settings.exact_profile_max_items else None
        self.sources = {
            "cf": ItemItemCF(space, model),
            "semantic_profile": ChromaSemantic(space, self.vectors, "profile", matrix=matrix),
            "semantic_query": ChromaSemantic(space, self.vectors, "query", matrix=matrix,
                                             center=self.settings.fusion.center_text),
            "popularity": Popularity(space, model),
            "sknn": SessionNeighbours(space, self.index.seq),
        }

    @property
    def prompt(self):
        """The rank prompt in use."""
        return self.rankers.prompt

    # -- explanations -----------------------------------------------------------------------
    @cached_property
    def explainer(self):
        """Blurbs written by the LLM (facts when there is none)."""
        from service.explain import Explainer
        from service.llm import language_backends

        explainer = Explainer(self, self.backend, self.settings)
        if self.backend is not None:
            for lang, (backend, prompt) in language_backends(self.settings, self.backend).items():
                explainer.by_language[lang] = Explainer(self, backend, self.settings, prompt, [lang])
        return explainer

    @cached_property
    def facts_explainer(self):
        """Blurbs from facts only (for requests that ask for no LLM)."""
        from service.explain import Explainer

        return Explainer(self, None, self.settings)

    def blurbs(self, items: list[Ranked], user_id: str | None, use_llm: bool = True) -> dict:
        """The final blurb per item (item_id -> Blurb), for answers that are not streamed."""
        from service.explain import Blurb

        explainer = self.explainer if use_llm else self.facts_explainer
        return {b.item_id: b for b in explainer.explain(items, self.liked(user_id), user_id=user_id,
                                                        calllog=self.calllog) if isinstance(b, Blurb)}

    # -- adapted reranker -------------------------------------------------------------------
    @property
    def adapted(self) -> AdaptedRanker | None:
        return self.rankers.adapted_model()

    @property
    def timeline(self) -> Timeline:
        with self._lock:
            if self._timeline is None:
                self._timeline = Timeline.build(self.store, self.index.space, self.feedback)
            return self._timeline

    def _adapted_features(self, context: RerankContext, pool: list[Candidate], ranker: AdaptedRanker) -> np.ndarray:
        side = None
        if ranker.uses_llm and self.rankers.item_features is not None:
            side = LLMSide(self.rankers.item_features, ranker.center, ranker.head)
        x = candidate_features(self, context.history, context.at, pool, side, self.timeline)
        if ranker.uses_llm and side is None:  # no cache to read: the columns are unknown (NaN)
            x = np.hstack([x, np.full((len(pool), len(LLM_FEATURES)), np.nan)])
        return x

    # -- ingestion --------------------------------------------------------------------
    def add_items(self, items: list[Item]) -> int:
        items = list({it.item_id: it for it in items}.values())  # a repeated id: the last wins
        n = self.store.upsert_items(items)
        self.vectors.upsert(items)
        vecs = self.vectors.vectors([it.item_id for it in items]) if self.index.vectors is not None else None
        with self._lock:  # swapped whole; the timeline needs no rebuild: a new row has no events yet
            self.index = self.index.with_items(items, vecs)
            self._wire()
        return n

    def add_events(self, events: list[Event]) -> tuple[int, int]:
        """Store events (an unknown type: the whole batch refused, or read as the
        configured default type)."""
        events = self.feedback.resolve_events(events)
        # impressions (what a client knows was on screen) are exposures, written with the events
        out = self.store.add_events(events, self.exposure.impressions(events), self.settings.exposure.keep)
        self.refresh_in_background()
        return out

    def delete_item(self, item_id: str) -> None:
        if not self.store.delete_item(item_id):
            raise NotFound(f"no item {item_id!r}")
        self.vectors.delete([item_id])
        self.index.space.kill(item_id)

    def delete_user(self, user_id: str) -> int:
        """Forget a user: their events go now; their trace in the CF matrices goes with
        the background rebuild that this starts."""
        n = self.store.delete_user(user_id)
        self.calllog.forget(user_id)
        if self.store.shared:  # other machines' call logs follow (apply_forgotten)
            self.store.add_forgotten(self.calllog.user_hash(user_id))
        if n:
            self.refresh_in_background(force=True)
        return n

    # -- reading ----------------------------------------------------------------------
    def history(self, user_id: str | None) -> list[str]:
        """The person's positive items, oldest first: their profile."""
        return self.user_feedback(user_id).positives

    def liked(self, user_id: str | None) -> list[str]:
        """The part of the profile a reason may name as enjoyed (no 1-star film), oldest
        first."""
        if not user_id:
            return []
        entries = self.store.history(user_id, limit=self.settings.cf.history * 4,
                                     types=self.feedback.counted_types())
        return self.feedback.liked(entries, self.settings.explain.liked_min_rating)

    def user_feedback(self, user_id: str | None) -> Split:
        """The person's latest counted events read as feedback (impressions do not eat the
        window; a negative older than the window is forgotten)."""
        if not user_id:
            return Split([], [], [], None)
        entries = self.store.history(user_id, limit=self.settings.cf.history * 4,
                                     types=self.feedback.counted_types())
        return self.feedback.split(entries)

    def candidates(self, request: CandidateRequest, k: int,
                   history_weights: dict[str, float] | None = None) -> CandidateResult:
        """Fused candidates. `history_weights` overrides the history fusion (the adapted
        reranker carries the weights its trainer chose for this catalog)."""
        if k < 1:
            raise InvalidInput("k must be at least 1")
        t0 = time.perf_counter()
        latest_at = None
        fb = self.user_feedback(request.user_id)
        if request.history is not None:
            history = request.history
        else:
            history = fb.positives
            latest_at = fb.latest_at if fb.latest_at is not None else float("inf")
        negatives = set(fb.negatives)
        req = request.model_copy(update={"history": history})
        if request.user_id and request.history is None and not (request.query and request.query.strip()):
            cooled = self.exposure.cooling(request.user_id, set(fb.positives))  # a feed: show something new
            if cooled:
                req.exclude_items = [*req.exclude_items, *cooled]
        fusion = self.settings.fusion
        timings: dict[str, float] = {}
        lists: dict[str, list[Candidate]] = {}

        def run(name: str, r: CandidateRequest, n: int) -> None:
            t = time.perf_counter()
            lists[name] = self.sources[name].candidates(r, n)
            timings[name] = (time.perf_counter() - t) * 1000

        if req.query and req.query.strip():
            weights = fusion.query
            run("semantic_query", req, max(fusion.query_pool, k))
            pool = [c.item_id for c in lists["semantic_query"]]
            scoped = req.model_copy(update={"restrict_to": pool})
            for name in ("cf", "semantic_profile", "popularity"):
                if weights.get(name):
                    run(name, scoped, len(pool))
        else:
            weights = history_weights or fusion.history
            depth = max(k, 100)
            for name, w in weights.items():
                if w and name != "semantic_query":
                    run(name, req, depth)
        lists = {n: c for n, c in lists.items() if c}
        if not lists.get("cf") and not lists.get("semantic_query") and "popularity" not in lists:
            run("popularity", req, max(k, 100))  # cold start: no history, no text
            weights = {**weights, "popularity": 1.0}
        if lists.get("semantic_query") and fusion.text_scores:
            fused = score_sum(lists, fusion.text_blend, "semantic_query", k + len(negatives))
        else:
            fused = rrf(lists, weights, fusion.rrf_k, k + len(negatives))
        if negatives:
            fused = self._turn_down(fused, negatives)
        fused = fused[:k]
        timings["total"] = (time.perf_counter() - t0) * 1000
        return CandidateResult(fused, lists, history, timings, latest_at)

    def _turn_down(self, fused: list[Candidate], negatives: set[str]) -> list[Candidate]:
        """Drop what the person turned down; demote its near neighbours (never raise)."""
        cfg, index = self.settings.feedback, self.index
        close = closeness(index.space, index.model.sim, index.vectors, sorted(negatives),
                          [c.item_id for c in fused], cfg.demote_semantic_floor)
        return turn_down(fused, negatives, close, cfg.demote)

    def to_ranked(self, candidates: list[Candidate], known: dict[str, Item] | None = None) -> list[Ranked]:
        known = known or {}
        items = {**self.store.get_items([c.item_id for c in candidates if c.item_id not in known]), **known}
        out = []
        for c in candidates:
            it = items.get(c.item_id)
            if it is None:  # deleted between stages: never return it
                continue
            out.append(Ranked(item_id=c.item_id, title=it.title, score=c.score, rank=len(out) + 1,
                              sources=c.sources, attributes=it.attributes))
        return out

    def recommend(self, request: CandidateRequest) -> list[Ranked]:
        return self.recommend_full(request).items

    def popularity(self, item_ids: list[str]) -> dict[str, float]:
        pop = self.index.model.popularity
        top = float(np.log1p(pop.max())) if len(pop) else 1.0
        top = top or 1.0
        idx = self.index.space.index
        return {i: float(np.log1p(pop[idx[i]]) / (top or 1.0)) for i in item_ids if i in idx}

    def recommend_full(self, request: CandidateRequest, use_llm: bool = True,
                       history_weights: dict[str, float] | None = None) -> Recommendation:
        """candidates -> the chosen reranker (through the stage) -> top k. `history_weights`:
        an experiment arm's fusion instead of the ranker's."""
        t0 = time.perf_counter()
        is_text = bool(request.query and request.query.strip())
        choice = self.rankers.choose(is_text, use_llm)
        ranker = choice.reranker
        cand = self.candidates(request, max(request.k, ranker.depth), history_weights or ranker.fusion)
        timings = {"candidates": cand.timings_ms["total"]}
        pool = cand.candidates
        hist_n = self.settings.llm.history_items
        items = self.store.get_items([c.item_id for c in pool[: max(ranker.depth, request.k)]]
                                     + cand.history[-hist_n:]) if ranker.needs_model else {}
        context = RerankContext(
            user_id=request.user_id, history=cand.history, items=items, is_text=is_text,
            at=cand.latest_at if cand.latest_at is not None else latest_event_time(
                self.store, request.user_id, self.feedback.counted_types()),
            popularity=self.popularity([c.item_id for c in pool[: ranker.depth]]),
        )
        res = self.rerank.run(ranker, context, pool)
        if ranker.name != "identity":
            timings["rerank"] = res.rerank_ms
        ranked = self.to_ranked(res.candidates[: request.k], items)
        timings["total"] = (time.perf_counter() - t0) * 1000
        version = res.version if not choice.note else f"{res.version} ({choice.note})"
        blend = {"adapted": "adapted", "identity": "none"}.get(ranker.name) or ranker.version.split(":")[-1]
        return Recommendation(ranked, res.reranked, res.fallback_reason, res.model or self.model_id,
                              res.prompt_version or self.prompt.ref, blend, timings_ms=timings,
                              overloaded=res.overloaded, reranker_version=version, fallback=res.fallback,
                              ranker=ranker.name)

    def explore(self, request: CandidateRequest, out: Recommendation) -> Recommendation:
        """A feed answer whose last `exposure.explore` share of slots goes to little-known
        items (service/exposure/explore.py); other answers as they are."""
        n = slots(request.k, self.settings.exposure.explore)
        if not n or not request.user_id or request.history is not None or (request.query and request.query.strip()):
            return out
        fb = self.user_feedback(request.user_id)
        keep = out.items[: request.k - n]
        blocked = {*request.exclude_items, *fb.negatives, *(r.item_id for r in keep),
                   *self.exposure.cooling(request.user_id, set(fb.positives))}
        index = self.index
        space = index.space
        allowed = space.allowed(request.model_copy(update={"history": fb.positives,
                                                           "exclude_items": sorted(blocked)}))
        positives = np.zeros(len(space.ids))
        pop = index.model.popularity[: len(space.ids)]
        positives[: len(pop)] = pop
        prior = {r.item_id: 1.0 - i / len(out.items) for i, r in enumerate(out.items)}
        picks = self.explorer.pick(space.ids, space.index, allowed, positives, prior, n)
        extra = self.to_ranked([Candidate.model_construct(item_id=i, score=t, sources={"explore": t})
                                for i, t in picks])
        items = [*keep, *extra]
        return replace(out, items=[r.model_copy(update={"rank": pos + 1}) for pos, r in enumerate(items)])

    def similar(self, item_id: str, k: int = 10) -> list[Ranked]:
        """Items like this one: its CF neighbours and transitions fused with its nearest
        items in embedding space."""
        if self.store.get_item(item_id) is None:
            raise NotFound(f"no item {item_id!r}")
        req = CandidateRequest(history=[item_id], exclude_seen=True, k=k)
        lists = {
            "cf": self.sources["cf"].candidates(req, max(k, 50)),
            "semantic_profile": self.sources["semantic_profile"].candidates(req, max(k, 50)),
        }
        return self.to_ranked(rrf(lists, {"cf": 1.0, "semantic_profile": 0.5}, self.settings.fusion.rrf_k, k))
