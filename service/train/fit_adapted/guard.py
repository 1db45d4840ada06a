"""The guards on what gets served: per-user NDCG on the validation split, a paired
bootstrap for how sure a difference is, and the choice between the variants."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from service.train.fit_adapted.options import TrainReport

CONFIDENCE = 0.95  # serve a variant only if validation users say it is better this surely


def per_group_ndcg(groups, scorer: Callable[[np.ndarray], np.ndarray] | None, k: int = 10) -> np.ndarray:
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


def choose_variant(report: TrainReport, per: dict[str, np.ndarray], seed: int, no_llm_reason: str) -> None:
    """Fill `report.chosen`, `.reason` and `.servable` from the per-user validation NDCG
    of "candidate order", "adapted_no_llm" and (when there are LLM columns) "adapted"."""
    cand, no_llm = per["candidate order"].mean(), per["adapted_no_llm"].mean()
    if "adapted" not in per:
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
