"""LLM reranking benchmark: quality, position bias and latency on held-out next items.

    python scripts/bench_rerank.py --format movielens-csv \
        --path ../shared/datasets/ml-latest-small --users 300 --json results/rerank_ml.json

For each sampled user (leave-last-out by time), 20 candidates come from the fused
generator. Every ranker is scored on all users (a held-out item outside the candidates
scores 0) and on the users whose held-out item is among the candidates. Blends are
cross-fitted: users are split in two halves, each half is ranked by a blend fitted on the
other, so no user is ranked by weights fitted on their own answer. `blend-no-llm` is the
same blend trained without the LLM feature: the ablation every LLM claim is measured
against.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import statistics
import tempfile
import time
from datetime import date
from pathlib import Path

import numpy as np
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from service.eval import ranking_metrics
from service.eval.harness import prepare
from service.eval.latency import percentile
from service.pipeline import Recommender
from service.rerank.blend import choose_blend, features, position_calibration
from service.rerank.listwise import LetterLogitReranker
from service.types import CandidateRequest

console = Console(width=150)

RANKGPT = (
    "Rank the options by how likely this person is to choose each next, most likely first. "
    "Answer only with the letters in order, like: C > A > B"
)


def generative_rank(rr: LetterLogitReranker, history, shown) -> tuple[list[int], str]:
    """RankGPT-style peer baseline: the model writes a permutation; parsed tolerantly
    (letters in order of first mention; the unmentioned keep their order at the end)."""
    be = rr.backend
    hist = "\n".join(f"- {rr_describe(rr, it)}" for it in history[-rr.history_items:])
    cands = "\n".join(f"{lab}. {rr_describe(rr, it)}" for lab, it in zip(rr.labels, shown))
    msgs = [{"role": "system", "content": rr.prompt.system or ""},
            {"role": "user", "content": f"Recently enjoyed, oldest first:\n{hist}\n\nOptions:\n{cands}\n\n{RANKGPT}"}]
    text = "".join(be.generate(be.render_chat(msgs), max_tokens=3 * len(shown) + 4, stop=["\n\n"]))
    labels = rr.labels[: len(shown)]
    order: list[int] = []
    for tok in re.findall(r"\b([A-Z])\b", text):
        if tok in labels and labels.index(tok) not in order:
            order.append(labels.index(tok))
    order += [i for i in range(len(shown)) if i not in order]
    return order, text


def rr_describe(rr, it):
    from service.rerank.listwise import describe

    return describe(it, rr.text_chars, rr.attributes)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--format", default="movielens-csv")
    ap.add_argument("--path", default="data/demo/ml-latest-small")
    ap.add_argument("--users", type=int, default=300)
    ap.add_argument("--candidates", type=int, default=20)
    ap.add_argument("--bias-users", type=int, default=40, help="users for the position-bias probe")
    ap.add_argument("--gen-users", type=int, default=60, help="users for the generative baseline")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--json", type=Path, default=None)
    ap.add_argument("--cache", type=Path, default=None,
                    help="save per-user LLM scores here, or reuse them if the file exists (skips the probes)")
    args = ap.parse_args()
    C = args.candidates

    with tempfile.TemporaryDirectory() as tmp:
        prep = prepare(args.format, Path(args.path), Path(tmp), None, args.seed)
        rec = Recommender.open(prep.settings, with_llm=True)
        rec.build_index()
        rr: LetterLogitReranker = rec.rankers.scorer()
        cfg = prep.settings.llm
        held = random.Random(args.seed).sample(prep.held, min(args.users, len(prep.held)))
        rows = []  # one per user
        cached = json.loads(args.cache.read_text()) if args.cache and args.cache.exists() else None
        if cached:
            from service.types import Candidate

            for r in cached:
                r.update(cand=[Candidate(**c) for c in r["cand"]], lp_fwd=np.array(r["lp_fwd"]),
                         lp_rev=np.array(r["lp_rev"]), history=[], shown=[])
            rows = cached
            args.bias_users = args.gen_users = 0
            held = []
        with Progress(console=console, transient=True) as bar:
            task = bar.add_task("scoring users", total=len(held))
            for h in held:
                cand = rec.candidates(CandidateRequest(user_id=h.user_id), C).candidates
                ids = [c.item_id for c in cand]
                items = rec.store.get_items(ids + h.history[-cfg.history_items:])
                history = [items[i] for i in h.history[-cfg.history_items:] if i in items]
                shown = [items[i] for i in ids]
                t = time.perf_counter()
                lp_fwd = rr.position_logprobs(history, shown)
                t_fwd = (time.perf_counter() - t) * 1000
                rev = list(reversed(range(len(shown))))
                t = time.perf_counter()
                lp_rev = rr.position_logprobs(history, [shown[i] for i in rev])
                t_rev = (time.perf_counter() - t) * 1000
                rows.append(dict(user=h.user_id, target=h.target, cand=cand, ids=ids,
                                 target_idx=ids.index(h.target) if h.target in ids else -1,
                                 lp_fwd=lp_fwd, lp_rev=lp_rev, t_fwd=t_fwd, t_rev=t_rev,
                                 history=history, shown=shown,
                                 pop=rec.popularity(ids)))
                bar.advance(task)
        if args.cache and not cached:
            args.cache.parent.mkdir(parents=True, exist_ok=True)
            args.cache.write_text(json.dumps([
                {**{k: v for k, v in r.items() if k not in ("history", "shown", "cand", "lp_fwd", "lp_rev")},
                 "cand": [c.model_dump() for c in r["cand"]], "lp_fwd": r["lp_fwd"].tolist(),
                 "lp_rev": r["lp_rev"].tolist()} for r in rows]))

        n_in = sum(r["target_idx"] >= 0 for r in rows)
        # Calibration (position prior), cross-fitted like the blend.
        half = [i % 2 for i in range(len(rows))]

        calibs = {fold: position_calibration([r["lp_fwd"] for r, f in zip(rows, half) if f != fold], C)
                  for fold in (0, 1)}
        for r, f in zip(rows, half):
            n = len(r["ids"])
            cal = calibs[f][:n]
            r["llm_raw"] = r["lp_fwd"]
            r["llm_cal"] = r["lp_fwd"] - cal
            back = np.empty(n)
            back[np.array(list(reversed(range(n))))] = r["lp_rev"] - cal
            r["llm_2"] = (r["llm_cal"] + back) / 2

        def order_by(scores):
            return sorted(range(len(scores)), key=lambda i: (-scores[i], i))

        def feats(r, key):
            return features(r["cand"], r["pop"], {i: s for i, s in zip(r["ids"], r[key])})

        rankings: dict[str, list[list[str]]] = {k: [] for k in
            ["identity", "llm (raw)", "llm (calibrated)", "llm (2 orders)", "blend-no-llm", "blend", "blend (2 orders)"]}
        blends = {}
        for fold in (0, 1):
            train = [r for r, f in zip(rows, half) if f != fold]
            g1 = [(feats(r, "llm_cal"), r["target_idx"]) for r in train]
            g2 = [(feats(r, "llm_2"), r["target_idx"]) for r in train]
            blends[fold] = {"blend": choose_blend(g1, True), "blend-no-llm": choose_blend(g1, False),
                            "blend (2 orders)": choose_blend(g2, True)}
        for r, f in zip(rows, half):
            ids = r["ids"]
            rankings["identity"].append(ids)
            for name, key in [("llm (raw)", "llm_raw"), ("llm (calibrated)", "llm_cal"), ("llm (2 orders)", "llm_2")]:
                rankings[name].append([ids[i] for i in order_by(r[key])])
            for name, key in [("blend", "llm_cal"), ("blend-no-llm", "llm_cal"), ("blend (2 orders)", "llm_2")]:
                s = blends[f][name].scores(feats(r, key))
                rankings[name].append([ids[i] for i in order_by(s)])

        # Position bias: move the held-out item to each probe position.
        probe = [r for r in rows if r["target_idx"] >= 0 and len(r["ids"]) == C][: args.bias_users]
        positions = [0, C // 4, C // 2, 3 * C // 4, C - 1]
        bias = {"raw": {p: [] for p in positions}, "calibrated": {p: [] for p in positions}}
        with Progress(console=console, transient=True) as bar:
            task = bar.add_task("position-bias probe", total=len(probe) * len(positions))
            for r in probe:
                for p in positions:
                    order = list(range(C))
                    t = r["target_idx"]
                    order[t], order[p] = order[p], order[t]
                    lp = rr.position_logprobs(r["history"], [r["shown"][i] for i in order])
                    for kind, adj in (("raw", lp), ("calibrated", lp - calibs[0])):
                        rank = sorted(range(C), key=lambda i: (-adj[i], i)).index(p)
                        bias[kind][p].append(1 / np.log2(rank + 2) if rank < 10 else 0.0)
                    bar.advance(task)

        # Generative (RankGPT-style) peer baseline on a subset.
        gen_rows = rows[: args.gen_users]
        gen_rank, gen_lat, gen_samples = [], [], []
        with Progress(console=console, transient=True) as bar:
            task = bar.add_task("generative baseline", total=len(gen_rows))
            for r in gen_rows:
                t = time.perf_counter()
                order, text = generative_rank(rr, r["history"], r["shown"])
                gen_lat.append((time.perf_counter() - t) * 1000)
                gen_rank.append([r["ids"][i] for i in order])
                if len(gen_samples) < 3:
                    gen_samples.append(text)
                bar.advance(task)

    def score(name, ranked_lists, subset_rows):
        allu = [ranking_metrics.ndcg(rk, r["target"], 10) for rk, r in zip(ranked_lists, subset_rows)]
        rec10 = [ranking_metrics.recall(rk, r["target"], 10) for rk, r in zip(ranked_lists, subset_rows)]
        inc = [x for x, r in zip(allu, subset_rows) if r["target_idx"] >= 0]
        inc_r = [x for x, r in zip(rec10, subset_rows) if r["target_idx"] >= 0]
        return {"ndcg@10": float(np.mean(allu)), "recall@10": float(np.mean(rec10)),
                "ndcg@10_in_candidates": float(np.mean(inc)) if inc else 0.0,
                "recall@10_in_candidates": float(np.mean(inc_r)) if inc_r else 0.0, "users": len(subset_rows)}

    lat_fwd = [r["t_fwd"] for r in rows]
    lat_two = [r["t_fwd"] + r["t_rev"] for r in rows]
    p = lambda xs: {"p50": statistics.median(xs), "p95": percentile(xs, 0.95, "lower")}  # noqa: E731
    latency = {"identity": {"p50": 0.0, "p95": 0.0}, "llm (raw)": p(lat_fwd), "llm (calibrated)": p(lat_fwd),
               "llm (2 orders)": p(lat_two), "blend-no-llm": {"p50": 0.0, "p95": 0.0}, "blend": p(lat_fwd),
               "blend (2 orders)": p(lat_two)}
    out = {name: {**score(name, lists, rows), "latency_ms": latency[name]} for name, lists in rankings.items()}
    out["generative (RankGPT-style)"] = {**score("gen", gen_rank, gen_rows), "latency_ms": p(gen_lat) if gen_lat else {}}
    out["identity on generative subset"] = {**score("id", [r["ids"] for r in gen_rows], gen_rows), "latency_ms": {}}

    table = Table(title=f"rerank on {Path(args.path).name}: {len(rows)} users, {C} candidates, "
                        f"held-out item in candidates for {n_in}")
    for col in ("ranker", "NDCG@10", "Recall@10", "NDCG@10 (in cand.)", "Recall@10 (in cand.)", "users", "p50 ms", "p95 ms"):
        table.add_column(col, justify="right")
    for name, m in out.items():
        lat = m["latency_ms"]
        table.add_row(name, f"{m['ndcg@10']:.4f}", f"{m['recall@10']:.3f}", f"{m['ndcg@10_in_candidates']:.4f}",
                      f"{m['recall@10_in_candidates']:.3f}", str(m["users"]),
                      f"{lat.get('p50', 0):.0f}", f"{lat.get('p95', 0):.0f}")
    console.print(table)
    bt = Table(title=f"position bias: NDCG@10 of the held-out item placed at each position ({len(probe)} users)")
    bt.add_column("scores")
    for q in positions:
        bt.add_column(f"pos {q + 1}", justify="right")
    for kind in ("raw", "calibrated"):
        bt.add_row(kind, *[f"{np.mean(bias[kind][q]):.3f}" if bias[kind][q] else "-" for q in positions])
    console.print(bt)
    for fold in (0, 1):
        b = blends[fold]["blend"]
        console.print(f"fold {fold} blend weights: " + ", ".join(f"{n}={w:.3f}" for n, w in zip(b.feature_names, b.weights))
                      + f" ({b.meta.get('kind')}{': ' + b.meta['reason'] if 'reason' in b.meta else ''})")
    gen_p50 = out["generative (RankGPT-style)"]["latency_ms"].get("p50", float("nan"))
    speedup = gen_p50 / max(out["llm (calibrated)"]["latency_ms"]["p50"], 1e-9)
    console.print(f"scoring vs generating: {speedup:.1f}x faster (p50); generative samples: {gen_samples[:2]!r}")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({
            "dataset": str(args.path), "candidates": C, "users": len(rows), "in_candidates": n_in,
            "rankers": out, "position_bias": {k: {str(q + 1): float(np.mean(v[q])) if v[q] else None for q in positions} for k, v in bias.items()},
            "calibration": [float(x) for x in (calibs[0] + calibs[1]) / 2],
            "blend_weights": {str(f): dict(zip(blends[f]["blend"].feature_names, blends[f]["blend"].weights)) for f in (0, 1)},
            "scoring_vs_generating_speedup": speedup, "model": rec.model_id,
            "prompt": rec.prompt.ref, "date": date.today().isoformat(),
        }, indent=2))


if __name__ == "__main__":
    main()
