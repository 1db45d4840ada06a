"""A simulated live feed over the real HTTP API: do people who ignore a page get a new one?

    python scripts/bench_live.py --path data/demo/ml-latest-small --people 150 \
        --json results/bench_live_ml.json

1. holds back the tail of each sampled person's history (`--future`, the latest 20% of
   their events): that is what they will take if it is shown to them;
2. builds one data dir from everything else (the catalog, other people's whole
   histories, the sampled people's pasts) and copies it for every arm;
3. per arm, starts `python -m service serve` on its copy and runs `--visits` visits: each
   person asks for `--k` items (`POST /v1/recommendations`), takes the ones in their
   future (posted back as `view` events over HTTP, as a client would) and ignores the
   rest; between visits the item-item index catches up with the new events;
4. prints a table per arm: new items shown per person, the share of shown items that
   person had already been shown and ignored, cumulative recall of the future, and
   first-visit NDCG@10 (binary relevance: in the future or not) and latency p50.

Arms: `on` (the default service: answers recorded, an ignored item cools down), `off`
(recorded, nothing cools: the ablation), `client` (nothing cools, and the client sends
everything it showed before in `exclude_items`: the ceiling a careful client reaches).
Arms ending in `-train` fit the adapted reranker (`python -m service train-reranker
--no-llm`) on the arm's store after visit 2, while the server runs, and serve on with
whatever it chose; `-train-noexp` is the same run with learning from exposure off.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import httpx

from service.ingest.importer import reader
from service.local_server import free_port
from service.pipeline import Recommender
from service.settings import LLMSettings, Settings, TrainerSettings
from service.store import SqliteStore
from service.types import Event, Item

ROOT = Path(__file__).resolve().parent.parent
ARMS = {
    "on": ({}, {}),
    "off": ({"RECS_EXPOSURE__TIMES": "0"}, {}),
    "client": ({"RECS_EXPOSURE__TIMES": "0"}, {"client_hides": True}),
    "on-times2": ({"RECS_EXPOSURE__TIMES": "2"}, {}),
    "explore": ({"RECS_EXPOSURE__EXPLORE": "0.1"}, {}),
    "explore-off": ({"RECS_EXPOSURE__TIMES": "0", "RECS_EXPOSURE__EXPLORE": "0.1"}, {}),
    # an A/B test on live traffic: arm a is the service, arm b a planted worse ranker (popularity alone)
    # learning from exposure: the adapted reranker fitted after visit 2, with and without it
    "off-train": ({"RECS_EXPOSURE__TIMES": "0"}, {"train_after": 2}),
    "off-train-noexp": ({"RECS_EXPOSURE__TIMES": "0"}, {"train_after": 2, "train_args": ["--no-exposure"]}),
    "on-train": ({}, {"train_after": 2}),
    "on-train-noexp": ({}, {"train_after": 2, "train_args": ["--no-exposure"]}),
    "ab": ({"RECS_EXPERIMENT__NAME": "bench", "RECS_EXPERIMENT__ARMS": '{"a": {}, "b": {"popularity": 1.0}}'}, {}),
}
NEW_ITEMS = 20  # added with no interactions before the first visit: do they ever get shown?


@dataclass
class Person:
    user_id: str
    future: set[str]
    taken: set[str] = field(default_factory=set)
    shown: set[str] = field(default_factory=set)


def split(path: Path, fmt: str, people: int, future: float, min_events: int, seed: int):
    """(items, kept events, people): each sampled person's latest `future` share is held back."""
    items: dict[str, Item] = {}
    events: list[Event] = []
    for parsed in reader(fmt, path, {}, "items"):
        if isinstance(parsed.record, Item):
            items[parsed.record.item_id] = parsed.record
        elif isinstance(parsed.record, Event):
            events.append(parsed.record)
    by_user: dict[str, list[Event]] = defaultdict(list)
    for e in events:
        if e.item_id in items:
            by_user[e.user_id].append(e)
    eligible = sorted(u for u, evs in by_user.items() if len(evs) >= min_events)
    chosen = random.Random(seed).sample(eligible, min(people, len(eligible)))
    kept, out = [], []
    for u, evs in by_user.items():
        evs.sort(key=lambda e: (e.timestamp, e.item_id))
        if u in chosen:
            n = max(1, math.ceil(len(evs) * future))
            past, ahead = evs[:-n], evs[-n:]
            kept += past
            out.append(Person(u, {e.item_id for e in ahead} - {e.item_id for e in past}))
        else:
            kept += evs
    return list(items.values()), kept, [p for p in out if p.future]


def prepare(items: list[Item], events: list[Event], workdir: Path, embedder: str) -> Path:
    """One data dir (store, Chroma, CF index) built from the kept events."""
    data = workdir / "base"
    s = Settings(data_dir=data, embedder=embedder, llm=LLMSettings(backend="none"),
                 trainer=TrainerSettings(enabled=False))
    store = SqliteStore(s.db_path)
    store.upsert_items(items)
    store.add_events(events)
    rec = Recommender(s, store=store)
    rec.build_index()
    store.close()
    return data


def wait_current(http: httpx.Client, timeout: float = 120.0) -> None:
    """Until the server's item-item index includes every event (or `timeout`)."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            r = http.get("/health/ready")
            if r.status_code == 200 and r.json()["index"]["pending_events"] == 0:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.25)


def ndcg10(ids: list[str], relevant: set[str]) -> float:
    dcg = sum(1 / math.log2(r + 2) for r, i in enumerate(ids[:10]) if i in relevant)
    ideal = sum(1 / math.log2(r + 2) for r in range(min(10, len(relevant))))
    return dcg / ideal if ideal else 0.0


def new_items(items: list[Item], n: int, seed: int) -> list[dict]:
    """n new items (copies of random catalog items' text under new ids), nobody has taken yet."""
    picks = random.Random(seed).sample(items, n)
    return [{"item_id": f"new-{i}", "title": f"New: {it.title}", "text": it.text, "attributes": it.attributes}
            for i, it in enumerate(picks)]


def run_arm(name: str, base_dir: Path, workdir: Path, people: list[Person], visits: int, k: int,
            embedder: str, fresh: list[dict]) -> dict:
    env_extra, opts = ARMS[name]
    data = workdir / name
    shutil.copytree(base_dir, data)
    port = free_port()
    env = {**os.environ, "RECS_DATA_DIR": str(data), "RECS_EMBEDDER": embedder, "RECS_LLM__BACKEND": "none",
           "RECS_TRAINER__ENABLED": "false", "RECS_CF__MAX_STALENESS_S": "1", **env_extra}
    log = open(workdir / f"{name}.log", "w")
    server = subprocess.Popen([sys.executable, "-m", "service", "serve", "--port", str(port)], env=env,
                              stdout=log, stderr=subprocess.STDOUT, cwd=ROOT)
    people = [Person(p.user_id, p.future) for p in people]  # a fresh copy per arm
    rows, latencies, first_ndcg = [], [], []
    trained = None
    served_by: dict[str, str] = {}
    try:
        http = httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=120)
        wait_current(http, 300)
        http.post("/v1/items", json={"items": fresh}).raise_for_status()
        first_shown: dict[str, int] = {}
        answers = 0
        for visit in range(1, visits + 1):
            new, ignored_again, shown_n, hits = [], 0, 0, 0
            for p in people:
                body = {"user_id": p.user_id, "k": k}
                if opts.get("client_hides"):
                    body["exclude_items"] = sorted(p.shown)[:1000]
                t = time.perf_counter()
                r = http.post("/v1/recommendations", json=body)
                latencies.append((time.perf_counter() - t) * 1000)
                r.raise_for_status()
                ids = [i["item_id"] for i in r.json()["items"]]
                served_by[p.user_id] = r.json().get("experiment_arm") or ""
                answers += 1
                for i in ids:
                    if i.startswith("new-"):
                        first_shown.setdefault(i, answers)
                if visit == 1:
                    first_ndcg.append(ndcg10(ids, p.future))
                new.append(len(set(ids) - p.shown))
                ignored_again += len([i for i in ids if i in p.shown and i not in p.taken])
                shown_n += len(ids)
                take = [i for i in ids if i in p.future and i not in p.taken]
                if take:
                    r = http.post("/v1/events", json={"events": [
                        {"user_id": p.user_id, "item_id": i, "type": "view"} for i in take]})
                    r.raise_for_status()
                p.taken |= set(take)
                p.shown |= set(ids)
                hits += len(take)
            rows.append({"visit": visit, "new_per_person": round(statistics.mean(new), 2),
                         "already_ignored": round(ignored_again / max(shown_n, 1), 3),
                         "taken": hits,
                         "recall": round(statistics.mean(len(p.taken) / len(p.future) for p in people), 4)})
            wait_current(http)  # time passes between visits: the index catches up
            if visit == opts.get("train_after"):
                trained = train(env, data, opts.get("train_args", []), workdir / f"{name}.train.log")
        experiment = experiment_report(http.get("/metrics").text, people, served_by) if "ab" in name else None
    finally:
        server.terminate()
        server.wait(timeout=60)
        log.close()
        shutil.rmtree(data, ignore_errors=True)
    return {"arm": name, "visits": rows, "first_visit_ndcg@10": round(statistics.mean(first_ndcg), 4),
            "p50_ms": round(statistics.median(latencies), 2), "answers": answers,
            "new_items_shown": len(first_shown), "new_items": len(fresh),
            "answers_to_first_new_exposure": sorted(first_shown.values()), "experiment": experiment,
            "trained": trained}


def train(env: dict[str, str], data: Path, extra: list[str], log_path: Path) -> dict:
    """Fit the adapted reranker on the arm's store as an operator would (the CLI), while
    its server runs; the server switches to the artifact on its next request if it was
    made current. Returns what the run chose."""
    from service.rerank.adapted import list_artifacts

    with open(log_path, "w") as log:
        subprocess.run([sys.executable, "-m", "service", "train-reranker", "--no-llm", *extra], env=env,
                       cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, check=True)
    root = Settings(data_dir=data).artifacts_dir / "adapted"
    newest = list_artifacts(root)[-1]
    features = json.loads((root / newest["version"] / "meta.json").read_text())["features"]
    return {"version": newest["version"], "served": newest["current"], "features": features,
            "chosen_because": newest.get("chosen_because"), "exposure": newest.get("exposure"),
            "validation": newest.get("validation")}


def experiment_report(metrics_text: str, people: list[Person], served_by: dict[str, str]) -> dict:
    """Per arm: what /metrics says (exposures, positives, rate and its 95% interval), the
    arm's recall of the future, and a two-proportion z test between the arms."""
    from prometheus_client.parser import text_string_to_metric_families

    out: dict[str, dict] = defaultdict(dict)
    for family in text_string_to_metric_families(metrics_text):
        for s in family.samples:
            if s.name.startswith("recs_experiment_") and s.labels.get("experiment") == "bench":
                out[s.labels["arm"]][s.name.removeprefix("recs_experiment_")] = s.value
    for arm, row in out.items():
        mine = [p for p in people if served_by.get(p.user_id) == arm]
        row["people"] = len(mine)
        row["recall"] = round(statistics.mean(len(p.taken) / len(p.future) for p in mine), 4) if mine else None
    arms = sorted(out)
    if len(arms) == 2:
        (x1, n1), (x2, n2) = [(out[a]["positives_total"], out[a]["exposures_total"]) for a in arms]
        pooled = (x1 + x2) / (n1 + n2)
        se = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
        z = (x1 / n1 - x2 / n2) / se if se else 0.0
        out["test"] = {"z": round(z, 2), "p_two_sided": math.erfc(abs(z) / math.sqrt(2)),
                       "better": arms[0] if z > 0 else arms[1], "significant_95": abs(z) > 1.96}
    return dict(out)


def exposure_overhead(base_dir: Path, workdir: Path, people: list[Person], visits: int, k: int) -> dict:
    """What recording costs on the request path, on a copy of the store (SQLite, synchronous=FULL):
    per answer, one write of its k items and one read of the person's exposures (after
    `visits` answers each), in ms."""
    from service.exposure import ExposureLog
    from service.feedback import Feedback
    from service.settings import ExposureSettings, FeedbackSettings

    data = workdir / "overhead"
    shutil.copytree(base_dir, data)
    store = SqliteStore(data / "recs.sqlite3")
    log = ExposureLog(store, ExposureSettings(), Feedback(FeedbackSettings()))
    items = store.item_ids()
    rng = random.Random(0)
    write, read, commit = [], [], []
    for _ in range(visits):
        for p in people:
            page = log.page(p.user_id, None)
            t = time.perf_counter()
            log.record(p.user_id, page, rng.sample(items, k))
            write.append((time.perf_counter() - t) * 1000)
            t = time.perf_counter()
            store.set_meta("bench_live_probe", page.answer_id)  # any one-row commit, for scale
            commit.append((time.perf_counter() - t) * 1000)
            t = time.perf_counter()
            log.cooling(p.user_id, set())
            read.append((time.perf_counter() - t) * 1000)
    store.close()
    shutil.rmtree(data, ignore_errors=True)
    return {"record_p50_ms": round(statistics.median(write), 3), "cooling_read_p50_ms": round(statistics.median(read), 3),
            "one_row_commit_p50_ms": round(statistics.median(commit), 3), "answers": len(write)}


def ingest_overhead(path: Path, fmt: str, reps: int = 5) -> dict:
    """Store ingest (1,000-event batches, fresh SQLite store) without and with the exposures
    the events imply, for ratings only and with every 10th event an impression: events/s,
    best of `reps` interleaved runs (the machine is shared)."""
    from service.exposure import ExposureLog
    from service.feedback import Feedback
    from service.settings import ExposureSettings, FeedbackSettings

    events = [p.record for p in reader(fmt, path, {}, "items") if isinstance(p.record, Event)]
    mixed = [e.model_copy(update={"type": "impression", "timestamp": e.timestamp + 0.5}) if n % 10 == 0 else e
             for n, e in enumerate(events)]
    fb = Feedback(FeedbackSettings())
    best: dict[str, float] = {}
    for _ in range(reps):
        for name, evs in (("ratings", events), ("10pct_impressions", mixed)):
            for exposure in (False, True):
                with tempfile.TemporaryDirectory() as d:
                    store = SqliteStore(Path(d) / "s.sqlite3")
                    log = ExposureLog(store, ExposureSettings(), fb)
                    t = time.perf_counter()
                    for i in range(0, len(evs), 1000):
                        batch = fb.resolve_events(evs[i:i + 1000])
                        store.add_events(batch, log.impressions(batch) if exposure else (), 1000)
                    key = f"{name}_{'with' if exposure else 'without'}_exposure"
                    best[key] = max(best.get(key, 0.0), round(len(evs) / (time.perf_counter() - t)))
                    store.close()
    return best


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--path", type=Path, default=ROOT / "data/demo/ml-latest-small")
    ap.add_argument("--format", default="movielens-csv")
    ap.add_argument("--people", type=int, default=150)
    ap.add_argument("--visits", type=int, default=6)
    ap.add_argument("--k", type=int, default=10)
    ap.add_argument("--future", type=float, default=0.2, help="share of each person's latest events held back")
    ap.add_argument("--min-events", type=int, default=20, help="people sampled have at least this many events")
    ap.add_argument("--arms", default="on,off,client", help=f"comma-separated, of {', '.join(ARMS)}")
    ap.add_argument("--embedder", default="wordllama", help="RECS_EMBEDDER of the servers (wordllama: fast)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()

    t0 = time.perf_counter()
    items, kept, people = split(args.path, args.format, args.people, args.future, args.min_events, args.seed)
    fresh = new_items(items, NEW_ITEMS, args.seed)
    workdir = Path(tempfile.mkdtemp(prefix="bench-live-"))
    base = prepare(items, kept, workdir, args.embedder)
    print(f"{len(items)} items, {len(kept)} events kept, {len(people)} people, "
          f"{statistics.mean(len(p.future) for p in people):.1f} future items each "
          f"(prepared in {time.perf_counter() - t0:.0f}s)")
    results = []
    for arm in [a for a in args.arms.split(",") if a]:
        t = time.perf_counter()
        res = run_arm(arm, base, workdir, people, args.visits, args.k, args.embedder, fresh)
        res["seconds"] = round(time.perf_counter() - t, 1)
        results.append(res)
        print(f"\narm {arm}: first-visit NDCG@10 {res['first_visit_ndcg@10']:.4f}, p50 {res['p50_ms']:.1f} ms, "
              f"new items shown {res['new_items_shown']}/{res['new_items']} in {res['answers']} answers")
        print(f"{'visit':>5} {'new/person':>10} {'already ignored':>15} {'taken':>6} {'recall':>7}")
        for r in res["visits"]:
            print(f"{r['visit']:>5} {r['new_per_person']:>10.2f} {r['already_ignored']:>15.3f} "
                  f"{r['taken']:>6} {r['recall']:>7.4f}")
        if res.get("trained"):
            print(f"trained after visit 2: served={res['trained']['served']}; exposure: "
                  f"{(res['trained']['exposure'] or {}).get('why')}")
        if res.get("experiment"):
            print(json.dumps(res["experiment"], indent=1))
    overhead = exposure_overhead(base, workdir, people, args.visits, args.k)
    print(f"\nexposure on the request path (SQLite): record p50 {overhead['record_p50_ms']:.2f} ms, "
          f"cooling read p50 {overhead['cooling_read_p50_ms']:.2f} ms, any one-row commit p50 "
          f"{overhead['one_row_commit_p50_ms']:.2f} ms")
    ingest = ingest_overhead(args.path, args.format)
    print("store ingest, events/s (best of 5): " + ", ".join(f"{k} {v}" for k, v in ingest.items()))
    shutil.rmtree(workdir, ignore_errors=True)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({
            "dataset": str(args.path), "date": date.today().isoformat(), "people": len(people),
            "visits": args.visits, "k": args.k, "future": args.future, "min_events": args.min_events,
            "embedder": args.embedder, "seed": args.seed, "arms": results,
            "exposure_overhead": overhead, "ingest_events_per_s": ingest}, indent=2))
        print(f"\nwrote {args.json}")


if __name__ == "__main__":
    main()
