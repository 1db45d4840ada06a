"""Exploration: a share of a feed page goes to items the service knows little about (new
items, the long tail), so they get the exposures that let the model learn them.

Which ones is a Thompson-sampling bandit on positives per exposure: every little-known
item the request allows draws theta ~ Beta(1 + positives + c * s, 1 + exposures + c * (1 - s)),
where s in [0, 1] is the model's own opinion (1 for the best candidate of this request,
falling with rank, 0 outside the candidate pool) and c its weight; the largest draws take
the exploration slots at the end of the page, marked `sources.explore`. An item is little
known while its exposures and positives together stay under `explore_max_known`.

Exposure counts are read from the store every `explore_refresh_s` seconds (every process
sees the others' exposures) and counted locally in between.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable

import numpy as np

from service.settings import ExposureSettings
from service.store import Store


def slots(k: int, share: float) -> int:
    """Exploration slots on a page of k: the share rounded, never the whole page."""
    return min(int(k * share + 0.5), k - 1) if share > 0 and k > 1 else 0


def draw(rng: np.random.Generator, positives: np.ndarray, exposures: np.ndarray, prior: np.ndarray,
         weight: float) -> np.ndarray:
    """One Thompson draw per item: Beta(1 + positives + weight * prior, 1 + exposures + weight * (1 - prior))."""
    return rng.beta(1.0 + positives + weight * prior, 1.0 + exposures + weight * (1.0 - prior))


class Explorer:
    def __init__(self, store: Store, cfg: ExposureSettings, seed: int | None = None) -> None:
        self.store, self.cfg = store, cfg
        self.rng = np.random.default_rng(seed)
        self._counts: dict[str, int] = {}
        self._read_at = float("-inf")
        self._lock = threading.Lock()

    def counts(self) -> dict[str, int]:
        """Exposures per item, read from the store at most every `explore_refresh_s`."""
        with self._lock:
            if time.monotonic() - self._read_at >= self.cfg.explore_refresh_s:
                self._counts = self.store.exposure_counts()
                self._read_at = time.monotonic()
            return self._counts

    def shown(self, item_ids: Iterable[str]) -> None:
        """Count exposures this process recorded since the last read."""
        with self._lock:
            for i in item_ids:
                self._counts[i] = self._counts.get(i, 0) + 1

    def pick(self, ids: list[str], allowed: np.ndarray, positives: np.ndarray, prior: dict[str, float],
             n: int) -> list[tuple[str, float]]:
        """Up to n (item id, draw) among the allowed little-known items, best draw first.
        `ids`, `allowed` and `positives` are aligned with the catalog's rows."""
        if n < 1:
            return []
        counts = self.counts()
        shown = np.fromiter((counts.get(i, 0) for i in ids), dtype=np.float64, count=len(ids))
        known = shown + positives
        rows = np.flatnonzero(allowed & (known < self.cfg.explore_max_known))
        if not len(rows):
            return []
        s = np.fromiter((prior.get(ids[r], 0.0) for r in rows), dtype=np.float64, count=len(rows))
        with self._lock:
            theta = draw(self.rng, positives[rows], shown[rows], s, self.cfg.explore_prior_weight)
        best = np.argsort(-theta, kind="stable")[:n]
        return [(ids[rows[b]], float(theta[b])) for b in best]
