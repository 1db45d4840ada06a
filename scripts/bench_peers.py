"""The project's rankers beside standard peers, on one split.

    pip install -e ".[peers]"      # implicit, RecBole and a CPU torch: only for this script
    python scripts/bench_peers.py --format movielens-csv --path ../shared/datasets/ml-latest-small \
        --replay results/replay_ml.json --json results/peers_ml.json

The split is the eval's (`service.eval.harness.load_split`: each user's latest event
held out, by time) and so is the user sample (`--users`, `--seed`; `--users 0` for all).
Every peer trains on exactly the events the project's eval store holds and ranks the full
catalog with the user's seen items excluded: popularity, `implicit`'s item-kNN, ALS and
BPR, and RecBole's SASRec. The project's rows come from its own offline eval on the same
users (`run_eval`, no LLM unless `--llm`, with the adapted reranker trained as the
background trainer would); `--replay` adds what the API served in `bench_replay.py` on
the same sample. Prints one table and writes JSON.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from datetime import date
from pathlib import Path

from service.eval import peers, ranking_metrics
from service.eval.harness import load_split
from service.eval.split import sample

PROJECT_ROWS = ("popularity", "cf", "fused", "identity", "adapted_no_llm", "adapted")


def score(lists: dict[str, list[str]], held) -> dict[str, float]:
    nd = [ranking_metrics.ndcg(lists.get(h.user_id, []), h.target, 10) for h in held]
    hr = [ranking_metrics.hit_rate(lists.get(h.user_id, []), h.target, 10) for h in held]
    return {"ndcg@10": statistics.mean(nd), "recall@10": statistics.mean(hr)}


def project_rows(args, held) -> dict[str, dict]:
    from service.eval.runner import run_eval
    from service.train.evaluate import adapted_extra

    with tempfile.TemporaryDirectory() as tmp:
        result, rows, _ = run_eval(args.format, args.path, Path(tmp), args.users or None, args.seed, 20,
                                   args.llm, extra=adapted_extra(args.minutes, None, args.seed))
    ours = {(r.user, r.target) for r in rows}
    if ours != {(h.user_id, h.target) for h in held}:
        raise SystemExit("the eval's users differ from this script's split: the comparison would be unfair")
    out = {}
    for name in PROJECT_ROWS:
        if name in result["rankers"]:
            m = result["rankers"][name]
            out[f"project: {name}"] = {"ndcg@10": m["ndcg@10"], "recall@10": m["recall@10"]}
    out["_latency_ms"] = result["latency_ms"]
    out["_adapted"] = {k: v for k, v in result["config"].get("adapted", {}).items()
                       if k in ("chosen", "reason", "train_seconds", "fusion")}
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--format", required=True)
    ap.add_argument("--path", required=True, type=Path)
    ap.add_argument("--users", type=int, default=300, help="held-out users scored (0: all)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--peers", default="popularity,item-knn,als,bpr,sasrec")
    ap.add_argument("--sasrec-epochs", type=int, default=200)
    ap.add_argument("--sasrec-stopping-step", type=int, default=10)
    ap.add_argument("--sasrec-minutes", type=float, default=60.0, help="SASRec's training budget")
    ap.add_argument("--sasrec-batch", type=int, default=2048,
                    help="RecBole's train_batch_size (its default 2048 makes ~50 updates per epoch on 100k events)")
    ap.add_argument("--no-project", action="store_true", help="peers only")
    ap.add_argument("--llm", action="store_true", help="the project's eval with the LLM (slow)")
    ap.add_argument("--minutes", type=float, default=30.0, help="the adapted reranker's training budget")
    ap.add_argument("--replay", type=Path, help="a bench_replay.py JSON on the same split: the API's row")
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()

    items, kept, held_all = load_split(args.format, args.path)
    held = sample(held_all, args.users or None, args.seed)
    data = peers.Interactions.from_rows(kept)
    users = [h.user_id for h in held]
    print(f"{args.path.name}: {len(items)} items, {len(kept)} kept events, {len(data.users)} users; "
          f"scoring {len(held)} held-out users", flush=True)
    rows: dict[str, dict] = {}
    seconds: dict[str, float] = {}
    extra: dict = {}
    for name in [p.strip() for p in args.peers.split(",") if p.strip()]:
        t = time.perf_counter()
        if name == "popularity":
            lists = peers.popularity(data, users, 10)
        elif name == "sasrec":
            run = peers.sasrec_rank(data, users, 10, args.seed, args.sasrec_epochs,
                                     args.sasrec_stopping_step, minutes=args.sasrec_minutes,
                                     batch=args.sasrec_batch)
            lists = run.lists
            extra["sasrec"] = {"epochs": run.epochs, "train_seconds": round(run.seconds, 1),
                               "best_valid_ndcg@10": run.best_valid}
        else:
            lists = peers.implicit_rank(name, data, users, 10, args.seed)
        seconds[name] = round(time.perf_counter() - t, 1)
        rows[f"peer: {name}"] = score(lists, held)
        print(f"  {name}: NDCG@10 {rows[f'peer: {name}']['ndcg@10']:.4f} ({seconds[name]} s)", flush=True)
    if not args.no_project:
        proj = project_rows(args, held)
        extra["project_latency_ms"] = proj.pop("_latency_ms")
        extra["adapted"] = proj.pop("_adapted")
        rows.update(proj)
    if args.replay:
        rep = json.loads(args.replay.read_text())
        if rep.get("users") != len(held):
            print(f"note: the replay scored {rep.get('users')} users, this run {len(held)}")
        last = rep["curve"][-1]
        rows[f"API (replay, {last['ranker'].split('-')[0]})"] = {"ndcg@10": last["ndcg@10"],
                                                               "recall@10": last["recall@10"]}

    ref = rows.get("peer: sasrec", {}).get("ndcg@10")
    print(f"\n{'ranker':<34} {'NDCG@10':>8} {'Recall@10':>10} {'x SASRec':>9}")
    for name, m in rows.items():
        ratio = f"{m['ndcg@10'] / ref:.2f}" if ref else "-"
        print(f"{name:<34} {m['ndcg@10']:>8.4f} {m['recall@10']:>10.3f} {ratio:>9}")
    out = {"dataset": str(args.path), "format": args.format, "users": len(held), "seed": args.seed,
           "items": len(items), "kept_events": len(kept), "date": date.today().isoformat(),
           "rows": rows, "peer_seconds": seconds, **extra}
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(out, indent=2))
        print(f"wrote {args.json}")


if __name__ == "__main__":
    main()
