"""A person's counted events read as feedback: the profile the read path ranks from
and the part of it a reason may name as enjoyed."""

from __future__ import annotations

from service.feedback import Feedback, Split
from service.rerank.adapted import latest_event_time
from service.settings import Settings
from service.store import Store


class Profiles:
    def __init__(self, settings: Settings, store: Store, feedback: Feedback) -> None:
        self.settings, self.store, self.feedback = settings, store, feedback

    def _entries(self, user_id: str):
        return self.store.history(user_id, limit=self.settings.cf.history * 4,
                                  types=self.feedback.counted_types())

    def user_feedback(self, user_id: str | None) -> Split:
        """The person's latest counted events read as feedback (impressions do not eat the
        window; a negative older than the window is forgotten)."""
        if not user_id:
            return Split([], [], [], None)
        return self.feedback.split(self._entries(user_id))

    def history(self, user_id: str | None) -> list[str]:
        """The person's positive items, oldest first: their profile."""
        return self.user_feedback(user_id).positives

    def liked(self, user_id: str | None) -> list[str]:
        """The part of the profile a reason may name as enjoyed (no 1-star film), oldest
        first."""
        if not user_id:
            return []
        return self.feedback.liked(self._entries(user_id), self.settings.explain.liked_min_rating)

    def seen(self, user_id: str | None) -> list[str]:
        """Every item the person has had a counted event with (up to `cf.seen_limit`,
        newest first): answers leave them out, not only the profile's window."""
        if not user_id:
            return []
        return self.store.seen_items(user_id, self.feedback.counted_types(), self.settings.cf.seen_limit)

    def latest_at(self, user_id: str | None) -> float:
        """When the request happens, as the adapted reranker's features see it."""
        return latest_event_time(self.store, user_id, self.feedback.counted_types())
