"""Scale-out benchmark (issue 15): API processes over PostgreSQL, ingest into SQLite and
PostgreSQL, and how long a published index snapshot takes to be served.

Everything runs on loopback on this machine: a throwaway PostgreSQL cluster (Debian's
binaries), a `chroma run` server, `python -m service serve --workers N` and, for load,
`wrk` (Debian's package: C, so the load costs little CPU) posting no-LLM recommendation
requests for users drawn from the catalog.

    python -m scripts.bench_scale --json results/bench_scale.json

Run it as a module from the repository root: the PostgreSQL cluster is the test suite's
(`tests.pg`).
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
import threading
import time
from datetime import date
from pathlib import Path

import httpx
from rich.console import Console
from rich.table import Table

from service.local_server import free_port
from tests.integration.api_server import wait_for
from tests.pg import PgServer

ROOT = Path(__file__).resolve().parent.parent

console = Console(width=150)
DEMO = ROOT / "data/demo/ml-latest-small"

WRK_LUA = """
local users = {%s}
local i = 0
request = function()
  i = i + 1
  local body = '{"user_id": "' .. users[(i %% #users) + 1] .. '", "k": 10, "use_llm": false}'
  return wrk.format("POST", "/v1/recommendations", {["Content-Type"] = "application/json"}, body)
end
done = function(summary, latency, requests)
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.status
  io.write(string.format('JSON {"requests": %%d, "seconds": %%f, "errors": %%d, "p50_ms": %%f, "p95_ms": %%f}\\n',
    summary.requests, summary.duration / 1e6, errors, latency:percentile(50) / 1000, latency:percentile(95) / 1000))
end
"""


TICK = os.sysconf("SC_CLK_TCK")


def cpu_by_process() -> dict[str, float]:
    """CPU seconds so far of the API processes, Chroma and PostgreSQL (from /proc)."""
    out: dict[str, float] = {}
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            cmd = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        group = ("postgres" if cmd.startswith("postgres") or "/postgres " in cmd else
                 "chroma" if "chroma run" in cmd else
                 "api" if "service serve" in cmd or "multiprocessing" in cmd else None)
        if group:
            out[group] = out.get(group, 0.0) + (int(fields[11]) + int(fields[12])) / TICK
    return out


def wrk(url: str, script: Path, seconds: int, connections: int) -> dict:
    out = subprocess.run(["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--timeout", "30s", "-s", str(script),
                          url], capture_output=True, text=True, check=True).stdout
    row = json.loads(next(line for line in out.splitlines() if line.startswith("JSON "))[5:])
    row["rps"] = row["requests"] / row["seconds"]
    return row


class Server:
    def __init__(self, env: dict, workers: int, log: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        args = [sys.executable, "-m", "service", "serve", "--port", str(self.port)]
        if workers > 1 or env.get("RECS_ROLE") == "api":
            args += ["--workers", str(workers), "--no-indexer"]
        with open(log, "ab") as fh:
            self.proc = subprocess.Popen(args, env=env, cwd=ROOT, stdout=fh, stderr=subprocess.STDOUT)
        wait_for(self.url + "/health/ready", timeout=300)
        # every worker process loads at its own pace: ready means all of them answer
        deadline = time.time() + 300
        pids: set[int] = set()
        while len(pids) < workers and time.time() < deadline:
            with httpx.Client() as http:  # a new connection: the kernel hands it to any worker
                r = http.get(self.url + "/health/ready", timeout=10)
            if r.status_code == 200:
                pids.add(r.json()["index"]["pid"])
            time.sleep(0.05)

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def ingest_api(url: str, users: list[str], items: list[str], events: int, batch: int, writers: int) -> dict:
    rng = random.Random(7)
    batches = []
    for b in range(events // batch):
        batches.append([{"user_id": f"ing{rng.randrange(5000)}", "item_id": rng.choice(items),
                         "timestamp": 2e9 + b * batch + j} for j in range(batch)])
    lock, lat = threading.Lock(), []

    def write(part):
        with httpx.Client(timeout=120) as http:
            for body in part:
                t = time.perf_counter()
                r = http.post(url + "/v1/events", json={"events": body})
                r.raise_for_status()
                with lock:
                    lat.append((time.perf_counter() - t) * 1000)

    t0 = time.perf_counter()
    threads = [threading.Thread(target=write, args=(batches[w::writers],)) for w in range(writers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0
    return {"events": len(batches) * batch, "seconds": wall, "events_per_s": len(batches) * batch / wall,
            "batch_p50_ms": statistics.median(lat)}


def ingest_store(store, items: list[str], events: int, batch: int) -> dict:
    from service.types import Event

    rng = random.Random(3)
    t0 = time.perf_counter()
    for b in range(events // batch):
        store.add_events([Event(user_id=f"st{rng.randrange(5000)}", item_id=rng.choice(items), timestamp=3e9 + b * batch + j)
                          for j in range(batch)])
    wall = time.perf_counter() - t0
    return {"events": events, "seconds": wall, "events_per_s": events / wall}


def snapshot_delay(url: str, items: list[str], rounds: int) -> dict:
    """Write 1,000 events, then poll until the API serves a snapshot that holds them."""
    rows = []
    rng = random.Random(11)
    for r in range(rounds):
        before = httpx.get(url + "/health/ready").json()["index"]["version"]
        body = [{"user_id": f"snap{rng.randrange(3000)}", "item_id": rng.choice(items), "timestamp": 4e9 + r * 1000 + j}
                for j in range(1000)]
        t0 = time.time()
        httpx.post(url + "/v1/events", json={"events": body}, timeout=60).raise_for_status()
        while True:
            idx = httpx.get(url + "/health/ready").json()["index"]
            if idx["version"] > before and idx["pending_events"] <= 0:
                break
            time.sleep(0.05)
        rows.append({"ack_to_served_s": time.time() - t0, "pickup_delay_s": idx.get("pickup_delay_s"),
                     "version": idx["version"]})
        time.sleep(1.0)
    return {"rounds": rows, "ack_to_served_p50_s": statistics.median(r["ack_to_served_s"] for r in rows),
            "pickup_p50_s": statistics.median(r["pickup_delay_s"] for r in rows if r["pickup_delay_s"] is not None)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--path", default=str(DEMO))
    ap.add_argument("--format", default="movielens-csv")
    ap.add_argument("--workers", default="1,2,4")
    ap.add_argument("--seconds", type=int, default=20, help="wrk run per level")
    ap.add_argument("--connections", type=int, default=8)
    ap.add_argument("--ingest-events", type=int, default=30000)
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()

    from service.settings import Settings
    from service.store import SqliteStore, open_store

    out: dict = {"date": date.today().isoformat(), "dataset": args.path, "cores": os.cpu_count(),
                 "connections": args.connections, "seconds": args.seconds}
    pg = PgServer().start()
    tmp = Path(tempfile.mkdtemp(prefix="bench-scale-"))
    chroma_port = free_port()
    chroma = subprocess.Popen(["chroma", "run", "--path", str(tmp / "chroma"), "--port", str(chroma_port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    servers: list[Server] = []
    try:
        wait_for(f"http://127.0.0.1:{chroma_port}/api/v2/heartbeat", timeout=60)
        base = {**{k: v for k, v in os.environ.items() if not k.startswith("RECS_")},
                "RECS_LLM__BACKEND": "none", "RECS_TRAINER__ENABLED": "false"}
        pg_env = {**base, "RECS_STORE_URL": pg.new_database(), "RECS_CHROMA_URL": f"http://127.0.0.1:{chroma_port}",
                  "RECS_DATA_DIR": str(tmp / "pg"), "RECS_SNAPSHOT_POLL_S": "0.25"}
        sq_env = {**base, "RECS_DATA_DIR": str(tmp / "sqlite")}
        for name, env in (("postgres", pg_env), ("sqlite", sq_env)):
            t = time.perf_counter()
            subprocess.run([sys.executable, "-m", "service", "import", "--format", args.format, "--path", args.path],
                           env=env, cwd=ROOT, check=True, capture_output=True)
            out[f"import_{name}_s"] = time.perf_counter() - t
        store = open_store(Settings(data_dir=tmp / "pg", store_url=pg_env["RECS_STORE_URL"]))
        users = sorted({u for u, *_ in store.iter_events()})
        items = store.item_ids()
        random.Random(0).shuffle(users)
        script = tmp / "recs.lua"
        script.write_text(WRK_LUA % ", ".join(f'"{u}"' for u in users[:500]))

        # -- requests/s -----------------------------------------------------------------------
        levels = []
        plan = [("sqlite, 1 process (default)", sq_env, 1)] + [
            (f"postgres, {n} API worker{'s' if n > 1 else ''}", {**pg_env, "RECS_ROLE": "api"}, n)
            for n in (int(x) for x in args.workers.split(","))] + [
            (f"postgres, {n} API worker{'s' if n > 1 else ''}, profiles via Chroma (before)",
             {**pg_env, "RECS_ROLE": "api", "RECS_EXACT_PROFILE_MAX_ITEMS": "0"}, n) for n in (1, 2)]
        for label, env, n in plan:
            srv = Server(env, n, tmp / f"serve-{n}.log")
            servers.append(srv)
            wrk(srv.url, script, 5, args.connections)  # warm-up
            before = cpu_by_process()
            row = {"setup": label, "workers": n, **wrk(srv.url, script, args.seconds, args.connections)}
            after = cpu_by_process()
            row["cpu_ms_per_request"] = {g: round((after[g] - before.get(g, 0.0)) / row["requests"] * 1000, 2)
                                         for g in after}
            levels.append(row)
            console.print(row)
            srv.stop()
            servers.remove(srv)
        one = next(r["rps"] for r in levels if r["setup"] == "postgres, 1 API worker")
        for r in levels:
            r["vs_one_postgres_worker"] = r["rps"] / one
        out["requests"] = levels

        # -- ingest ---------------------------------------------------------------------------
        ing = {}
        sq = SqliteStore(tmp / "ingest.sqlite3")
        ing["store: sqlite"] = ingest_store(sq, items, args.ingest_events, 1000)
        ing["store: postgres"] = ingest_store(store, items, args.ingest_events, 1000)
        for label, env, n in (("API: sqlite, 1 process", sq_env, 1),
                              ("API: postgres, 1 worker", {**pg_env, "RECS_ROLE": "api"}, 1),
                              ("API: postgres, 2 workers", {**pg_env, "RECS_ROLE": "api"}, 2)):
            srv = Server(env, n, tmp / f"ingest-{n}.log")
            servers.append(srv)
            ing[label] = ingest_api(srv.url, users, items, args.ingest_events, 1000, writers=2)
            console.print(label, ing[label])
            srv.stop()
            servers.remove(srv)
        out["ingest"] = ing

        # -- snapshot publish -> pickup ---------------------------------------------------------
        with open(tmp / "worker.log", "ab") as fh:
            worker = subprocess.Popen([sys.executable, "-m", "service", "worker", "--poll", "0.25"],
                                      env=pg_env, cwd=ROOT, stdout=fh, stderr=subprocess.STDOUT)
        try:
            srv = Server({**pg_env, "RECS_ROLE": "api"}, 2, tmp / "snap.log")
            servers.append(srv)
            time.sleep(3)
            out["snapshots"] = snapshot_delay(srv.url, items, 5)
        finally:
            worker.terminate()
            worker.wait(timeout=30)
        store.close()
    finally:
        for s in servers:
            s.stop()
        chroma.terminate()
        pg.stop()

    table = Table(title=f"no-LLM recommendations, wrk -c{args.connections}, {args.seconds}s per level, "
                        f"{os.cpu_count()} cores (wrk and PostgreSQL share them)")
    for col in ("setup", "req/s", "p50 ms", "p95 ms", "errors", "x one PG worker", "CPU ms/request: API",
                "Chroma", "PostgreSQL"):
        table.add_column(col)
    for r in out["requests"]:
        cpu = r["cpu_ms_per_request"]
        table.add_row(r["setup"], f"{r['rps']:.0f}", f"{r['p50_ms']:.1f}", f"{r['p95_ms']:.1f}", str(r["errors"]),
                      f"{r['vs_one_postgres_worker']:.2f}", f"{cpu.get('api', 0):.1f}", f"{cpu.get('chroma', 0):.1f}",
                      f"{cpu.get('postgres', 0):.1f}")
    console.print(table)
    table = Table(title="ingest, 1,000-event batches")
    for col in ("path", "events/s", "batch p50 ms"):
        table.add_column(col)
    for k, v in out["ingest"].items():
        table.add_row(k, f"{v['events_per_s']:,.0f}", f"{v.get('batch_p50_ms', 0):.0f}" if "batch_p50_ms" in v else "")
    console.print(table)
    snap = out["snapshots"]
    console.print(f"snapshot: 1,000 events acknowledged -> served by the API p50 {snap['ack_to_served_p50_s']:.2f}s; "
                  f"publish -> pickup p50 {snap['pickup_p50_s']:.2f}s")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
