"""How a process keeps its derived index in step with the store.

One process (role 'all', the default) rebuilds the CF index, the sequence model and the
item-vector copy itself and publishes each build as a snapshot; the worker does the same
for a whole deployment. An 'api' process never rebuilds: it adopts the snapshots the
worker publishes and clears its call log of users forgotten elsewhere.
"""

from __future__ import annotations

import os

from service.calllog import CallLog
from service.candidates.refresher import IndexRefresher, SnapshotFollower
from service.recommender.index import IndexManager
from service.settings import Settings
from service.store import Store


class Freshness:
    def __init__(self, settings: Settings, store: Store, indexes: IndexManager, calllog: CallLog) -> None:
        self.settings, self.store, self.indexes, self.calllog = settings, store, indexes, calllog
        self._forgotten_seen = 0
        self.refresher = IndexRefresher(indexes.build_index, self.pending_events, settings.cf)
        self.follower = SnapshotFollower(store, indexes.index.version, indexes.adopt_snapshot,
                                         settings.snapshot_poll_s, also=self.apply_forgotten)

    @property
    def follows_snapshots(self) -> bool:
        return self.settings.role == "api"

    def apply_forgotten(self) -> int:
        """Clear this process's call log of users forgotten through any process."""
        n = 0
        for fid, user_hash in self.store.forgotten_after(self._forgotten_seen):
            n += self.calllog.forget_hash(user_hash)
            self._forgotten_seen = fid
        return n

    def pending_events(self) -> int:
        """Events written since the index was built."""
        return self.store.last_event_id() - self.indexes.index.built_from

    def pending_changes(self) -> bool:
        """Items written or users/items deleted since the index was built."""
        return self.store.changes() != self.indexes.index.changes

    def index_status(self) -> dict:
        """How far the derived index is behind the store (for /health/ready)."""
        r, index = self.refresher, self.indexes.index
        out = {"pid": os.getpid(), "version": index.version, "built_from_event": index.built_from,
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
            self.indexes.build_index()
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
