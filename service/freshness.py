"""How a Recommender keeps its derived indexes in step with the store.

One process (role 'all', the default) rebuilds the CF index, the sequence model and the
item-vector copy itself and publishes each build as a snapshot; the worker does the same
for a whole deployment. An 'api' process never rebuilds: it adopts the snapshots the
worker publishes and clears its call log of users forgotten elsewhere. Mixed into
`Recommender`, whose store, vectors, rankers and lock it uses.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable

import numpy as np

from service.candidates import CandidateIndex, snapshots
from service.rerank.adapted import Timeline


class IndexLifecycle:
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
            index.embedder = self.embedder.name
        t_embed = time.perf_counter() - t0 - t_cf
        snapshots.publish(index, self.settings, self.store)
        self._swap(index)
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

    def _swap(self, index: CandidateIndex) -> None:
        # the timeline is built here (at start-up, in the background), not on a request
        timeline = Timeline.build(self.store, index.space) if self.rankers.adapted is not None else None
        with self._lock:
            self.index = index
            self._wire()
            self._timeline = timeline

    @property
    def follows_snapshots(self) -> bool:
        return self.settings.role == "api"

    def adopt_snapshot(self, version: int) -> bool:
        """Load a snapshot another process published (with the catalog as it is now)."""
        index = snapshots.load(self.settings, self.store, version, follow_catalog=True, embedder=self.embedder.name)
        if index is None:
            return False
        self.vectors.forget()  # another process may have changed an item's text
        self._swap(index)
        return True

    def apply_forgotten(self) -> int:
        """Clear this process's call log of users forgotten through any process."""
        n = 0
        for fid, user_hash in self.store.forgotten_after(self._forgotten_seen):
            n += self.calllog.forget_hash(user_hash)
            self._forgotten_seen = fid
        return n

    def pending_events(self) -> int:
        """Events written since the index was built."""
        return self.store.last_event_id() - self.index.built_from

    def pending_changes(self) -> bool:
        """Items written or users/items deleted since the index was built."""
        return self.store.changes() != self.index.changes

    def index_status(self) -> dict:
        """How far the derived index is behind the store (for /health/ready)."""
        r = self.refresher
        out = {"pid": os.getpid(), "version": self.index.version, "built_from_event": self.index.built_from,
               "pending_events": self.pending_events(), "rebuilding": r.busy, "rebuilds": r.rebuilds,
               "last_build_s": round(r.last_build_s, 2), "last_error": r.last_error}
        if self.follows_snapshots:
            f = self.follower
            out.update({"role": "api", "snapshots_loaded": f.loaded, "last_error": f.last_error,
                        "rebuilding": False, "pickup_delay_s": f.pickup_delay_s})
        return out

    def is_stale(self) -> bool:
        return self.pending_events() >= self.settings.cf.rebuild_after_events

    def refresh(self, force: bool = False) -> bool:
        if force or self.is_stale():
            self.build_index()
            return True
        return False

    def refresh_in_background(self, force: bool = False) -> None:
        """Tell the refresher that events were written: the index includes them within
        `cf.max_staleness_s` (sooner after `cf.rebuild_after_events` of them). An 'api'
        process instead follows the snapshots the indexer publishes."""
        if self.follows_snapshots:
            self.follower.start()
        else:
            self.refresher.notify(force=force)

