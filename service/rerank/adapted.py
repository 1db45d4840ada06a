"""The adapted reranker: a small model fitted on the catalog's own interactions that
ranks a deep candidate pool on fused features.

Features per candidate (all computed at request time in a few milliseconds):
- candidate stage: fused rank and score, CF, semantic, popularity, the cosine and the
  transition parts of CF separately, similarity to and transitions from the latest item,
  how often the item was taken in the window before the request ("trend"), its
  popularity as of then, and the user's history length;
- sequence (`candidates/sequence.py`): votes of session neighbours (users whose
  histories overlap this one's recent items) and what followed the last two items;
- frozen LLM features (`item_features.py`): the model's hidden state over each item's
  line of the ranking prompt, cached per item. From them: cosine to the latest item, to
  the recency-weighted history, and to the output of a learned next-item head (ridge
  regression from the last items' hidden states to the next item's), fitted on the
  catalog's sequences.
A gradient-boosted classifier (scikit-learn, in the trainer) learns positives = the
user's next item against hard negatives (the rest of the candidate pool); its trees are
exported to arrays (`trees.py`), so serving needs numpy only. The same
model without the LLM columns is always trained as the ablation; the LLM columns are
served only if they beat it on held-out users.
"""

from __future__ import annotations

import json
import logging
import math
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from service.rerank.trees import TreeEnsemble
from service.types import Candidate

log = logging.getLogger(__name__)

BASE_FEATURES = ["rank", "fused", "cf", "semantic", "popularity", "cf_sim", "cf_trans", "last_sim",
                 "last_trans", "trend", "pop_before", "history_len", "sknn", "next2"]
LLM_FEATURES = ["llm_last", "llm_profile", "llm_head"]
SEQUENCE_FEATURES = ["sknn", "next2"]  # kept by the trainer only where they help (train/adapted.py)
HEAD_CONTEXT = 3


class Timeline:
    """When each item was taken, so popularity can be read as of any moment."""

    def __init__(self, all_ts: np.ndarray, starts: np.ndarray, item_ts: np.ndarray) -> None:
        self.all_ts, self.starts, self.item_ts = all_ts, starts, item_ts
        self.window = max(200, len(all_ts) // 50)

    @classmethod
    def build(cls, store, space, feedback=None) -> "Timeline":
        """From the positive events (`feedback`: a `service.feedback.Feedback`; None: all)."""
        rows, stamps = [], []
        idx = space.index
        events = store.iter_events()
        for _user, item, _type, _value, ts in (feedback.positive_rows(events) if feedback else events):
            r = idx.get(item)
            if r is not None:
                rows.append(r)
                stamps.append(ts)
        rows_a, ts_a = np.asarray(rows, dtype=np.int64), np.asarray(stamps, dtype=np.float64)
        order = np.lexsort((ts_a, rows_a))
        counts = np.bincount(rows_a, minlength=len(space.ids)) if len(rows_a) else np.zeros(len(space.ids), int)
        starts = np.concatenate([[0], np.cumsum(counts)])
        return cls(np.sort(ts_a), starts, ts_a[order])

    def counts(self, rows: np.ndarray, t: float) -> tuple[np.ndarray, np.ndarray]:
        """(events in the `window` events before t, events before t) per item row."""
        p = int(np.searchsorted(self.all_ts, t, side="left"))
        lo_t = self.all_ts[max(p - self.window, 0)] if p else t
        recent, before = np.zeros(len(rows)), np.zeros(len(rows))
        for k, r in enumerate(rows):
            if r < 0 or r + 1 >= len(self.starts):
                continue
            seg = self.item_ts[self.starts[r]:self.starts[r + 1]]
            b = np.searchsorted(seg, t, side="left")
            recent[k] = b - np.searchsorted(seg, lo_t, side="left")
            before[k] = b
        return recent, before


def _share(v: np.ndarray) -> np.ndarray:
    """Scores over the pool scaled to a max of 1 (0 where nobody voted)."""
    top = float(v.max()) if v.size else 0.0
    return v / top if top > 0 else np.zeros(len(v))


def latest_event_time(store, user_id: str | None, types=None) -> float:
    """When the request happens, as the features see it: the user's latest event of the
    `types` that count (so training, evaluation and serving agree); +inf for an anonymous
    request."""
    hist = store.history(user_id, limit=1, types=types) if user_id else []
    return hist[-1].timestamp if hist else float("inf")


def _unit(m: np.ndarray) -> np.ndarray:
    n = np.linalg.norm(m, axis=-1, keepdims=True)
    return m / np.where(n > 0, n, 1.0)


@dataclass
class LLMSide:
    """What the LLM columns need: the per-item hidden-state cache, the centring vector
    (mean-pooled hidden states share a large common direction) and the next-item head."""
    cache: object  # ItemFeatureCache
    center: np.ndarray
    head: np.ndarray
    coverage: tuple[int, int] | None = None  # (items with features, items needed) at training

    def vectors(self, ids: list[str]) -> np.ndarray:
        m = self.cache.get(ids, dim=len(self.center))
        return _unit(m - self.center)

    @staticmethod
    def context(hist_vecs: np.ndarray) -> np.ndarray:
        """Mean of the known vectors among the last HEAD_CONTEXT history items."""
        last = hist_vecs[-HEAD_CONTEXT:]
        ok = last[~np.isnan(last).any(axis=1)]
        return ok.mean(axis=0) if len(ok) else np.full(hist_vecs.shape[1], np.nan)


def fit_head(sequences: list[list[str]], cache, center: np.ndarray, alpha: float = 10.0) -> np.ndarray:
    """Ridge regression from the mean of the last HEAD_CONTEXT items' (centred, unit)
    hidden states to the next item's: a next-item predictor in the LLM's own space."""
    dim = len(center)
    side = LLMSide(cache, center, np.eye(dim, dtype=np.float32))
    ctxs, nexts = [], []
    for seq in sequences:
        if len(seq) < 2:
            continue
        v = side.vectors(seq)
        known = ~np.isnan(v).any(axis=1)
        for j in range(1, len(seq)):
            if known[j]:
                ctx = LLMSide.context(v[:j])
                if not np.isnan(ctx).any():
                    ctxs.append(ctx)
                    nexts.append(v[j])
    if not ctxs:
        return side.head
    x, y = np.asarray(ctxs, dtype=np.float64), np.asarray(nexts, dtype=np.float64)
    return np.linalg.solve(x.T @ x + alpha * np.eye(dim), x.T @ y).astype(np.float32)


def candidate_features(rec, history: list[str], t: float, pool: list[Candidate],
                       llm: LLMSide | None, timeline: Timeline) -> np.ndarray:
    """Rows = pool in candidate order; columns = BASE_FEATURES (+ LLM_FEATURES if llm)."""
    space, model = rec.index.space, rec.index.model
    ids = [c.item_id for c in pool]
    rows = np.asarray([space.index.get(i, -1) for i in ids])
    safe = np.where(rows >= 0, rows, 0)
    hist_rows = space.rows(history)[-model.cfg.history:]
    n = len(pool)
    cf_sim = cf_trans = last_sim = last_trans = sknn = next2 = np.zeros(n)
    if hist_rows:
        w = model.profile_weights(len(hist_rows))
        hr = np.asarray(hist_rows)

        def part(m) -> np.ndarray:
            v = np.asarray(m[hr].T @ w).ravel()
            top = v.max() if v.size else 0.0
            return v[safe] / top if top > 0 else np.zeros(n)

        def last_row(m) -> np.ndarray:
            v = m[hr[-1]].toarray().ravel()
            top = v.max() if v.size else 0.0
            return v[safe] / top if top > 0 else np.zeros(n)

        cf_sim, cf_trans = part(model.sim), part(model.trans)
        last_sim, last_trans = last_row(model.sim), last_row(model.trans)
        seq, n_items = rec.index.seq, len(space)
        sknn, next2 = (_share(v[safe]) for v in (seq.neighbour_scores(hist_rows, n_items),
                                                seq.next_after(hist_rows, n_items)))
    recent, before = timeline.counts(rows, t)
    pop = model.popularity
    top_pop = float(np.log1p(pop.max())) if len(pop) else 1.0
    top_score = max((c.score for c in pool), default=1.0) or 1.0
    cols = [
        [1.0 / math.log2(i + 2) for i in range(n)],
        [c.score / top_score for c in pool],
        [c.sources.get("cf", 0.0) for c in pool],
        [max(c.sources.get("semantic_profile", 0.0), c.sources.get("semantic_query", 0.0)) for c in pool],
        np.log1p(pop[safe]) / (top_pop or 1.0),
        cf_sim, cf_trans, last_sim, last_trans,
        np.log1p(recent), np.log1p(before),
        np.full(n, math.log1p(len(history))),
        sknn, next2,
    ]
    x = np.column_stack([np.asarray(c, dtype=np.float64) for c in cols])
    if llm is None:
        return x
    cand = llm.vectors(ids)
    extra = np.full((n, len(LLM_FEATURES)), np.nan)
    if history:
        hv = llm.vectors(history[-model.cfg.history:])
        ok = ~np.isnan(hv).any(axis=1)
        if ok.any():
            wts = model.profile_weights(len(hv))[ok]
            profile = _unit((hv[ok] * wts[:, None]).sum(axis=0))
            ctx = llm.context(hv)
            pred = _unit(ctx @ llm.head) if not np.isnan(ctx).any() else np.full(len(profile), np.nan)
            last = hv[ok][-1]
            extra = np.column_stack([cand @ last, cand @ profile, cand @ pred])
    return np.hstack([x, extra])


@dataclass
class AdaptedRanker:
    model: TreeEnsemble  # the fitted trees (scikit-learn's, exported; see trees.py)
    feature_names: list[str]
    center: np.ndarray | None = None
    head: np.ndarray | None = None
    meta: dict = field(default_factory=dict)

    @property
    def uses_llm(self) -> bool:
        return any(f in LLM_FEATURES for f in self.feature_names)

    @property
    def version(self) -> str:
        return self.meta.get("version", "adapted-unsaved")

    @property
    def pool(self) -> int:
        return int(self.meta.get("pool", 100))

    def scores(self, x: np.ndarray) -> np.ndarray:
        """x: columns BASE_FEATURES + LLM_FEATURES (as candidate_features gives them);
        the model reads its own, by name, so artifacts fitted on fewer features serve on."""
        names = BASE_FEATURES + LLM_FEATURES
        return self.model.proba(x[:, [names.index(f) for f in self.feature_names]])

    def order(self, candidates: list[Candidate], x: np.ndarray) -> list[Candidate]:
        s = self.scores(x)
        idx = sorted(range(len(candidates)), key=lambda i: (-s[i], i))
        return [candidates[i].with_score(float(s[i])) for i in idx]

    # -- artifacts ------------------------------------------------------------------------
    def save(self, root: Path, make_current: bool = True) -> Path:
        """Write <root>/<version>/ and point <root>/CURRENT at it (atomically), so a
        serving process keeps the previous artifact until this one is complete."""
        root = Path(root)
        final = root / self.version
        tmp = root / f".{self.version}.partial"
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        self.model.save(tmp / "trees.npz")
        if self.center is not None:
            np.savez(tmp / "llm_head.npz", center=self.center, head=self.head)
        (tmp / "meta.json").write_text(json.dumps({"features": self.feature_names, **self.meta}, indent=2))
        shutil.rmtree(final, ignore_errors=True)
        tmp.rename(final)
        if not make_current:
            return final
        pointer = root / "CURRENT.partial"
        pointer.write_text(self.version + "\n")
        pointer.replace(root / "CURRENT")
        return final

    @classmethod
    def load(cls, directory: Path) -> "AdaptedRanker":
        meta = json.loads((directory / "meta.json").read_text())
        names = meta.pop("features")
        model = _load_trees(directory)
        center = head = None
        if any(f in LLM_FEATURES for f in names):
            z = np.load(directory / "llm_head.npz")
            center, head = z["center"], z["head"]
        if model.n_features != len(names) or not set(names) <= set(BASE_FEATURES + LLM_FEATURES):
            raise ValueError("the trees do not match their feature list")
        return cls(model, names, center, head, meta)


def _load_trees(directory: Path) -> TreeEnsemble:
    if (directory / "trees.npz").exists():
        return TreeEnsemble.load(directory / "trees.npz")
    # written before the trees were exported: convert once (needs scikit-learn)
    import pickle

    log.info("converting %s/model.pkl to trees.npz", directory.name)
    model = TreeEnsemble.from_sklearn(pickle.loads((directory / "model.pkl").read_bytes()))
    model.save(directory / "trees.npz")
    return model


def version_name(model_id: str | None, prompt_ref: str, snapshot: int, stamp: str) -> str:
    slug = re.sub(r"[^A-Za-z0-9_.-]+", "_", f"{model_id or 'nollm'}-{prompt_ref.replace('@', '-')}")
    return f"adapted-{slug}-e{snapshot}-{stamp}"


def list_artifacts(root: Path) -> list[dict]:
    root = Path(root)
    current = (root / "CURRENT").read_text().strip() if (root / "CURRENT").exists() else None
    out = []
    for d in sorted(p for p in root.glob("adapted-*") if p.is_dir()):
        try:
            meta = json.loads((d / "meta.json").read_text())
        except (OSError, ValueError):
            meta = {"error": "meta.json unreadable"}
        out.append({"version": d.name, "current": d.name == current, **{k: v for k, v in meta.items() if k != "features"}})
    return out


def load_current(root: Path) -> tuple[AdaptedRanker | None, str]:
    """The artifact CURRENT points at, or None and why (for `reranker_version`)."""
    root = Path(root)
    pointer = root / "CURRENT"
    if not pointer.exists():
        return None, "no adapted reranker trained"
    name = pointer.read_text().strip()
    try:
        return AdaptedRanker.load(root / name), name
    except Exception as e:  # any unreadable artifact: serve the blend, say so
        log.warning("adapted reranker %s is unreadable (%s: %s); serving without it",
                    name, type(e).__name__, e)
        return None, f"adapted reranker {name} unreadable ({type(e).__name__}); serving without it"
