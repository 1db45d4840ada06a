"""Writes: items and events into the store (and the vectors and the index that derive
from it), and deletions, which must reach every copy."""

from __future__ import annotations

from service.calllog import CallLog
from service.candidates.vectors import ChromaVectors
from service.errors import NotFound
from service.exposure import ExposureLog
from service.feedback import Feedback
from service.recommender.freshness import Freshness
from service.recommender.index import IndexManager
from service.settings import Settings
from service.store import Store
from service.types import Event, Item


class Ingest:
    def __init__(self, settings: Settings, store: Store, vectors: ChromaVectors, indexes: IndexManager,
                 freshness: Freshness, feedback: Feedback, exposure: ExposureLog, calllog: CallLog) -> None:
        self.settings, self.store, self.vectors, self.indexes = settings, store, vectors, indexes
        self.freshness, self.feedback, self.exposure, self.calllog = freshness, feedback, exposure, calllog

    def add_items(self, items: list[Item]) -> int:
        items = list({it.item_id: it for it in items}.values())  # a repeated id: the last wins
        n = self.store.upsert_items(items)
        self.vectors.upsert(items)
        self.indexes.add_items(items)
        return n

    def add_events(self, events: list[Event]) -> tuple[int, int]:
        """Store events (an unknown type: the whole batch refused, or read as the
        configured default type)."""
        events = self.feedback.resolve_events(events)
        # impressions (what a client knows was on screen) are exposures, written with the events
        out = self.store.add_events(events, self.exposure.impressions(events), self.settings.exposure.keep)
        self.freshness.refresh_in_background()
        return out

    def delete_item(self, item_id: str) -> None:
        if not self.store.delete_item(item_id):
            raise NotFound(f"no item {item_id!r}")
        self.vectors.delete([item_id])
        self.indexes.kill(item_id)

    def delete_user(self, user_id: str) -> int:
        """Forget a user: their events go now; their trace in the CF matrices goes with
        the background rebuild that this starts."""
        n = self.store.delete_user(user_id)
        self.calllog.forget(user_id)
        if self.store.shared:  # other machines' call logs follow (Freshness.apply_forgotten)
            self.store.add_forgotten(self.calllog.user_hash(user_id))
        if n:
            self.freshness.refresh_in_background(force=True)
        return n
