"""Recommender: wires the parts in `service/recommender/` (read path, ingest, index
manager and freshness) and keeps the API the HTTP, CLI and MCP surfaces call. Each part
receives only what it reads; nothing here does work of its own."""

from __future__ import annotations

import secrets
from functools import cached_property

import numpy as np

from service.calllog import CallLog
from service.candidates.catalog import CatalogView
from service.candidates.vectors import ChromaVectors
from service.embed import Embedder, make_embedder
from service.exposure import ExposureLog
from service.exposure.experiment import Experiment
from service.exposure.explore import Explorer
from service.feedback import Feedback
from service.llm import LLMBackend, make_scheduled_backend
from service.recommender.candidates import CandidateFuser
from service.recommender.explore import ExploreSlots
from service.recommender.features import adapted_features
from service.recommender.freshness import Freshness
from service.recommender.index import IndexManager
from service.recommender.ingest import Ingest
from service.recommender.profiles import Profiles
from service.recommender.read import ReadPath, to_ranked
from service.recommender.results import CandidateResult, Recommendation
from service.rerank.adapted import AdaptedModel
from service.rerank.base import RerankContext
from service.rerank.choice import RerankerSet
from service.rerank.stage import RerankStage
from service.settings import Settings
from service.store import Store, open_store
from service.types import Candidate, CandidateRequest, Item, Ranked

__all__ = ["CandidateResult", "Recommendation", "Recommender"]


class Recommender:
    def __init__(self, settings: Settings, store: Store | None = None,
                 embedder: Embedder | None = None, backend: LLMBackend | None = None) -> None:
        self.settings, self.backend = settings, backend
        self.model_id = backend.model_id if backend else None
        self.feedback = Feedback(settings.feedback)
        self.store = store or open_store(settings)
        self.exposure = ExposureLog(self.store, settings.exposure, self.feedback)
        self.explorer = Explorer(self.store, settings.exposure)
        self.experiment = Experiment(settings.experiment, self.store, self.feedback)
        self.embedder = embedder or make_embedder(settings.embedder, settings.embedder_dim)
        self.vectors = ChromaVectors(settings, self.embedder)
        self.indexes = IndexManager(settings, self.store, self.vectors, self.feedback,
                                    wants_timeline=lambda: self.rankers.adapted is not None)
        self.catalog: CatalogView = self.indexes.catalog
        # with a shared store, one salt for every process's call log: a user forgotten
        # through any process can be found (by salted hash) in all of them
        salt = self.store.meta_default("calllog_salt", secrets.token_hex(16)) if self.store.shared else None
        self.calllog = CallLog(settings.calllog_path, settings.calllog_enabled, settings.calllog_retention_days, salt)
        self.rerank = RerankStage(settings, self.calllog, self.model_id)
        self.rankers = RerankerSet(settings, backend, self._adapted_features)
        self.freshness = Freshness(settings, self.store, self.indexes, self.calllog)
        self.profiles = Profiles(settings, self.store, self.feedback)
        fuser = CandidateFuser(settings, self.indexes, self.profiles, self.exposure)
        self.read = ReadPath(settings, self.catalog, self.indexes, fuser, self.profiles, self.rankers,
                             self.rerank, self.model_id)
        self.ingest = Ingest(settings, self.store, self.vectors, self.indexes, self.freshness, self.feedback,
                             self.exposure, self.calllog)
        self._explore = ExploreSlots(settings.exposure, self.catalog, self.indexes, self.profiles,
                                     self.exposure, self.explorer)
        if self.rankers.adapted is not None:
            _ = self.indexes.timeline  # built now, not on the first request
        # the public API, each call answered by the part that owns it
        self.add_items = self.ingest.add_items
        self.add_events = self.ingest.add_events
        self.delete_item = self.ingest.delete_item
        self.delete_user = self.ingest.delete_user
        self.history = self.profiles.history
        self.liked = self.profiles.liked
        self.user_feedback = self.profiles.user_feedback
        self.candidates = fuser.candidates
        self.recommend_full = self.read.recommend_full
        self.similar = self.read.similar
        self.explore = self._explore.explore
        self.popularity = self.catalog.popularity
        self.build_index = self.indexes.build_index
        self.pending_events = self.freshness.pending_events
        self.pending_changes = self.freshness.pending_changes
        self.index_status = self.freshness.index_status
        self.refresh = self.freshness.refresh
        self.refresh_in_background = self.freshness.refresh_in_background

    @classmethod
    def open(cls, settings: Settings, with_llm: bool = True) -> "Recommender":
        """Everything created once: store, embedder, Chroma, CF index and (optionally)
        the LLM."""
        return cls(settings, backend=make_scheduled_backend(settings) if with_llm else None)

    def recommend(self, request: CandidateRequest) -> list[Ranked]:
        return self.read.recommend_full(request).items

    def to_ranked(self, candidates: list[Candidate], known: dict[str, Item] | None = None) -> list[Ranked]:
        return to_ranked(self.catalog, candidates, known)

    # -- what the index manager and freshness own, read where callers expect it ------------
    index = property(lambda self: self.indexes.index, doc="the current derived index")
    sources = property(lambda self: self.indexes.sources, doc="the candidate sources wired to it")
    refresher = property(lambda self: self.freshness.refresher)
    follower = property(lambda self: self.freshness.follower)

    # -- rerankers ------------------------------------------------------------------------------
    @property
    def prompt(self):
        """The rank prompt in use."""
        return self.rankers.prompt

    def _adapted_features(self, context: RerankContext, pool: list[Candidate], ranker: AdaptedModel) -> np.ndarray:
        return adapted_features(self.indexes, self.rankers.item_features, context, pool, ranker, self.store.exposures)

    # -- explanations -----------------------------------------------------------------------
    @cached_property
    def explainer(self):
        """Blurbs written by the LLM (facts when there is none)."""
        from service.explain import Explainer
        from service.llm import language_backends

        explainer = Explainer(self.catalog, self.backend, self.settings)
        if self.backend is not None:
            for lang, (backend, prompt) in language_backends(self.settings, self.backend).items():
                explainer.by_language[lang] = Explainer(self.catalog, backend, self.settings, prompt, [lang])
        return explainer

    @cached_property
    def facts_explainer(self):
        """Blurbs from facts only (for requests that ask for no LLM)."""
        from service.explain import Explainer

        return Explainer(self.catalog, None, self.settings)

    def blurbs(self, items: list[Ranked], user_id: str | None, use_llm: bool = True) -> dict:
        """The final blurb per item (item_id -> Blurb), for answers that are not streamed."""
        from service.explain import Blurb

        explainer = self.explainer if use_llm else self.facts_explainer
        return {b.item_id: b for b in explainer.explain(items, self.liked(user_id), user_id=user_id,
                                                        calllog=self.calllog) if isinstance(b, Blurb)}
