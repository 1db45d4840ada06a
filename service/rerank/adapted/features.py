"""The adapted reranker's features, computed per candidate at request time in a few
milliseconds.

- candidate stage (`ADAPTED_BASE_FEATURES`): fused rank and score, CF, semantic,
  popularity, the cosine and the transition parts of CF separately, similarity to and
  transitions from the latest item, how often the item was taken in the window before
  the request ("trend"), its popularity as of then, and the user's history length;
  plus the sequence features (`candidates/sequence.py`): votes of session neighbours
  (users whose histories overlap this one's recent items) and what followed the last
  two items;
- frozen LLM features (`ADAPTED_LLM_FEATURES`, see `llm_side.py`): cosine of the
  item's hidden state to the latest item's, to the recency-weighted history's, and to
  the output of the learned next-item head;
- exposure features (`ADAPTED_EXPOSURE_FEATURES`): how often the item was shown to this
  person before the request, and how long ago it was last shown (-1: never). Kept by
  the trainer only where they help (train/fit_adapted/fit.py).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import TYPE_CHECKING

import numpy as np

from service.rerank.adapted.llm_side import LLMSide, unit
from service.types import Candidate

if TYPE_CHECKING:
    from service.candidates.index import CandidateIndex

ADAPTED_BASE_FEATURES = ["rank", "fused", "cf", "semantic", "popularity", "cf_sim", "cf_trans", "last_sim",
                         "last_trans", "trend", "pop_before", "history_len", "sknn", "next2"]
ADAPTED_LLM_FEATURES = ["llm_last", "llm_profile", "llm_head"]
ADAPTED_EXPOSURE_FEATURES = ["shown", "since_shown"]
# candidate_features' columns, in order
ADAPTED_COLUMNS = ADAPTED_BASE_FEATURES + ADAPTED_LLM_FEATURES + ADAPTED_EXPOSURE_FEATURES
SEQUENCE_FEATURES = ["sknn", "next2"]  # kept by the trainer only where they help (train/fit_adapted/fit.py)


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


def exposure_columns(shown: Iterable[tuple[str, float]], ids: list[str], until: float) -> np.ndarray:
    """ADAPTED_EXPOSURE_FEATURES per item of `ids`: log1p(times shown before `until`) and
    log1p(hours from the last of those showings to `until`), -1 for an item never shown.
    `shown`: (item id, shown at) of one person."""
    count: dict[str, int] = {}
    last: dict[str, float] = {}
    for item, at in shown:
        if at < until:
            count[item] = count.get(item, 0) + 1
            last[item] = max(last.get(item, at), at)
    out = np.zeros((len(ids), len(ADAPTED_EXPOSURE_FEATURES)))
    for r, i in enumerate(ids):
        if i in count:
            out[r] = (math.log1p(count[i]), math.log1p(max(until - last[i], 0.0) / 3600.0))
        else:
            out[r, 1] = -1.0
    return out


def candidate_features(index: CandidateIndex, history: list[str], t: float, pool: list[Candidate],
                       llm: LLMSide | None, timeline: Timeline,
                       shown: Iterable[tuple[str, float]] = (), shown_until: float = float("inf")) -> np.ndarray:
    """Rows = pool in candidate order; columns = ADAPTED_COLUMNS (the LLM ones NaN
    without `llm`). `index`: the one the pool was drawn from; `shown`: (item, shown at) of
    what this person was shown, counted before `shown_until` (serving: now)."""
    space, model = index.space, index.model
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
        seq, n_items = index.seq, len(space)
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
    return np.hstack([x, _llm_columns(llm, model, history, ids), exposure_columns(shown, ids, shown_until)])


def _llm_columns(llm: LLMSide | None, model, history: list[str], ids: list[str]) -> np.ndarray:
    extra = np.full((len(ids), len(ADAPTED_LLM_FEATURES)), np.nan)
    if llm is None:
        return extra
    cand = llm.vectors(ids)
    if history:
        hv = llm.vectors(history[-model.cfg.history:])
        ok = ~np.isnan(hv).any(axis=1)
        if ok.any():
            wts = model.profile_weights(len(hv))[ok]
            profile = unit((hv[ok] * wts[:, None]).sum(axis=0))
            ctx = llm.context(hv)
            pred = unit(ctx @ llm.head) if not np.isnan(ctx).any() else np.full(len(profile), np.nan)
            last = hv[ok][-1]
            extra = np.column_stack([cand @ last, cand @ profile, cand @ pred])
    return extra
