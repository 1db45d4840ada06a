"""`train-reranker`: fit the adapted reranker on the store's own events, by time.

Two scratch copies of the store are built, so no example's features carry a trace of
its own answer:
- fit split: each user's latest two events removed; the second-latest is the target;
- validation split: the latest event removed; it is the target.
Both the model with LLM features and the same model without them (the ablation) are
fitted on the fit split and compared on the validation split with the candidate order.
The LLM columns are kept only if they beat the ablation there; the chosen variant is
refitted on both splits and written as a versioned artifact.
"""

from __future__ import annotations

import json
import logging
import random
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from service.candidates.vectors import ChromaVectors
from service.embed import make_embedder
from service.eval.split import HeldOut
from service.rerank.adapted import (ADAPTED_BASE_FEATURES, ADAPTED_COLUMNS, ADAPTED_LLM_FEATURES, SEQUENCE_FEATURES,
                                    AdaptedModel, LLMSide, Timeline, candidate_features, fit_head, latest_event_time,
                                    save_artifact, version_name)
from service.rerank.trees import TreeEnsemble
from service.rerank.item_features import ItemFeatureCache, cache_path, supports_hidden_states
from service.settings import Settings
from service.store import SqliteStore, Store
from service.train.split import seed_vectors, split_store
from service.types import Candidate, CandidateRequest

log = logging.getLogger(__name__)
RANDOM_NEGATIVES = 5
CONFIDENCE = 0.95  # serve a variant only if validation users say it is better this surely
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


@dataclass
class TrainReport:
    rows: dict[str, dict] = field(default_factory=dict)
    chosen: str = ""
    reason: str = ""
    seconds: dict[str, float] = field(default_factory=dict)
    seeded_vectors: int = 0  # item vectors taken from the published snapshot (not embedded again)
    examples: dict[str, int] = field(default_factory=dict)
    servable: bool = True
    llm_feature_items: tuple[int, int] | None = None  # (with features, needed)
    fusion: dict = field(default_factory=dict)  # chosen history fusion weights and the grid's scores


def make_classifier(seed: int = 0):
    from sklearn.ensemble import HistGradientBoostingClassifier

    return HistGradientBoostingClassifier(learning_rate=0.05, max_iter=250, max_leaf_nodes=15,
                                          min_samples_leaf=40, l2_regularization=1.0, random_state=seed)


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
    from service.eval.metrics import ndcg

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
                 pooled: dict | None = None) -> list[Group]:
    rng = random.Random(seed)
    ids_all = rec.index.space.ids
    pooled = pooled or pools(rec, [h.user_id for h in held], depth)
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
        cands = pool + extra
        x = candidate_features(rec, hist, t, cands, llm, timeline)
        x[len(pool):, 0] = 0.0  # random items have no candidate rank
        ids = [c.item_id for c in cands]
        groups.append(Group(h.user_id, ids, x, ids.index(h.target) if h.target in ids else -1, len(pool)))
    return groups


def columns(names: list[str]) -> list[int]:
    """Where the named features sit in candidate_features' columns."""
    return [ADAPTED_COLUMNS.index(f) for f in names]


def fit(groups: list[Group], names: list[str], seed: int = 0):
    """Positives: each target; negatives: the rest of its group. Groups whose target is
    not in the pool teach nothing about order and are left out."""
    used = [g for g in groups if g.target >= 0]
    y = np.concatenate([np.arange(len(g.x)) == g.target for g in used]).astype(float)
    clf = make_classifier(seed)
    clf.fit(np.vstack([g.x[:, columns(names)] for g in used]), y)
    return TreeEnsemble.from_sklearn(clf)


def per_group_ndcg(groups: list[Group], scorer: Callable[[np.ndarray], np.ndarray] | None,
                   k: int = 10) -> np.ndarray:
    """NDCG@k per group (0 when the target is not in the pool); `None` scores the
    candidate order. Only the real pool is ranked, as in serving."""
    out = np.zeros(len(groups))
    for n, g in enumerate(groups):
        if 0 <= g.target < g.pool:
            if scorer is None:
                pos = g.target
            else:
                s = scorer(g.x[: g.pool])
                pos = sorted(range(g.pool), key=lambda i: (-s[i], i)).index(g.target)
            out[n] = 1.0 / np.log2(pos + 2) if pos < k else 0.0
    return out


def confidence(a: np.ndarray, b: np.ndarray, seed: int = 0, rounds: int = 2000) -> float:
    """How sure we are that `a` beats `b` on these users: the share of bootstrap
    resamples of the paired per-user differences whose mean is above zero."""
    d = np.asarray(a) - np.asarray(b)
    if not len(d) or not d.any():
        return 0.0
    rng = np.random.default_rng(seed)
    means = d[rng.integers(0, len(d), size=(rounds, len(d)))].mean(axis=1)
    return float((means > 0).mean())


def _split(store: Store, workdir: Path, settings: Settings) -> tuple[Settings, list[HeldOut], Store]:
    scratch, held = split_store(store, workdir, settings)
    return scratch, held, SqliteStore(scratch.db_path)


@dataclass
class Trained:
    chosen: AdaptedModel
    with_llm: AdaptedModel | None
    without_llm: AdaptedModel
    report: TrainReport
    side: LLMSide | None


def train_reranker(settings: Settings, store: Store, backend=None, minutes: float = 30.0,
                   users: int | None = 2000, seed: int = 0, pool: int = 100, fit_splits: int = 3,
                   feature_cache: Path | None = None, progress: Progress | None = None,
                   learn_fusion: bool = True,
                   no_llm_reason: str = "the LLM backend gives no hidden states") -> Trained:
    """Fit both variants and choose; writes nothing (see `train_and_save`).

    Split 0 holds out each user's latest event (validation); split k (k >= 1) holds out
    the latest k+1 events and targets the (k+1)-th latest (fitting). More fit splits, more
    examples per user, each with features built only from what came before it."""
    from service.pipeline import Recommender

    tick = progress or (lambda stage, done, total: None)
    t_start = time.perf_counter()
    report = TrainReport()
    names = ["validation"] + [f"fit{k}" for k in range(1, fit_splits + 1)]
    rng = random.Random(seed)
    embedder = make_embedder(settings.embedder, settings.embedder_dim)
    with tempfile.TemporaryDirectory() as tmp:
        recs, helds, src = {}, {}, store
        for n, name in enumerate(names):
            tick("splits", n, len(names))
            scratch, held, src = _split(src, Path(tmp) / name, settings)
            if n:  # same items: reuse split 0's vectors instead of embedding again
                shutil.copytree(recs[names[0]].settings.chroma_path, scratch.chroma_path)
            else:
                report.seeded_vectors = seed_vectors(settings, store, ChromaVectors(scratch, embedder))
            rec = Recommender(scratch.model_copy(update={"calllog_enabled": False}), store=src, embedder=embedder)
            rec.build_index()
            recs[name] = rec
            helds[name] = rng.sample(held, min(users, len(held))) if users is not None else held
        tick("splits", len(names), len(names))
        report.seconds["splits+index"] = time.perf_counter() - t_start
        fusion = None
        if learn_fusion:
            tick("fusion", 0, 1)
            fusion, grid = choose_fusion(recs[names[1] if len(names) > 1 else names[0]],
                                         helds[names[1] if len(names) > 1 else names[0]][:1000], pool)
            report.fusion = {"history": fusion, "grid": grid}
            tick("fusion", 1, 1)
        pooled = {name: pools(recs[name], [h.user_id for h in helds[name]], pool, fusion) for name in names}

        side = None
        if supports_hidden_states(backend):
            t = time.perf_counter()
            cache = ItemFeatureCache(cache_path(feature_cache or settings.artifacts_dir, backend.model_id), backend)
            budget = max(60.0, minutes * 60 * 0.8 - (time.perf_counter() - t_start))
            side = _llm_side(cache, store, pooled, recs[names[1] if len(names) > 1 else names[0]], budget,
                             progress=lambda d, n: tick("llm features", d, n))
            report.seconds["llm features"] = time.perf_counter() - t
            report.llm_feature_items = side.coverage
        t = time.perf_counter()
        groups = {}
        for name in names:
            rec = recs[name]
            groups[name] = build_groups(rec, helds[name], pool, side, Timeline.build(rec.store, rec.index.space, rec.feedback),
                                        seed, pooled=pooled[name])
            tick("features", len(groups[name]), len(helds[name]))
            rec.store.close()
        report.seconds["features"] = time.perf_counter() - t
        report.examples = {k: sum(g.target >= 0 for g in v) for k, v in groups.items()}
    fit_groups = [g for name in names[1:] for g in groups[name]] or groups["validation"]
    groups = {"fit": fit_groups, "validation": groups["validation"]}

    t = time.perf_counter()
    val = groups["validation"]
    per = {"candidate order": per_group_ndcg(val, None)}

    def score(feature_names: list[str]) -> np.ndarray:
        m, cols = fit(groups["fit"], feature_names, seed), columns(feature_names)
        return per_group_ndcg(val, lambda x: m.proba(x[:, cols]))

    # the sequence features are a claim under test, like the LLM columns: they stay only if
    # they beat the ranker without them with CONFIDENCE on validation. (A better mean was
    # the first bar: on ml-latest-small it kept them at +1.3% on validation, and the API
    # then served 0.0611 NDCG@10 against 0.0720 without them.)
    plain = [f for f in ADAPTED_BASE_FEATURES if f not in SEQUENCE_FEATURES]
    with_seq, without_seq = score(ADAPTED_BASE_FEATURES), score(plain)
    helps = confidence(with_seq, without_seq, seed) >= CONFIDENCE
    base, per["adapted_no_llm"], unused = (ADAPTED_BASE_FEATURES, with_seq, without_seq) if helps else \
        (plain, without_seq, with_seq)
    other = "without sequence features" if helps else "with sequence features"
    report.rows[other] = {"validation_ndcg@10": float(unused.mean())}
    variants = {"adapted_no_llm": base}
    if side is not None:
        variants["adapted"] = base + ADAPTED_LLM_FEATURES
        per["adapted"] = score(variants["adapted"])
    report.seconds["fit"] = time.perf_counter() - t
    for name, vals in per.items():
        report.rows[name] = {"validation_ndcg@10": float(vals.mean())}
    cand, no_llm = per["candidate order"].mean(), per["adapted_no_llm"].mean()
    if side is None:
        report.chosen, report.reason = "adapted_no_llm", no_llm_reason
    else:
        with_llm, sure = per["adapted"].mean(), confidence(per["adapted"], per["adapted_no_llm"], seed)
        report.rows["adapted"]["confidence_vs_no_llm"] = sure
        if sure >= CONFIDENCE:
            report.chosen = "adapted"
            report.reason = f"LLM features help: {with_llm:.4f} vs {no_llm:.4f} without ({sure:.0%} sure)"
        else:
            report.chosen = "adapted_no_llm"
            report.reason = (f"LLM features are not reliably better: {with_llm:.4f} vs {no_llm:.4f} without "
                             f"({sure:.0%} sure, {CONFIDENCE:.0%} needed); serving the ranker without them")
    # Serving it instead of the candidate order needs only a better validation mean: the
    # validation users are out of sample for the model, so the mean is an honest estimate.
    # (The LLM columns need more: 95% confidence, since they are the claim under test.)
    beats = confidence(per[report.chosen], per["candidate order"], seed)
    report.rows[report.chosen]["confidence_vs_candidate_order"] = beats
    report.servable = bool(per[report.chosen].mean() > cand)
    mean = per[report.chosen].mean()
    if not report.servable:
        report.reason += (f"; it does not beat the candidate order on validation ({mean:.4f} vs {cand:.4f}), "
                          "so it is saved but not served")
    else:
        report.reason += f"; it beats the candidate order on validation ({mean:.4f} vs {cand:.4f}, {beats:.0%} sure)"

    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S")
    both = groups["fit"] + groups["validation"]
    built = {}
    for name, names in variants.items():
        uses = name == "adapted"
        meta = {
            "kind": name, "model": backend.model_id if (uses and backend) else None,
            "prompt": _prompt_ref(settings), "pool": pool, "snapshot_event_id": store.stats().last_event_id,
            "trained_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "validation": report.rows, "chosen_because": report.reason, "examples": report.examples,
            "fusion": report.fusion.get("history"),
            "train_seconds": round(time.perf_counter() - t_start, 1),
        }
        meta["version"] = version_name(meta["model"], meta["prompt"], meta["snapshot_event_id"], stamp)
        if not uses:
            meta["version"] = meta["version"].replace("adapted-", "adapted-nollm-", 1)
        built[name] = AdaptedModel(fit(both, names, seed), names,
                                    side.center if uses else None, side.head if uses else None, meta)
    report.seconds["total"] = time.perf_counter() - t_start
    for r in built.values():
        r.meta["train_seconds"] = round(report.seconds["total"], 1)
    return Trained(built[report.chosen], built.get("adapted"), built["adapted_no_llm"], report, side)


def _prompt_ref(settings: Settings) -> str:
    from service.prompts import load_prompt

    return load_prompt(settings.llm.rank_prompt).ref


def _llm_side(cache: ItemFeatureCache, store: Store, pooled: dict, rec, budget_s: float,
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


def train_and_save(settings: Settings, store: Store, backend=None, force: bool = False,
                   **kw) -> tuple[Trained, Path]:
    """Train, write the artifact, and make it the served one if validation says it is
    reliably better than the candidate order (or `force`)."""
    trained = train_reranker(settings, store, backend, **kw)
    path = save_artifact(trained.chosen, settings.artifacts_dir / "adapted",
                         make_current=trained.report.servable or force)
    return trained, path
