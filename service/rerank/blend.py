"""Blend the LLM score with candidate-stage signals.

A logistic regression over per-candidate features is fitted on validation users'
held-out next items (positive) against the other candidates (negatives). The fitted
blend is kept only if it ranks at least as well as the candidate order on that split;
otherwise the artifact is the identity blend and says why. Artifacts are JSON files
named by model and prompt version, loaded at start-up.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from service.types import Candidate

BLEND_BASE_FEATURES = ["rank", "rrf", "cf", "semantic", "popularity"]
BLEND_LLM_FEATURES = ["llm"]  # the LLM's label score (not the adapted reranker's hidden-state columns)


def features(candidates: list[Candidate], popularity: dict[str, float],
             llm_scores: dict[str, float] | None = None) -> np.ndarray:
    """Rows = candidates in their candidate order; columns = BLEND_BASE_FEATURES + BLEND_LLM_FEATURES.
    The LLM score is standardised within the request (its scale varies by prompt)."""
    n = len(candidates)
    top = max((c.score for c in candidates), default=1.0) or 1.0
    llm = np.zeros(n)
    if llm_scores:
        vals = np.array([llm_scores.get(c.item_id, np.nan) for c in candidates])
        ok = ~np.isnan(vals)
        if ok.sum() > 1:
            mu, sd = vals[ok].mean(), vals[ok].std() or 1.0
            llm[ok] = (vals[ok] - mu) / sd
    rows = []
    for i, c in enumerate(candidates):
        rows.append([
            1.0 / math.log2(i + 2),
            c.score / top,
            c.sources.get("cf", 0.0),
            max(c.sources.get("semantic_profile", 0.0), c.sources.get("semantic_query", 0.0)),
            popularity.get(c.item_id, 0.0),
            llm[i],
        ])
    return np.asarray(rows, dtype=np.float64)


def position_calibration(logprobs, width: int) -> np.ndarray:
    """The model's position prior: the mean label log-probability at each position over
    full-width passes. Subtracting it from a pass's scores removes position bias."""
    full = [np.asarray(lp) for lp in logprobs if len(lp) == width]
    return np.mean(full, axis=0) if full else np.zeros(width)


def calibrated_features(candidates: list[Candidate], popularity: dict[str, float],
                        logprobs, calibration) -> np.ndarray:
    """`features` with the LLM column taken from one pass's position-calibrated label
    log-probabilities (in candidate order); no LLM column when `logprobs` is None."""
    if logprobs is None:
        return features(candidates, popularity)
    adj = np.asarray(logprobs) - np.asarray(calibration)[: len(logprobs)]
    return features(candidates, popularity, {c.item_id: float(s) for c, s in zip(candidates, adj)})


@dataclass
class Blend:
    weights: list[float]
    intercept: float = 0.0
    feature_names: list[str] = field(default_factory=lambda: BLEND_BASE_FEATURES + BLEND_LLM_FEATURES)
    meta: dict = field(default_factory=dict)

    @classmethod
    def identity(cls, reason: str = "identity") -> "Blend":
        w = [0.0] * len(BLEND_BASE_FEATURES + BLEND_LLM_FEATURES)
        w[0] = 1.0  # candidate rank only
        return cls(w, 0.0, meta={"kind": "identity", "reason": reason})

    @property
    def llm_weight(self) -> float:
        return self.weights[self.feature_names.index("llm")]

    def scores(self, x: np.ndarray) -> np.ndarray:
        return x @ np.asarray(self.weights) + self.intercept

    def order(self, candidates: list[Candidate], x: np.ndarray) -> list[Candidate]:
        s = self.scores(x)
        idx = sorted(range(len(candidates)), key=lambda i: (-s[i], i))
        return [candidates[i].with_score(float(s[i])) for i in idx]

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps({"weights": self.weights, "intercept": self.intercept,
                                    "features": self.feature_names, "meta": self.meta}, indent=2))

    @classmethod
    def load(cls, path: Path) -> "Blend":
        d = json.loads(path.read_text())
        return cls(d["weights"], d["intercept"], d["features"], d.get("meta", {}))


def fit_blend(groups: list[tuple[np.ndarray, int]], use_llm: bool = True, c: float = 1.0) -> Blend:
    """groups: (features of one request's candidates, index of the held-out item or -1).
    Fits on groups whose target is among the candidates."""
    from sklearn.linear_model import LogisticRegression

    cols = list(range(len(BLEND_BASE_FEATURES) + (1 if use_llm else 0)))
    xs, ys = [], []
    for x, target in groups:
        if target < 0:
            continue
        y = np.zeros(len(x))
        y[target] = 1
        xs.append(x[:, cols])
        ys.append(y)
    if not xs or sum(len(y) for y in ys) < 10:
        return Blend.identity("too little validation data")
    X, Y = np.vstack(xs), np.concatenate(ys)
    mu, sd = X.mean(axis=0), X.std(axis=0)
    sd[sd == 0] = 1.0
    clf = LogisticRegression(C=c, class_weight="balanced", max_iter=1000)
    clf.fit((X - mu) / sd, Y)
    w = clf.coef_[0] / sd
    b = float(clf.intercept_[0] - (clf.coef_[0] * mu / sd).sum())
    weights = list(map(float, w)) + ([] if use_llm else [0.0])
    return Blend(weights, b, meta={"kind": "logistic", "use_llm": use_llm})


def ndcg_at(groups: list[tuple[np.ndarray, int]], blend: Blend, k: int = 10) -> float:
    total = 0.0
    for x, target in groups:
        if target < 0:
            continue
        s = blend.scores(x)
        order = sorted(range(len(x)), key=lambda i: (-s[i], i))
        pos = order.index(target)
        total += 1.0 / math.log2(pos + 2) if pos < k else 0.0
    return total / max(len(groups), 1)


def cross_validated_ndcg(groups: list[tuple[np.ndarray, int]], use_llm: bool, folds: int = 3) -> float:
    """NDCG@10 of blends fitted without each fold, scored on that fold."""
    total = 0.0
    for f in range(folds):
        train = [g for i, g in enumerate(groups) if i % folds != f]
        test = [g for i, g in enumerate(groups) if i % folds == f]
        if test:
            total += ndcg_at(test, fit_blend(train, use_llm)) * len(test)
    return total / max(len(groups), 1)


def choose_blend(groups: list[tuple[np.ndarray, int]], use_llm: bool = True) -> Blend:
    """Fit a blend, and keep it only if, fitted out-of-fold, it ranks strictly better
    than the candidate order on the held-out folds. A fit judged on its own training
    data looks better than it is, so an in-sample check would let noise through."""
    ident = Blend.identity()
    cv, id_ndcg = cross_validated_ndcg(groups, use_llm), ndcg_at(groups, ident)
    if cv <= id_ndcg:
        out = Blend.identity(f"out-of-fold blend NDCG@10 {cv:.4f} does not beat the candidate order {id_ndcg:.4f}")
    else:
        out = fit_blend(groups, use_llm)
    out.meta.update({"validation_ndcg@10": cv, "identity_ndcg@10": id_ndcg, "validation_groups": len(groups)})
    return out


def choose_serving_blend(groups: list[tuple[np.ndarray, int]]) -> tuple[Blend, Blend]:
    """The blend to serve, and the no-LLM ablation it was measured against. The LLM is
    kept only if, out of fold, the blend with it beats the same blend without it;
    otherwise the ablation is served (LLM weight 0, so the LLM is not called)."""
    with_llm, without = choose_blend(groups, True), choose_blend(groups, False)
    cv_with, cv_without = with_llm.meta["validation_ndcg@10"], without.meta["validation_ndcg@10"]
    if with_llm.llm_weight != 0.0 and cv_with <= cv_without:
        chosen = without
        chosen.meta["reason"] = (f"the LLM does not help: out-of-fold NDCG@10 {cv_with:.4f} with it, "
                                 f"{cv_without:.4f} without it")
    else:
        chosen = with_llm
    chosen.meta["ablation_no_llm_ndcg@10"] = cv_without
    chosen.meta["with_llm_ndcg@10"] = cv_with
    return chosen, without
