"""`python -m service eval`: every ranker of the pipeline on held-out next items.

Rankers: popularity, cf, semantic (profile), fused (full catalog); identity (the fused
order after the candidate cut); llm (zero-shot label scores, position-calibrated); blend
(LLM + candidate features) and blend_no_llm (the same blend trained without the LLM:
the ablation every LLM claim is measured against). Calibration and blends are
cross-fitted over two halves of the users, so no user is ranked with weights fitted on
their own answer. Deterministic for a seed.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from service.eval.harness import prepare, score_list
from service.eval.latency import percentile
from service.eval.split import cross_fit_folds, sample
from service.prompts import load_prompt
from service.rerank.blend import calibrated_features, choose_blend, position_calibration
from service.rerank.listwise import LetterLogitReranker
from service.types import Candidate, CandidateRequest

FULL_DEPTH = 100


@dataclass
class UserRow:
    user: str
    target: str
    lists: dict[str, list[str]]  # ranker -> ranked ids (full-catalog rankers)
    cand: list[Candidate]
    target_idx: int
    pop: dict[str, float]
    lp: dict[str, np.ndarray] = field(default_factory=dict)  # prompt -> raw label log-probs
    ms: dict[str, float] = field(default_factory=dict)


def _order(scores) -> list[int]:
    return sorted(range(len(scores)), key=lambda i: (-scores[i], i))


def score_users(rec, held, n_cand: int, rerankers: dict[str, LetterLogitReranker],
                progress: Callable[[int], None] | None = None) -> list[UserRow]:
    rows = []
    cfg, catalog, sources = rec.settings.llm, rec.catalog, rec.sources
    for n, h in enumerate(held, start=1):
        hist = rec.history(h.user_id)
        req = CandidateRequest(user_id=h.user_id, history=hist, k=FULL_DEPTH)
        lists = {name: [c.item_id for c in sources[src].candidates(req, FULL_DEPTH)]
                 for name, src in (("popularity", "popularity"), ("cf", "cf"), ("semantic", "semantic_profile"))}
        t = time.perf_counter()
        fused = rec.candidates(CandidateRequest(user_id=h.user_id, k=FULL_DEPTH), max(FULL_DEPTH, n_cand)).candidates
        ms = {"candidates": (time.perf_counter() - t) * 1000}
        lists["fused"] = [c.item_id for c in fused]
        cand = fused[:n_cand]
        ids = [c.item_id for c in cand]
        row = UserRow(h.user_id, h.target, lists, cand, ids.index(h.target) if h.target in ids else -1,
                      catalog.popularity(ids), ms=ms)
        if rerankers and len(ids) > 1:
            items = catalog.get_items(ids + hist[-cfg.history_items:])
            history = [items[i] for i in hist[-cfg.history_items:] if i in items]
            for name, rr in rerankers.items():
                t = time.perf_counter()
                row.lp[name] = rr.position_logprobs(history, [items[i] for i in ids])
                row.ms[f"llm:{name}"] = (time.perf_counter() - t) * 1000
        rows.append(row)
        if progress:
            progress(n)
    return rows


def rank_candidates(rows: list[UserRow], prompts: list[str]) -> dict[str, list[list[str]]]:
    """identity, and per prompt: llm and blend (cross-fitted), plus blend_no_llm."""
    out: dict[str, list[list[str]]] = {"identity": [[c.item_id for c in r.cand] for r in rows]}
    half = cross_fit_folds(len(rows), 2)
    for p, prompt in enumerate(prompts):
        suffix = "" if p == 0 else f"@{prompt}"
        width = max((len(r.lp[prompt]) for r in rows if prompt in r.lp), default=0)
        calib = {fold: position_calibration([r.lp[prompt] for r, f in zip(rows, half) if f != fold and prompt in r.lp],
                                            width) for fold in (0, 1)}
        xs = [calibrated_features(r.cand, r.pop, r.lp.get(prompt), calib[f]) for r, f in zip(rows, half)]
        blends = {}
        for fold in (0, 1):
            groups = [(x, r.target_idx) for r, x, f in zip(rows, xs, half) if f != fold and prompt in r.lp]
            blends[fold] = (choose_blend(groups, True), choose_blend(groups, False))
        llm, blend, no_llm = [], [], []
        for r, x, f in zip(rows, xs, half):
            ids = [c.item_id for c in r.cand]
            if prompt in r.lp:
                adj = r.lp[prompt] - calib[f][: len(r.lp[prompt])]
                llm.append([ids[i] for i in _order(adj)])
            else:
                llm.append(ids)
            blend.append([ids[i] for i in _order(blends[f][0].scores(x))])
            no_llm.append([ids[i] for i in _order(blends[f][1].scores(x))])
        out[f"llm{suffix}"] = llm
        out[f"blend{suffix}"] = blend
        if p == 0:
            out["blend_no_llm"] = no_llm
    return out


def summarize(rows: list[UserRow], rankings: dict[str, list[list[str]]], n_cand: int, vectors,
              n_items: int) -> dict:
    hr = f"hr@{n_cand}"
    result = {}
    top_ids = {i for lists in rankings.values() for ranked in lists for i in ranked[:10]}
    vecs = vectors.vectors(sorted(top_ids)) if vectors is not None else {}
    for name, lists in rankings.items():
        per = [score_list(rk, r.target, n_cand) for rk, r in zip(lists, rows)]
        inc = [m for m, r in zip(per, rows) if r.target_idx >= 0]
        mean = lambda ms, k: float(np.mean([m[k] for m in ms])) if ms else 0.0  # noqa: E731
        shown = {i for rk in lists for i in rk[:10]}
        result[name] = {
            **{k: mean(per, k) for k in ("ndcg@10", "recall@10", "recall@20", hr)},
            "in_candidates": {"ndcg@10": mean(inc, "ndcg@10"), "recall@10": mean(inc, "recall@10"), "users": len(inc)},
            "coverage@10": len(shown) / max(n_items, 1),
            "diversity@10": _ild(lists, vecs),
        }
    return result


def _ild(lists, vecs) -> float:
    """Intra-list diversity: mean pairwise cosine distance within each top 10."""
    vals = []
    for rk in lists:
        m = np.array([vecs[i] for i in rk[:10] if i in vecs])
        if len(m) > 1:
            sim = m @ m.T
            n = len(m)
            vals.append(1.0 - (sim.sum() - np.trace(sim)) / (n * (n - 1)))
    return float(np.mean(vals)) if vals else 0.0


def run_eval(fmt: str, path: Path, workdir: Path, users: int | None = 300, seed: int = 0, n_cand: int = 20,
             with_llm: bool = True, prompts: list[str] | None = None,
             progress: Callable[[int, int], None] | None = None,
             extra: Callable[..., tuple[dict, dict]] | None = None) -> tuple[dict, list[UserRow], dict]:
    """`extra(rec, rows, backend)` adds rankings from a layer above (the adapted
    reranker, trained by `service.train`) and a dict of facts about them."""
    from service.llm import make_backend
    from service.pipeline import Recommender

    prep = prepare(fmt, path, workdir, None, seed)
    held = sample(prep.held, users, seed)
    settings = prep.settings.model_copy(update={"calllog_enabled": False})
    backend = make_backend(settings) if with_llm else None
    rec = Recommender(settings, backend=backend)
    rec.build_index()
    prompts = prompts or [settings.llm.rank_prompt]
    cfg = settings.llm
    rerankers = {p: LetterLogitReranker(backend, load_prompt(p), history_items=cfg.history_items,
                                        text_chars=cfg.text_chars) for p in prompts} if backend else {}
    rows = score_users(rec, held, n_cand, rerankers, progress=(lambda n: progress(n, len(held))) if progress else None)
    rankings = {name: [r.lists[name] for r in rows] for name in ("popularity", "cf", "semantic", "fused")}
    rankings.update(rank_candidates(rows, prompts if backend else []))
    adapted_info = None
    if extra is not None:
        ranked, adapted_info = extra(rec, rows, backend)
        rankings.update(ranked)
    result = summarize(rows, rankings, n_cand, rec.vectors, prep.n_items)
    latency = {}
    for key in sorted({k for r in rows for k in r.ms}):
        vals = sorted(r.ms[key] for r in rows if key in r.ms)
        latency[key] = {"p50": statistics.median(vals), "p95": percentile(vals, 0.95, "lower")}
    config = {"format": fmt, "path": str(path), "users": len(rows), "seed": seed, "candidates": n_cand,
              "model": backend.model_id if backend else None, "prompts": [load_prompt(p).ref for p in prompts],
              "users_with_target_in_candidates": sum(r.target_idx >= 0 for r in rows)}
    if adapted_info:
        config["adapted"] = adapted_info
    return {"rankers": result, "latency_ms": latency, "config": config}, rows, rankings
