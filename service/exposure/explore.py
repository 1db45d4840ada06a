"""Exploration: a share of a feed page goes to items the service knows little about (new
items, the long tail), so they get the exposures that let the model learn them.

An item is little known while its exposures and positives together (`known`) stay under
`explore_max_known`. The least known go first (a new item before a tail item someone
took once); among equally known items, a Thompson-sampling bandit on positives per
exposure decides: each draws theta ~ Beta(1 + hits + c * s, 1 + misses + c * (1 - s)),
hits = min(positives, exposures), misses = exposures - hits, where s in [0, 1] is the
model's own opinion (1 for the best candidate of this request, falling with rank, 0
outside the page) and c its weight. The winners take the exploration slots at the end
of the page, marked `sources.explore`.

Measured on the simulated feed (docs/results.md): least-known first is what gets new
items shown at all; a plain draw over the whole tail (Beta(1 + positives, 1 + exposures))
favoured tail items with a few old positives and showed none of 20 new items in 900 answers.

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


def draw(rng: np.random.Generator, hits: np.ndarray, misses: np.ndarray, prior: np.ndarray,
         weight: float) -> np.ndarray:
    """One Thompson draw per item: Beta(1 + hits + weight * prior, 1 + misses + weight * (1 - prior))."""
    return rng.beta(1.0 + hits + weight * prior, 1.0 + misses + weight * (1.0 - prior))


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

    def pick(self, ids: list[str], index: dict[str, int], allowed: np.ndarray, positives: np.ndarray,
             prior: dict[str, float], n: int) -> list[tuple[str, float]]:
        """Up to n (item id, draw) among the allowed little-known items, best first. `ids`,
        `allowed` and `positives` are aligned with the catalog's rows; `index` maps an id to its row."""
        if n < 1:
            return []
        shown = _aligned(self.counts(), index, len(ids))
        known = shown + positives
        rows = np.flatnonzero(allowed & (known < self.cfg.explore_max_known))
        if not len(rows):
            return []
        s = _aligned(prior, index, len(ids))[rows]
        hits = np.minimum(positives[rows], shown[rows])
        with self._lock:
            theta = draw(self.rng, hits, shown[rows] - hits, s, self.cfg.explore_prior_weight)
        best = np.lexsort((-theta, known[rows]))[:n]  # least known first, then the largest draw
        return [(ids[rows[b]], float(theta[b])) for b in best]


def _aligned(values: dict[str, float], index: dict[str, int], size: int) -> np.ndarray:
    """A catalog-aligned array from a (small) id -> value mapping; unknown ids are skipped."""
    out = np.zeros(size)
    pairs = [(index[i], v) for i, v in values.items() if i in index and index[i] < size]
    if pairs:
        rows, vals = zip(*pairs)
        out[list(rows)] = vals
    return out
