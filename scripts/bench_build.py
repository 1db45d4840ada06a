"""How the index build grows with the event log: synthetic catalogs in PostgreSQL, each
built by a fresh process (`CandidateIndex.build`, the indexer's work), timed and its peak
memory read. Supports the README's paragraph on 10M events and 1M items.

    python -m scripts.bench_build --events 100000,300000,1000000 --json results/bench_build.json

Run it as a module from the repository root: the PostgreSQL cluster is the test suite's
(`tests.pg`).

Users take ~50 events each; item popularity is Zipf-like (exponent 1.1), as in rating
logs; each user's items are drawn without repeats and in random order.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import numpy as np
from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parent.parent
console = Console(width=150)

CHILD = """
import json, resource, sys, time
from pathlib import Path
from service.candidates.index import CandidateIndex
from service.settings import Settings
from service.store import open_store
s = Settings(data_dir=Path(sys.argv[2]), store_url=sys.argv[1])
store = open_store(s)
t = time.perf_counter(); n = sum(1 for _ in store.iter_events()); read_s = time.perf_counter() - t
t = time.perf_counter(); index = CandidateIndex.build(store, s); build_s = time.perf_counter() - t
t = time.perf_counter(); index.save(Path(sys.argv[2]) / "snap"); save_s = time.perf_counter() - t
size = sum(p.stat().st_size for p in (Path(sys.argv[2]) / "snap").iterdir())
print(json.dumps({"events_read": n, "read_s": read_s, "build_s": build_s, "save_s": save_s, "snapshot_mb": size / 1e6,
                  "sim_nnz": int(index.model.sim.nnz), "trans_nnz": int(index.model.trans.nnz),
                  "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def fill(store, events: int, items: int, seed: int) -> float:
    from service.types import Event, Item

    rng = np.random.default_rng(seed)
    store.upsert_items(Item(item_id=f"i{n}", title=f"item {n}") for n in range(items))
    p = 1.0 / np.arange(1, items + 1) ** 1.1
    p /= p.sum()
    t0, written, user = time.perf_counter(), 0, 0
    while written < events:
        batch = []
        while len(batch) < 1000 and written + len(batch) < events:
            n = int(min(max(rng.geometric(1 / 50), 5), 1000, events - written - len(batch)))
            chosen = rng.choice(items, size=min(n, items), replace=False, p=p)
            batch += [Event(user_id=f"u{user}", item_id=f"i{i}", timestamp=float(k)) for k, i in enumerate(chosen)]
            user += 1
        store.add_events(batch)
        written += len(batch)
    return time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--events", default="100000,300000,1000000")
    ap.add_argument("--items-per-event", type=float, default=0.05, help="catalog size as a share of events")
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    import tempfile

    from service.store.postgres import PostgresStore
    from tests.pg import PgServer

    pg = PgServer().start()
    rows = []
    try:
        for events in (int(x) for x in args.events.split(",")):
            items = max(1000, int(events * args.items_per_event))
            url = pg.new_database()
            store = PostgresStore(url)
            fill_s = fill(store, events, items, seed=events)
            store.close()
            with tempfile.TemporaryDirectory() as tmp:
                out = subprocess.run([sys.executable, "-c", CHILD, url, tmp], capture_output=True, text=True,
                                     cwd=ROOT, env={**os.environ, "OMP_NUM_THREADS": "1"}, check=True).stdout
            row = {"events": events, "items": items, "insert_events_per_s": events / fill_s,
                   **json.loads(out.strip().splitlines()[-1])}
            rows.append(row)
            console.print(row)
    finally:
        pg.stop()
    table = Table(title="index build vs event log (PostgreSQL store, one process)")
    for col in ("events", "items", "read s", "build s", "save s", "sim nnz", "snapshot MB", "peak RSS MB"):
        table.add_column(col)
    for r in rows:
        table.add_row(f"{r['events']:,}", f"{r['items']:,}", f"{r['read_s']:.1f}", f"{r['build_s']:.1f}",
                      f"{r['save_s']:.1f}", f"{r['sim_nnz']:,}", f"{r['snapshot_mb']:.0f}", f"{r['peak_rss_mb']:.0f}")
    console.print(table)
    if args.json:
        args.json.write_text(json.dumps({"date": date.today().isoformat(), "rows": rows}, indent=1))


if __name__ == "__main__":
    main()
