"""Replay a dataset through the public API, as a new user would, and measure what the
API serves while the background trainer learns.

    python scripts/bench_replay.py --format movielens-csv --path ../shared/datasets/ml-latest-small \
        --users 300 --json results/replay_ml.json

1. starts `python -m service serve` on a fresh data dir (the background trainer on);
2. posts the items, then every event in time order in 1,000-event batches, holding back
   each user's latest event (the same leave-last-out split and user sample as `eval`);
3. scores NDCG@10 / Recall@10 of the held-back item through `POST /v1/recommendations`
   (the service's defaults) right after the load and then every `--interval` seconds,
   until the trainer has served an artifact (and one more point after it), and prints
   the curve: time since the end of ingest -> NDCG@10, the ranker that answered, latency.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from datetime import date
from pathlib import Path

import httpx

from service.eval import ranking_metrics
from service.eval.harness import load_split
from service.eval.latency import percentile
from service.eval.split import sample
from service.local_server import free_port


def load(fmt: str, path: Path):
    items, kept, held = load_split(fmt, path)
    kept.sort(key=lambda r: r[4])  # a live stream arrives in time order
    return list(items.values()), kept, held


def score(http: httpx.Client, held, k: int = 10, fresh: bool = False) -> dict:
    """`fresh`: a new connection per request, so that every API process answers its share."""
    ndcg, rec10, lat, rankers, errors = [], [], [], Counter(), 0
    headers = {"connection": "close"} if fresh else {}
    for h in held:
        t = time.perf_counter()
        # a preview: the curve asks the same people again, and an answer recorded as shown
        # would cool its items down for the next point
        r = http.post("/v1/recommendations", json={"user_id": h.user_id, "k": k, "record_exposure": False},
                      headers=headers)
        lat.append((time.perf_counter() - t) * 1000)
        if r.status_code >= 500:
            errors += 1
            ndcg.append(0.0)
            rec10.append(0.0)
            continue
        body = r.json()
        ids = [i["item_id"] for i in body["items"]]
        ndcg.append(ranking_metrics.ndcg(ids, h.target, 10))
        rec10.append(ranking_metrics.recall(ids, h.target, 10))
        rankers[(body.get("reranker_version") or "?").split(" (")[0]] += 1
    return {"ndcg@10": statistics.mean(ndcg), "recall@10": statistics.mean(rec10),
            "p50_ms": statistics.median(lat), "p95_ms": percentile(lat, 0.95), "5xx": errors,
            "ranker": rankers.most_common(1)[0][0] if rankers else "?"}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--format", required=True)
    ap.add_argument("--path", required=True, type=Path)
    ap.add_argument("--users", type=int, default=300, help="held-out users scored (the eval's sample)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--interval", type=float, default=60.0, help="seconds between curve points")
    ap.add_argument("--max-minutes", type=float, default=40.0)
    ap.add_argument("--batch", type=int, default=1000)
    ap.add_argument("--llm", choices=["none", "llama-cpp"], default="llama-cpp",
                    help="the server's LLM backend (the default service has one)")
    ap.add_argument("--workers", type=int, default=1, help="API processes (`serve --workers N`); more than one "
                    "needs --store-url and --chroma-url, as the deployment does")
    ap.add_argument("--store-url", help="RECS_STORE_URL (PostgreSQL) for the server")
    ap.add_argument("--chroma-url", help="RECS_CHROMA_URL (a `chroma run` server) for the server")
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()

    items, kept, held_all = load(args.format, args.path)
    held = sample(held_all, args.users, args.seed)
    tmp = Path(tempfile.mkdtemp(prefix="replay-"))
    port = free_port()
    env = {**os.environ, "RECS_DATA_DIR": str(tmp / "data"), "RECS_TRAINER__ENABLED": "true",
           "RECS_LLM__BACKEND": args.llm}
    if args.store_url:
        env["RECS_STORE_URL"] = args.store_url
    if args.chroma_url:
        env.update(RECS_CHROMA_URL=args.chroma_url, RECS_SHARED_DIR=str(tmp / "shared"))
    log = open(tmp / "server.log", "w")
    server = subprocess.Popen([sys.executable, "-m", "service", "serve", "--port", str(port),
                               "--workers", str(args.workers)],
                              env=env, stdout=log, stderr=subprocess.STDOUT, cwd=Path(__file__).resolve().parent.parent)
    base = f"http://127.0.0.1:{port}"
    out: dict = {"dataset": str(args.path), "format": args.format, "users": len(held), "items": len(items),
                 "workers": args.workers, "store": "postgresql" if args.store_url else "sqlite",
                 "chroma": "server" if args.chroma_url else "embedded",
                 "events": len(kept), "date": date.today().isoformat(), "llm": args.llm, "curve": []}
    try:
        http = httpx.Client(base_url=base, timeout=120)
        for _ in range(600):
            try:
                if http.get("/health/ready").status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.5)
        t0 = time.perf_counter()
        for start in range(0, len(items), 1000):
            r = http.post("/v1/items", json={"items": [it.model_dump() for it in items[start:start + 1000]]})
            r.raise_for_status()
        out["items_seconds"] = round(time.perf_counter() - t0, 1)
        t0 = time.perf_counter()
        for start in range(0, len(kept), args.batch):
            batch = [{"user_id": u, "item_id": i, "type": t, "value": v, "timestamp": ts}
                     for u, i, t, v, ts in kept[start:start + args.batch]]
            r = http.post("/v1/events", json={"events": batch})
            r.raise_for_status()
        ingest_s = time.perf_counter() - t0
        out["ingest"] = {"events_per_s": round(len(kept) / ingest_s), "seconds": round(ingest_s, 1)}
        print(f"ingest: {len(items)} items in {out['items_seconds']} s; {len(kept)} events in {ingest_s:.1f} s "
              f"({len(kept) / ingest_s:.0f} events/s)", flush=True)
        end_ingest = time.perf_counter()
        convergence: dict = {}

        def watch_index() -> None:  # when does the CF index include the last acknowledged event?
            with httpx.Client(base_url=base, timeout=30) as h:
                while time.perf_counter() - end_ingest < 300:
                    idx = h.get("/health/ready").json().get("index") or {}
                    convergence.setdefault("rebuilds_by_end_of_ingest", idx.get("rebuilds"))
                    if idx.get("pending_events") == 0:
                        convergence["index_current_after_s"] = round(time.perf_counter() - end_ingest, 2)
                        convergence["rebuilds_until_current"] = idx.get("rebuilds")
                        return
                    time.sleep(0.25)

        watcher = threading.Thread(target=watch_index, daemon=True)
        watcher.start()
        served_at, deadline = None, end_ingest + args.max_minutes * 60
        while time.perf_counter() < deadline:
            t_point = time.perf_counter() - end_ingest
            health = http.get("/health/ready").json()
            trainer = health.get("trainer") or {}
            point = {"t_s": round(t_point), "trainer": trainer.get("state"),
                     "index_pending_events": (health.get("index") or {}).get("pending_events"),
                     **score(http, held, fresh=args.workers > 1)}
            out["curve"].append(point)
            print(f"t={point['t_s']:>5}s  index lag={point['index_pending_events']:>6} events  "
                  f"trainer={str(point['trainer']):<28} ranker={point['ranker'][:60]:<60} "
                  f"NDCG@10={point['ndcg@10']:.4f} R@10={point['recall@10']:.3f} "
                  f"p50={point['p50_ms']:.0f}ms p95={point['p95_ms']:.0f}ms 5xx={point['5xx']}", flush=True)
            if point["ranker"].startswith("adapted"):
                if served_at is None:
                    served_at = t_point
                    out["trainer_last_run"] = trainer.get("last_run")
                elif len([p for p in out["curve"] if p["ranker"].startswith("adapted")]) >= 2:
                    break
            time.sleep(max(0.0, args.interval - (time.perf_counter() - end_ingest - t_point)))
        out["served_after_s"] = served_at
        watcher.join(timeout=1)
        out["index"] = convergence
        # the idle reference: the same server and state with the trainer paused (SIGSTOP)
        pid = (http.get("/health/ready").json().get("trainer") or {}).get("pid")
        if pid:
            os.kill(pid, signal.SIGSTOP)
            try:
                time.sleep(2)
                out["idle_reference"] = score(http, held)
            finally:
                os.kill(pid, signal.SIGCONT)
            working = [p for p in out["curve"] if p["trainer"] not in ("idle", "waiting", None)]
            if working:
                out["p95_trainer_working_ms"] = statistics.median(p["p95_ms"] for p in working)
                out["p95_idle_ms"] = out["idle_reference"]["p95_ms"]
                out["p95_working_over_idle"] = round(out["p95_trainer_working_ms"] / out["p95_idle_ms"], 2)
            print(f"idle reference (trainer paused): p50={out['idle_reference']['p50_ms']:.0f}ms "
                  f"p95={out['idle_reference']['p95_ms']:.0f}ms", flush=True)
        out["5xx_total"] = sum(p["5xx"] for p in out["curve"])
    finally:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()
    print(json.dumps({k: v for k, v in out.items() if k != "curve"}, indent=1, default=str))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(out, indent=1, default=str))


if __name__ == "__main__":
    main()
