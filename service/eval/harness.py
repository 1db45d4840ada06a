"""Leave-last-out evaluation over the real pipeline.

`prepare` loads a dataset, holds out each user's latest event, and builds a fresh data
dir (store, Chroma, CF index) from the rest, so every ranker sees exactly what the
service would have known before the held-out event.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from service.eval import ranking_metrics
from service.eval.latency import percentile
from service.eval.split import HeldOut, holdout_latest, sample
from service.ingest.importer import reader
from service.settings import Settings
from service.store import SqliteStore
from service.types import Event, Item

Ranker = Callable[[HeldOut], list[str]]


@dataclass
class Prepared:
    settings: Settings
    held: list[HeldOut]
    n_items: int
    n_events: int


def load_split(fmt: str, path: Path) -> tuple[dict[str, Item], list[tuple], list[HeldOut]]:
    """The catalog, the events that stay (user, item, type, value, timestamp) and every
    held-out user: the one leave-last-out split that eval, replay and peers share."""
    items: dict[str, Item] = {}
    events: list[Event] = []
    for parsed in reader(fmt, Path(path), {}, "items"):
        if isinstance(parsed.record, Item):
            items[parsed.record.item_id] = parsed.record
        elif isinstance(parsed.record, Event):
            events.append(parsed.record)
    rows = [(e.user_id, e.item_id, e.type, e.value, e.timestamp) for e in events if e.item_id in items]
    kept, held = holdout_latest(rows)
    return items, kept, held


def prepare(fmt: str, path: Path, workdir: Path, users: int | None, seed: int,
            settings: Settings | None = None) -> Prepared:
    items, kept, held_all = load_split(fmt, path)
    train = [Event(user_id=u, item_id=i, type=t, value=v, timestamp=ts) for u, i, t, v, ts in kept]
    base = settings or Settings()
    s = base.model_copy(update={"data_dir": Path(workdir), "store_url": None, "role": "all", "shared_dir": None})
    store = SqliteStore(s.db_path)
    if store.stats().events == 0:
        store.upsert_items(items.values())
        store.add_events(train)
    store.close()
    return Prepared(s, sample(held_all, users, seed), len(items), len(train))


@dataclass
class RankerResult:
    name: str
    per_user: dict[str, dict[str, float]] = field(default_factory=dict)
    latency_ms: list[float] = field(default_factory=list)

    def mean(self, metric: str, users: set[str] | None = None) -> float:
        vals = [m[metric] for u, m in self.per_user.items() if users is None or u in users]
        return sum(vals) / len(vals) if vals else 0.0

    def latency(self) -> dict[str, float]:
        if not self.latency_ms:
            return {}
        lat = sorted(self.latency_ms)
        return {"p50": statistics.median(lat), "p95": percentile(lat, 0.95)}


def score_list(ranked: list[str], target: str, hr_at: int) -> dict[str, float]:
    return {
        "ndcg@10": ranking_metrics.ndcg(ranked, target, 10),
        "recall@10": ranking_metrics.recall(ranked, target, 10),
        "recall@20": ranking_metrics.recall(ranked, target, 20),
        f"hr@{hr_at}": ranking_metrics.hit_rate(ranked, target, hr_at),
    }


def run_rankers(held: list[HeldOut], rankers: dict[str, Ranker], hr_at: int,
                progress: Callable[[int], None] | None = None) -> dict[str, RankerResult]:
    results = {name: RankerResult(name) for name in rankers}
    for n, h in enumerate(held, start=1):
        for name, rank in rankers.items():
            t = time.perf_counter()
            ranked = rank(h)
            results[name].latency_ms.append((time.perf_counter() - t) * 1000)
            results[name].per_user[h.user_id] = score_list(ranked, h.target, hr_at)
        if progress:
            progress(n)
    return results
