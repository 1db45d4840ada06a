"""Experiments on live traffic: people are split between served arms by a stable hash of
(experiment name, user id), so a person always sees the same arm, and a positive counts
for the arm that showed the item (it was in an answer recorded for that person before the
positive). An arm is the history fusion weights its feed answers are ranked with ({}: the
service's own). `/metrics` shows per-arm exposures, positives, and positives per exposure
with a 95% Wilson interval (service/api/metrics.py).
"""

from __future__ import annotations

import hashlib
import math
from collections import Counter
from collections.abc import Iterable

from service.feedback import Feedback, Kind
from service.settings import ExperimentSettings
from service.store import Store
from service.types import Event

Z95 = 1.959963984540054


def assign(name: str, user_id: str, arms: list[str]) -> str:
    """The arm a person is in: stable across requests, processes and restarts."""
    digest = hashlib.sha256(f"{name}\x00{user_id}".encode()).digest()
    return arms[int.from_bytes(digest[:8], "big") % len(arms)]


def wilson(successes: float, trials: float, z: float = Z95) -> tuple[float, float, float]:
    """(rate, low, high): the rate and its Wilson score interval (0, 0, 1 without trials)."""
    if trials <= 0:
        return 0.0, 0.0, 1.0
    p = successes / trials
    denom = 1 + z * z / trials
    centre = (p + z * z / (2 * trials)) / denom
    half = z * math.sqrt(p * (1 - p) / trials + z * z / (4 * trials * trials)) / denom
    return p, max(0.0, centre - half), min(1.0, centre + half)


class Experiment:
    def __init__(self, cfg: ExperimentSettings, store: Store, feedback: Feedback) -> None:
        self.cfg, self.store, self.feedback = cfg, store, feedback
        self.arms = sorted(cfg.arms)

    @property
    def name(self) -> str | None:
        return self.cfg.name

    def arm(self, user_id: str | None) -> str | None:
        """The person's arm while an experiment runs (None: no experiment, or no person)."""
        if not self.cfg.name or not user_id:
            return None
        return assign(self.cfg.name, user_id, self.arms)

    def weights(self, arm: str | None) -> dict[str, float] | None:
        """The arm's history fusion weights (None: the service's own)."""
        return (self.cfg.arms.get(arm) or None) if arm else None

    def attributed(self, events: Iterable[Event]) -> Counter[str]:
        """Positives per arm among these (type-resolved) events: each positive on an item a
        recorded answer showed that person before it."""
        out: Counter[str] = Counter()
        if not self.cfg.name:
            return out
        by_user: dict[str, list[Event]] = {}
        for e in events:
            if self.feedback.signal(e.type, e.value).kind is Kind.POSITIVE:
                by_user.setdefault(e.user_id, []).append(e)
        for user, positives in by_user.items():
            first_shown: dict[str, float] = {}
            for x in self.store.exposures(user):
                if x.feed is not None:
                    first_shown[x.item_id] = min(first_shown.get(x.item_id, x.shown_at), x.shown_at)
            arm = self.arm(user)
            hits = {e.item_id for e in positives if first_shown.get(e.item_id, math.inf) <= e.timestamp}
            if hits:
                out[arm] += len(hits)
        return out
