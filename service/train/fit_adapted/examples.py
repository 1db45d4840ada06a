"""The data step: scratch copies of the store split by time, each user's candidate pool
as serving would build it, the LLM item features the pools touch, and one feature
matrix per (user, split) with the held-out item as its target.

What the service showed people (exposures, kept in the live store, not in the scratch
copies) enters in two ways: as features (how often and how long ago each candidate was
shown to this person before the request that led to the target), and as negatives (items
shown to the person up to that request that they never took, added to the group and
weighted up when the exposure variant is fitted)."""

from __future__ import annotations

import json
import logging
import random
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from service.candidates.vectors import ChromaVectors
from service.embed import make_embedder
from service.eval.split import HeldOut
from service.rerank.adapted import (ADAPTED_COLUMNS, LLMSide, Timeline, candidate_features, fit_head,
                                    latest_event_time)
from service.rerank.item_features import ItemFeatureCache, cache_path, supports_hidden_states
from service.settings import Settings
from service.store import SqliteStore, Store
from service.train.fit_adapted.guard import CONFIDENCE, confidence
from service.train.fit_adapted.options import TrainOptions
from service.train.scratch_store import seed_vectors, split_store
from service.types import Candidate, CandidateRequest

log = logging.getLogger(__name__)
RANDOM_NEGATIVES = 5
SHOWN = ADAPTED_COLUMNS.index("shown")
EXPOSURE_NEGATIVES = 10  # shown-and-not-taken items added to a group (newest first)
Progress = Callable[[str, int, int], None]


@dataclass
class Group:
    """One request: features of its pool (+ random negatives) and the target's row (-1
    when the target is not in the pool)."""
    user: str
    ids: list[str]
    x: np.ndarray
    target: int
    pool: int  # the first `pool` rows are the real candidate pool, in candidate order
    ignored: np.ndarray | None = None  # per row: shown to this person by then and never taken
    exposure_rows: int = 0  # the last rows: shown-and-not-taken items outside the pool

    def rows(self, exposure: bool) -> int:
        """How many rows a fit uses: the exposure negatives only where exposure is learned."""
        return len(self.x) if exposure else len(self.x) - self.exposure_rows


@dataclass(frozen=True)
class Shown:
    """What one person was shown, (item, shown at), and every item they ever took."""
    exposures: list[tuple[str, float]]
    taken: frozenset[str]

    def request_time(self, target: str, taken_at: float) -> float:
        """When the request that led to the target happened: the target's latest showing
        before it was taken, else the moment it was taken."""
        return max((at for i, at in self.exposures if i == target and at <= taken_at), default=taken_at)

    def ignored(self, until: float, target: str) -> list[str]:
        """Items shown by `until` (inclusive: the target's own page) never taken, newest first."""
        out = [i for i, at in sorted(self.exposures, key=lambda e: -e[1])
               if at <= until and i not in self.taken and i != target]
        return list(dict.fromkeys(out))


def shown_of(store: Store, users: list[str], positive_types) -> dict[str, Shown]:
    """Per user with recorded exposures (in the live store): what they were shown and took."""
    out = {}
    for u in dict.fromkeys(users):
        seen = store.exposures(u)
        if seen:
            out[u] = Shown([(x.item_id, x.shown_at) for x in seen],
                           frozenset(store.seen_items(u, positive_types, 100_000)))
    return out


@dataclass
class Examples:
    fit: list[Group]
    validation: list[Group]
    side: LLMSide | None
    seconds: dict[str, float] = field(default_factory=dict)
    seeded_vectors: int = 0
    examples: dict[str, int] = field(default_factory=dict)  # per split: groups with the target in the pool
    fusion: dict = field(default_factory=dict)
    exposure: dict[str, int] = field(default_factory=dict)  # per split: groups with something shown before


# session neighbours (sequence.py) in the fusion: +6.6% for the fused order on
# ml-latest-small at 0.3, -10% on goodbooks-10k; so a per-catalog choice, like the rest
FUSION_GRID = [{"cf": 1.0, "semantic_profile": sem, "popularity": pop, "sknn": sk}
               for sem in (0.0, 0.1, 0.3) for pop in (0.0, 0.05) for sk in (0.0, 0.3)]


def choose_fusion(rec, held: list[HeldOut], depth: int) -> tuple[dict[str, float], dict[str, float]]:
    """History fusion weights for this catalog, chosen on a fit split (never the
    validation split): the grid point whose fused order scores the best NDCG@10 replaces
    the configured weights only if it beats them with CONFIDENCE (paired bootstrap over
    users). Grid points differ by a percent or two, mostly noise; a pool the fused order
    likes is not always the pool the reranker does best on, so the bar is high."""
    from service.candidates import rrf
    from service.eval.ranking_metrics import ndcg

    configured = dict(rec.settings.fusion.history)
    grid = [configured] + [w for w in FUSION_GRID if w != configured]
    per_user = []
    for h in held:
        req = CandidateRequest(user_id=h.user_id, history=rec.history(h.user_id), k=depth)
        lists = {name: rec.sources[name].candidates(req, depth)
                 for name in ("cf", "semantic_profile", "popularity", "sknn")}
        per_user.append(({n: c for n, c in lists.items() if c}, h.target))
    per = {}
    for w in grid:
        per[json.dumps(w, sort_keys=True)] = np.array([
            ndcg([c.item_id for c in rrf(lists, w, rec.settings.fusion.rrf_k, 10)], target, 10)
            for lists, target in per_user])
    scores = {k: float(v.mean()) if len(v) else 0.0 for k, v in per.items()}
    best = max(grid, key=lambda w: scores[json.dumps(w, sort_keys=True)])  # first (configured) on ties
    base_key, best_key = json.dumps(configured, sort_keys=True), json.dumps(best, sort_keys=True)
    if best != configured and confidence(per[best_key], per[base_key]) < CONFIDENCE:
        best = configured
    return best, scores


def pools(rec, users: list[str], depth: int, history_weights: dict[str, float] | None = None
          ) -> dict[str, tuple[list[str], float, list[Candidate]]]:
    """Per user: (history, request time, candidate pool), as serving would see them
    (with the fusion weights the artifact will carry)."""
    out = {}
    for u in users:
        cand = rec.candidates(CandidateRequest(user_id=u, k=depth), depth, history_weights)
        out[u] = (cand.history, latest_event_time(rec.store, u, rec.feedback.counted_types()), cand.candidates)
    return out


def build_groups(rec, held: list[HeldOut], depth: int, llm: LLMSide | None, timeline: Timeline,
                 seed: int = 0, negatives: int = RANDOM_NEGATIVES,
                 pooled: dict | None = None, shown: dict[str, Shown] | None = None) -> list[Group]:
    rng = random.Random(seed)
    ids_all = rec.index.space.ids
    pooled = pooled or pools(rec, [h.user_id for h in held], depth)
    shown = shown or {}
    groups = []
    for h in held:
        hist, t, pool = pooled[h.user_id]
        if not pool:
            continue
        seen = set(hist) | {c.item_id for c in pool}
        extra = []
        while negatives and len(extra) < negatives and len(seen) < len(ids_all):
            i = ids_all[rng.randrange(len(ids_all))]
            if i not in seen:
                seen.add(i)
                extra.append(Candidate(item_id=i, score=0.0, sources={}))
        person = shown.get(h.user_id)
        before: list[tuple[str, float]] = []
        until, ignored, exposed = float("inf"), set(), []
        if person is not None:
            until = person.request_time(h.target, h.at)
            before = [(i, at) for i, at in person.exposures if at < until]
            order = person.ignored(until, h.target)
            ignored = set(order)
            exposed = [Candidate(item_id=i, score=0.0, sources={}) for i in order
                       if i not in seen and i in rec.index.space.index][:EXPOSURE_NEGATIVES]
        cands = pool + extra + exposed
        x = candidate_features(rec.index, hist, t, cands, llm, timeline, before, until)
        x[len(pool):, 0] = 0.0  # random and shown-only items have no candidate rank
        ids = [c.item_id for c in cands]
        groups.append(Group(h.user_id, ids, x, ids.index(h.target) if h.target in ids else -1, len(pool),
                            np.array([i in ignored for i in ids]), len(exposed)))
    return groups


def build_examples(settings: Settings, store: Store, backend, opts: TrainOptions, tick: Progress) -> Examples:
    """Split 0 holds out each user's latest event (validation); split k (k >= 1) holds out
    the latest k+1 events and targets the (k+1)-th latest (fitting). More fit splits, more
    examples per user, each with features built only from what came before it."""
    from service.pipeline import Recommender

    t_start = time.perf_counter()
    out = Examples([], [], None)
    names = ["validation"] + [f"fit{k}" for k in range(1, opts.fit_splits + 1)]
    rng = random.Random(opts.seed)
    embedder = make_embedder(settings.embedder, settings.embedder_dim)
    with tempfile.TemporaryDirectory() as tmp:
        recs, helds, src = {}, {}, store
        for n, name in enumerate(names):
            tick("splits", n, len(names))
            scratch, held = split_store(src, Path(tmp) / name, settings)
            src = SqliteStore(scratch.db_path)
            if n:  # same items: reuse split 0's vectors instead of embedding again
                shutil.copytree(recs[names[0]].settings.chroma_path, scratch.chroma_path)
            else:
                out.seeded_vectors = seed_vectors(settings, store, ChromaVectors(scratch, embedder))
            rec = Recommender(scratch.model_copy(update={"calllog_enabled": False}), store=src, embedder=embedder)
            rec.build_index()
            recs[name] = rec
            helds[name] = rng.sample(held, min(opts.users, len(held))) if opts.users is not None else held
        tick("splits", len(names), len(names))
        out.seconds["splits+index"] = time.perf_counter() - t_start
        first_fit = names[1] if len(names) > 1 else names[0]
        fusion = None
        if opts.learn_fusion:
            tick("fusion", 0, 1)
            fusion, grid = choose_fusion(recs[first_fit], helds[first_fit][:1000], opts.pool)
            out.fusion = {"history": fusion, "grid": grid}
            tick("fusion", 1, 1)
        pooled = {name: pools(recs[name], [h.user_id for h in helds[name]], opts.pool, fusion) for name in names}
        shown = shown_of(store, [h.user_id for name in names for h in helds[name]],
                         recs[names[0]].feedback.counted_types())

        if supports_hidden_states(backend):
            t = time.perf_counter()
            cache = ItemFeatureCache(cache_path(opts.feature_cache or settings.artifacts_dir, backend.model_id),
                                     backend)
            budget = max(60.0, opts.minutes * 60 * 0.8 - (time.perf_counter() - t_start))
            out.side = llm_side(cache, store, pooled, recs[first_fit], budget,
                                progress=lambda d, n: tick("llm features", d, n))
            out.seconds["llm features"] = time.perf_counter() - t
        t = time.perf_counter()
        groups = {}
        for name in names:
            rec = recs[name]
            timeline = Timeline.build(rec.store, rec.index.space, rec.feedback)
            groups[name] = build_groups(rec, helds[name], opts.pool, out.side, timeline, opts.seed,
                                        pooled=pooled[name], shown=shown)
            out.exposure[name] = sum(bool(g.x[:, SHOWN].any()) for g in groups[name])
            tick("features", len(groups[name]), len(helds[name]))
            rec.store.close()
        out.seconds["features"] = time.perf_counter() - t
        out.examples = {k: sum(g.target >= 0 for g in v) for k, v in groups.items()}
    out.fit = [g for name in names[1:] for g in groups[name]] or groups["validation"]
    out.validation = groups["validation"]
    return out


def llm_side(cache: ItemFeatureCache, store: Store, pooled: dict, rec, budget_s: float,
             progress: Callable[[int, int], None]) -> LLMSide:
    """Hidden states for every item the examples touch (most popular first, within the
    budget), the centring vector, and the next-item head fitted on the fit split."""
    needed: dict[str, None] = {}
    for split in pooled.values():
        for hist, _t, pool in split.values():
            needed.update(dict.fromkeys(hist[-rec.settings.cf.history:]))
            needed.update(dict.fromkeys(c.item_id for c in pool))
    pop = rec.popularity(list(needed))
    order = sorted(needed, key=lambda i: -pop.get(i, 0.0))
    items = store.get_items(order)
    cache.ensure([items[i] for i in order if i in items], budget_s=budget_s, progress=progress)
    known = [i for i in order if cache.has(i)]
    log.info("LLM features for %d of the %d items the examples touch", len(known), len(order))
    coverage = (len(known), len(order))
    center = np.nanmean(cache.get(known), axis=0) if known else np.zeros(cache.dim or 1, np.float32)
    seqs: dict[str, list[str]] = {}
    for user, item, _type, _value, _ts in rec.feedback.positive_rows(rec.store.iter_events()):
        seqs.setdefault(user, []).append(item)
    head = fit_head([s[-rec.settings.cf.history:] for s in seqs.values()], cache, center)
    side = LLMSide(cache, center.astype(np.float32), head)
    side.coverage = coverage
    return side
