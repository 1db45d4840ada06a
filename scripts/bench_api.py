"""HTTP API benchmark: throughput and latency at several concurrencies, with and
without LLM reranking. The server runs in its own process (`python -m service serve`)
on loopback; this process only sends requests.

    python scripts/bench_api.py --json results/bench_api.json
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path

import httpx
from rich.console import Console
from rich.table import Table

from service.eval.latency import percentile
from service.local_server import free_port
from service.store import SqliteStore

ROOT = Path(__file__).resolve().parent.parent
console = Console(width=150)


def run_level(url: str, users: list[str], concurrency: int, n: int, use_llm: bool) -> dict:
    rng = random.Random(concurrency)
    bodies = [{"user_id": rng.choice(users), "k": 10, "use_llm": use_llm} for _ in range(n)]
    client = httpx.Client(timeout=120)

    def one(body):
        t = time.perf_counter()
        r = client.post(url + "/v1/recommendations", json=body)
        return (time.perf_counter() - t) * 1000, r.status_code, r.json().get("reranked") if r.status_code == 200 else None

    t0 = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        results = list(pool.map(one, bodies))
    wall = time.perf_counter() - t0
    lat = sorted(r[0] for r in results)
    return {"concurrency": concurrency, "requests": n, "rps": n / wall,
            "p50_ms": statistics.median(lat), "p95_ms": percentile(lat, 0.95, "lower"),
            "ok": sum(r[1] == 200 for r in results), "503": sum(r[1] == 503 for r in results),
            "reranked": sum(bool(r[2]) for r in results)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--format", default="movielens-csv")
    ap.add_argument("--path", default=str(ROOT / "data/demo/ml-latest-small"))
    ap.add_argument("--requests", type=int, default=200, help="per level without the LLM")
    ap.add_argument("--llm-requests", type=int, default=32, help="per level with the LLM")
    ap.add_argument("--json", type=Path, default=None)
    args = ap.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "RECS_DATA_DIR": tmp, "RECS_LLM__MAX_QUEUE": "64",
               "RECS_LLM__QUEUE_TIMEOUT_MS": "120000", "RECS_LLM__BUDGET_MS": "120000"}
        subprocess.run([sys.executable, "-m", "service", "import", "--format", args.format, "--path", args.path],
                       env=env, check=True, capture_output=True, cwd=ROOT)
        port = free_port()
        server = subprocess.Popen([sys.executable, "-m", "service", "serve", "--port", str(port)],
                                  env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        url = f"http://127.0.0.1:{port}"
        try:
            for _ in range(600):
                try:
                    if httpx.get(url + "/health/ready", timeout=2).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                time.sleep(0.5)
            store = SqliteStore(Path(tmp) / "recs.sqlite3")
            users = sorted({u for u, *_ in store.iter_events()})
            rows = []
            for use_llm in (False, True):
                for c in (1, 4, 16):
                    n = args.llm_requests if use_llm else args.requests
                    run_level(url, users, c, min(n, 8), use_llm)  # warm-up
                    rows.append({"llm": use_llm, **run_level(url, users, c, n, use_llm)})
                    console.print(rows[-1])
        finally:
            server.terminate()
            server.wait(timeout=30)

    table = Table(title="POST /v1/recommendations (k=10) on loopback, server in its own process")
    for col in ("llm", "concurrency", "requests", "req/s", "p50 ms", "p95 ms", "200", "503", "reranked"):
        table.add_column(col, justify="right")
    for r in rows:
        table.add_row(str(r["llm"]), str(r["concurrency"]), str(r["requests"]), f"{r['rps']:.1f}",
                      f"{r['p50_ms']:.0f}", f"{r['p95_ms']:.0f}", str(r["ok"]), str(r["503"]), str(r["reranked"]))
    console.print(table)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({"levels": rows, "dataset": args.path, "date": date.today().isoformat()}, indent=2))


if __name__ == "__main__":
    main()
