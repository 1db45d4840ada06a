"""Soak test: mixed traffic against a real server for N minutes, then the numbers.

    python scripts/soak.py --minutes 10 --json results/soak.json

A server (`python -m service serve`, the real model, the background trainer on) on a
fresh data dir with the shipped demo catalog. Threads send, each in a loop: event
batches, recommendations (half of them with LLM blurbs), chat streams read by a slow
client (one SSE event per 0.5 s), and item upserts. Then:
- requests/s, p50/p95 per endpoint, 5xx count, queue rejections (503 / overloaded);
- RSS of the server at the start of traffic and at the end (each the low point of a
  window of 30-s samples, since a rebuild briefly holds two indexes), and its peak;
- every acknowledged event is in the store (lost writes);
- ranking p95 with slow SSE readers connected vs without (two phases of the same load).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import threading
import time
from collections import defaultdict
from datetime import date
from pathlib import Path

import httpx

from service.eval.latency import percentile
from service.local_server import demo_server


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


class Recorder:
    def __init__(self) -> None:
        self.lat: dict[str, list[float]] = defaultdict(list)
        self.codes: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))
        self.acked: list[tuple[str, str, float]] = []
        self.lock = threading.Lock()

    def add(self, name: str, ms: float, code: int) -> None:
        with self.lock:
            self.lat[name].append(ms)
            self.codes[name][code] += 1


def timed(rec: Recorder, name: str, fn):
    t = time.perf_counter()
    try:
        r = fn()
        code = r.status_code
    except httpx.HTTPError:
        r, code = None, 599
    rec.add(name, (time.perf_counter() - t) * 1000, code)
    return r


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--minutes", type=float, default=10.0)
    ap.add_argument("--events-per-s", type=float, default=250.0,
                    help="event write rate during the soak (50-event batches); a low rate keeps the data size "
                         "about steady, for telling leaks from data growth")
    ap.add_argument("--phase-s", type=float, help="length of each of the two ranking phases "
                    "(default: 10%% of --minutes, at least 30 s)")
    ap.add_argument("--phases-only", action="store_true",
                    help="only the ranking phases (with and without slow readers), no mixed soak")
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()

    with demo_server("soak-", RECS_TRAINER__ENABLED="true") as (base, data, server):
        soak(args, base, data, server)


def soak(args, base: str, data: Path, server) -> None:
    from service.store import SqliteStore

    store = SqliteStore(data / "recs.sqlite3")
    users = sorted({u for u, *_ in store.iter_events()})[:300]
    items = store.item_ids()
    rec = Recorder()
    stop = threading.Event()
    out: dict = {"minutes": args.minutes, "date": date.today().isoformat(), "events_per_s": args.events_per_s}

    def ranking_loop(name: str, until: threading.Event, explain_share: float = 0.0, seed: int = 0):
        rng = random.Random(seed)
        with httpx.Client(base_url=base, timeout=120) as http:
            while not until.is_set():
                explain = rng.random() < explain_share
                timed(rec, name if not explain else "recommend+blurbs",
                      lambda: http.post("/v1/recommendations", json={"user_id": rng.choice(users), "k": 10,
                                                                     "explain": explain}))

    def events_loop():
        rng, n = random.Random(1), 0
        with httpx.Client(base_url=base, timeout=60) as http:
            while not stop.is_set():
                batch = [{"user_id": rng.choice(users + [f"soak{n}"]), "item_id": rng.choice(items),
                          "timestamp": 2e9 + n * 50 + j} for j in range(50)]
                n += 1
                r = timed(rec, "events", lambda: http.post("/v1/events", json={"events": batch}))
                if r is not None and r.status_code == 200:
                    with rec.lock:
                        rec.acked.extend((e["user_id"], e["item_id"], e["timestamp"]) for e in batch)
                time.sleep(50 / args.events_per_s)

    def items_loop():
        n = 0
        with httpx.Client(base_url=base, timeout=60) as http:
            while not stop.is_set():
                n += 1
                body = {"items": [{"item_id": f"soak-item-{n}", "title": f"Soak Film {n}",
                                   "text": "a film added during the soak", "attributes": {"genres": ["Drama"]}}]}
                timed(rec, "items", lambda: http.post("/v1/items", json=body))
                time.sleep(1.0)

    def slow_chat_loop(seed: int, until: threading.Event):
        rng = random.Random(seed)
        while not until.is_set():
            body = {"messages": [{"role": "user", "content": rng.choice(["space battles", "a funny film",
                                                                           "something like Toy Story"])}],
                    "user_id": rng.choice(users), "k": 5, "stream": True}
            t = time.perf_counter()
            code = 599
            try:
                with httpx.stream("POST", base + "/v1/chat", json=body, timeout=300) as s:
                    code = s.status_code
                    for line in s.iter_lines():
                        if line.startswith("event:"):
                            time.sleep(0.5)  # a slow reader
                        if until.is_set():
                            break
            except httpx.HTTPError:
                pass
            rec.add("chat stream (slow reader)", (time.perf_counter() - t) * 1000, code)

    # phase 1 / 2: ranking alone, then ranking with two slow SSE readers connected
    phase = args.phase_s or max(30.0, args.minutes * 60 * 0.1)
    p1 = threading.Event()
    t = threading.Thread(target=ranking_loop, args=("rank (no slow reader)", p1))
    t.start()
    time.sleep(phase)
    p1.set()
    t.join()
    p2 = threading.Event()
    readers = [threading.Thread(target=slow_chat_loop, args=(s, p2)) for s in (10, 11)]
    for r in readers:
        r.start()
    time.sleep(3)
    t = threading.Thread(target=ranking_loop, args=("rank (slow readers connected)", p2))
    t.start()
    time.sleep(phase)
    p2.set()
    t.join()
    for r in readers:
        r.join()

    # the soak: everything at once; RSS sampled every 30 s, its baseline after one minute of
    # the full mix (first LLM generations, first rebuilds and caches are warm-up, not growth)
    if args.phases_only:
        args.minutes = 0
    t0 = time.perf_counter()
    rss_samples: list[tuple[float, float]] = []

    def sample_rss():
        while not stop.is_set():
            rss_samples.append((round(time.perf_counter() - t0), rss_mb(server.pid)))
            stop.wait(30)

    sampler = threading.Thread(target=sample_rss, daemon=True)
    threads = [threading.Thread(target=events_loop), threading.Thread(target=items_loop),
               threading.Thread(target=ranking_loop, args=("recommend", stop, 0.2, 3)),
               threading.Thread(target=ranking_loop, args=("recommend", stop, 0.0, 4)),
               threading.Thread(target=slow_chat_loop, args=(12, stop))]
    for th in threads:
        th.start()
    sampler.start()
    time.sleep(args.minutes * 60)
    stop.set()
    for th in threads:
        th.join(timeout=300)
    elapsed = time.perf_counter() - t0
    rss_end = rss_mb(server.pid)
    # a rebuild holds two indexes for seconds, so single samples spike; what the process
    # keeps is the low point of a window: minutes 1-2.5 as the baseline, the last 1.5 as the end
    warm = [mb for t, mb in rss_samples if 60 <= t <= 150] or [mb for _, mb in rss_samples] or [rss_end]
    last = [mb for t, mb in rss_samples if t >= elapsed - 90] or [rss_end]
    rss_start, rss_settled = min(warm), min(last)
    metrics = httpx.get(base + "/metrics").text

    stored = {(u, i, ts) for u, i, _t, _v, ts in SqliteStore(data / "recs.sqlite3").iter_events()}
    lost = sum(1 for e in rec.acked if e not in stored)
    rows = {}
    for name, lat in rec.lat.items():
        codes = dict(rec.codes[name])
        rows[name] = {"n": len(lat), "p50_ms": round(statistics.median(lat), 1), "p95_ms": round(percentile(lat, 0.95), 1),
                      "5xx": sum(v for k, v in codes.items() if k >= 500 and k != 503), "503": codes.get(503, 0)}
    total = sum(len(v) for k, v in rec.lat.items() if not k.startswith("rank ("))
    out.update({
        "requests_per_s": round(total / elapsed, 1), "endpoints": rows,
        "5xx_total": sum(r["5xx"] for r in rows.values()),
        "acknowledged_events": len(rec.acked), "lost_acknowledged_events": lost,
        "rss_mb_start": round(rss_start), "rss_mb_end": round(rss_settled), "rss_mb_end_sample": round(rss_end),
        "rss_mb_peak": round(max([mb for _, mb in rss_samples] + [rss_end])), "rss_mb_samples": rss_samples,
        "llm_threads": os.environ.get("RECS_LLM__THREADS", "default"),
        "llm_nice": os.environ.get("RECS_LLM__NICE", "default"),
        "rss_growth": round(rss_settled / rss_start - 1, 3) if rss_start else None,
        "overloaded_fallbacks": sum(float(line.split()[-1]) for line in metrics.splitlines()
                                    if line.startswith("recs_rerank_fallbacks_total{") and "overloaded" in line),
    })
    a, b = rows.get("rank (no slow reader)"), rows.get("rank (slow readers connected)")
    if a and b:
        out["rank_p95_with_slow_readers_over_without"] = round(b["p95_ms"] / a["p95_ms"], 2)
    print(f"{'endpoint':<32} {'n':>6} {'p50 ms':>8} {'p95 ms':>8} {'5xx':>5} {'503':>5}")
    for name, r in rows.items():
        print(f"{name:<32} {r['n']:>6} {r['p50_ms']:>8} {r['p95_ms']:>8} {r['5xx']:>5} {r['503']:>5}")
    print(json.dumps({k: v for k, v in out.items() if k != "endpoints"}, indent=1))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
