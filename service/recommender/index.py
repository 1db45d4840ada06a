"""The derived index (CF matrices, sequence model, item-vector copy) and the candidate
sources wired to it. Both are replaced whole under one lock: a request reads one build or
the next, never a mix."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import numpy as np

from service.candidates import CandidateIndex, ChromaSemantic, ItemItemCF, Popularity, snapshots
from service.candidates.catalog import LiveCatalog
from service.candidates.sources import CandidateSource, SessionNeighbours
from service.candidates.vectors import ChromaVectors
from service.feedback import Feedback
from service.rerank.adapted import Timeline
from service.settings import Settings
from service.store import Store
from service.types import Item


class IndexManager:
    def __init__(self, settings: Settings, store: Store, vectors: ChromaVectors, feedback: Feedback,
                 wants_timeline: Callable[[], bool]) -> None:
        """`wants_timeline`: is an adapted reranker (the timeline's one reader) in use."""
        self.settings, self.store, self.vectors, self.feedback = settings, store, vectors, feedback
        self.wants_timeline = wants_timeline
        self.lock = threading.RLock()
        # 'api' processes follow the snapshots an indexer publishes (with items written
        # since); until there is one, they build their own in memory
        index = snapshots.load(settings, store, follow_catalog=settings.role == "api",
                               embedder=vectors.embedder.name)
        self.index: CandidateIndex = index if index is not None else CandidateIndex.build(store, settings)
        self.sources = self._wire(self.index)
        self._timeline: Timeline | None = None
        self.catalog = LiveCatalog(lambda: self.index, store)

    def _wire(self, index: CandidateIndex) -> dict[str, CandidateSource]:
        space, model = index.space, index.model
        matrix = index.vectors if len(space) <= self.settings.exact_profile_max_items else None
        return {
            "cf": ItemItemCF(space, model),
            "semantic_profile": ChromaSemantic(space, self.vectors, "profile", matrix=matrix),
            "semantic_query": ChromaSemantic(space, self.vectors, "query", matrix=matrix,
                                             center=self.settings.fusion.center_text),
            "popularity": Popularity(space, model),
            "sknn": SessionNeighbours(space, index.seq),
        }

    @property
    def timeline(self) -> Timeline:
        with self.lock:
            if self._timeline is None:
                self._timeline = Timeline.build(self.store, self.index.space, self.feedback)
            return self._timeline

    def install(self, index: CandidateIndex) -> None:
        """Serve `index` from now on (with its sources and timeline)."""
        # the timeline is built here (at start-up, in the background), not on a request
        timeline = Timeline.build(self.store, index.space) if self.wants_timeline() else None
        with self.lock:
            self.index = index
            self.sources = self._wire(index)
            self._timeline = timeline

    def add_items(self, items: list[Item]) -> None:
        """New or changed rows join the index (their vectors already in Chroma)."""
        vecs = self.vectors.vectors([it.item_id for it in items]) if self.index.vectors is not None else None
        with self.lock:  # swapped whole; the timeline needs no rebuild: a new row has no events yet
            self.index = self.index.with_items(items, vecs)
            self.sources = self._wire(self.index)

    def kill(self, item_id: str) -> None:
        self.index.space.kill(item_id)

    def build_index(self, progress: Callable[[str, int, int], None] | None = None,
                    reembed: bool = False) -> dict:
        """Rebuild CF matrices and bring Chroma in line with the catalog: items without a
        vector of the configured embedder are embedded (all of them with `reembed`, or
        when the embedder changed: its vectors live in a collection of their own)."""
        tick = progress or (lambda stage, done, total: None)
        t0 = time.perf_counter()
        index = CandidateIndex.build(self.store, self.settings)
        t_cf = time.perf_counter() - t0
        catalog = set(index.space.ids)
        in_chroma = self.vectors.ids()
        self.vectors.delete(sorted(in_chroma - catalog))
        missing = sorted(catalog if reembed else catalog - in_chroma)
        items = list(self.store.get_items(missing).values())
        done = 0

        def step(n: int) -> None:
            nonlocal done
            done += n
            tick("embed", done, len(items))

        tick("embed", 0, len(items))
        self.vectors.upsert(items, progress=step)
        if len(catalog) <= self.settings.exact_profile_max_items:
            index.vectors = self._item_matrix(index, embedded=len(items))
            index.embedder = self.vectors.embedder.name
        t_embed = time.perf_counter() - t0 - t_cf
        snapshots.publish(index, self.settings, self.store)
        self.install(index)
        return {"items": len(catalog), "embedded": len(items), "cf_seconds": round(t_cf, 2),
                "embed_seconds": round(t_embed, 2), "version": index.version,
                "embedder": self.vectors.embedder.name, "other_embedders": dict(self.vectors.others)}

    def _item_matrix(self, index: CandidateIndex, embedded: int) -> np.ndarray:
        """The item vectors for the in-process profile search: the last build's rows when
        this build embedded nothing and no item was written or deleted since (the common
        case: only events came), else read again from Chroma (after an embedder switch
        the last build's rows are the old embedder's)."""
        old = self.index
        if (not embedded and old.vectors is not None and old.vectors.shape[1] == self.vectors.embedder.dim
                and old.changes == index.changes and old.space.ids == index.space.ids):
            return old.vectors[: len(index.space)]
        return self.vectors.matrix(index.space.ids)

    def adopt_snapshot(self, version: int) -> bool:
        """Load a snapshot another process published (with the catalog as it is now)."""
        index = snapshots.load(self.settings, self.store, version, follow_catalog=True,
                               embedder=self.vectors.embedder.name)
        if index is None:
            return False
        self.vectors.forget()  # another process may have changed an item's text
        self.install(index)
        return True
