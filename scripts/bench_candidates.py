"""Candidate-stage benchmark: index build time, fused-candidate latency, peak memory, and
leave-last-out quality of each source and of the fusion.

    python scripts/bench_candidates.py --format movielens-csv \
        --path ../shared/datasets/ml-latest-small --users 200 --json results/bench_candidates.json
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import tempfile
import time
from datetime import date
from pathlib import Path

from rich.console import Console
from rich.progress import track
from rich.table import Table

from service.eval.harness import prepare, run_rankers
from service.eval.split import sample
from service.pipeline import Recommender
from service.types import CandidateRequest

console = Console(width=150)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--format", default="movielens-csv")
    ap.add_argument("--path", default="data/demo/ml-latest-small")
    ap.add_argument("--users", type=int, default=200)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--k", type=int, default=100)
    ap.add_argument("--json", type=Path, default=None)
    args = ap.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        prep = prepare(args.format, Path(args.path), Path(tmp), None, args.seed)
        t_import = time.perf_counter() - t0
        rec = Recommender(prep.settings)
        info = rec.build_index()
        held = sample(prep.held, args.users, args.seed)

        def ranker(source: str | None):
            def rank(h):
                req = CandidateRequest(user_id=h.user_id, k=args.k)
                if source is None:
                    return [c.item_id for c in rec.candidates(req, args.k).candidates]
                req = req.model_copy(update={"history": rec.history(h.user_id)})
                return [c.item_id for c in rec.sources[source].candidates(req, args.k)]
            return rank

        rankers = {"popularity": ranker("popularity"), "cf": ranker("cf"),
                   "semantic": ranker("semantic_profile"), "fused": ranker(None)}
        bar = track(range(len(held)), description="evaluating", console=console, transient=True)
        it = iter(bar)
        results = run_rankers(held, rankers, args.k, progress=lambda n: next(it, None))
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    hr = f"hr@{args.k}"
    table = Table(title=f"candidates on {Path(args.path).name}: {len(held)} users, "
                        f"{prep.n_items} items, {prep.n_events} training events")
    for col in ("source", hr, "recall@20", "ndcg@10", "p50 ms", "p95 ms"):
        table.add_column(col, justify="right")
    out = {}
    for name, r in results.items():
        lat = r.latency()
        out[name] = {hr: r.mean(hr), "recall@20": r.mean("recall@20"),
                     "ndcg@10": r.mean("ndcg@10"), "latency_ms": lat}
        table.add_row(name, f"{out[name][hr]:.3f}", f"{out[name]['recall@20']:.3f}",
                      f"{out[name]['ndcg@10']:.4f}", f"{lat['p50']:.1f}", f"{lat['p95']:.1f}")
    console.print(table)
    console.print(f"prepare {t_import:.1f}s; index build: CF {info['cf_seconds']}s, "
                  f"embed+Chroma {info['embed_seconds']}s; peak RSS {peak_mb:.0f} MB")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({
            "dataset": str(args.path), "users": len(held), "k": args.k, "rankers": out,
            "index": info, "peak_rss_mb": peak_mb,
            "machine": {"cpus": __import__("os").cpu_count(), "python": platform.python_version()},
            "date": date.today().isoformat(),
        }, indent=2))


if __name__ == "__main__":
    main()
