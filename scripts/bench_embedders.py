"""Embedders side by side: the memory and time of loading each, encode throughput on item
text, cross-lingual value matching (a request word in en/zh/fr/es -> the catalog value it
means, top-1 among that catalog's values) and a retrieval sanity check on the shipped
movie demo (raw requests in four languages, top 5 titles printed, plus the share of them
carrying a genre the request names).

Both checks use each embedder as a plain retriever on the raw request text; the service
also reads requests with its grammar and vocabulary first, which this does not measure.
The pairs and requests are in scripts/embedder_value_pairs.yaml.

    python scripts/bench_embedders.py --json results/bench_embedders.json
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import platform
import statistics
import time
from datetime import date
from pathlib import Path

import numpy as np
import yaml
from rich.console import Console
from rich.progress import track
from rich.table import Table

from service.assets import asset
from service.candidates.vectors import embed_text
from service.embed import EMBEDDERS, Embedder, make_embedder
from service.ingest.formats import read_movielens_csv
from service.types import Item

console = Console(width=160)
PAIRS = Path(__file__).with_name("embedder_value_pairs.yaml")
LANGS = ("en", "zh", "fr", "es")


def _rss_mb() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS in /proc/self/status")


def _load_in_child(name: str, out) -> None:
    """Runs in a fresh process: RSS growth and time of making the embedder and its first
    (one-text) call, which is when a lazy model loads."""
    before = _rss_mb()
    t0 = time.perf_counter()
    emb = make_embedder(name)  # held until RSS is read: a dropped embedder's memory is freed
    emb.embed(["warm up"])
    out.put((_rss_mb() - before, time.perf_counter() - t0))


def load_cost(name: str) -> tuple[float, float]:
    ctx = multiprocessing.get_context("spawn")
    out = ctx.Queue()
    child = ctx.Process(target=_load_in_child, args=(name, out))
    child.start()
    rss, seconds = out.get(timeout=600)
    child.join()
    return rss, seconds


def throughput(emb: Embedder, texts: list[str], batch: int) -> list[float]:
    """Items per second of three batches of distinct texts (not seen before, so no cache)."""
    rates = []
    for b in range(3):
        chunk = texts[b * batch:(b + 1) * batch]
        t0 = time.perf_counter()
        emb.embed(chunk)
        rates.append(len(chunk) / (time.perf_counter() - t0))
    return rates


def value_text(value: str) -> str:
    return value.replace("-", " ").replace("_", " ")


def value_matching(emb: Embedder, catalogs: dict) -> dict:
    out = {}
    for catalog, spec in catalogs.items():
        values = [str(v) for v in spec["values"]]
        vmat = emb.embed([value_text(v) for v in values])
        rows = [(str(value), lang, word) for value, words in spec["pairs"].items() for lang, word in words.items()]
        sims = emb.embed([w for _, _, w in rows]) @ vmat.T
        out[catalog] = [{"value": value, "lang": lang, "word": word, "top1": values[int(np.argmax(s))],
                         "ok": values[int(np.argmax(s))] == value} for (value, lang, word), s in zip(rows, sims)]
    return out


def accuracy(rows: list[dict], lang: str | None = None) -> float:
    picked = [r["ok"] for r in rows if lang is None or r["lang"] == lang]
    return sum(picked) / len(picked) if picked else float("nan")


def movies(path: Path, limit: int | None) -> list[Item]:
    items = [p.record for p in read_movielens_csv(path) if isinstance(p.record, Item)]
    return items[:limit] if limit else items


def retrieval(emb: Embedder, items: list[Item], requests: list[dict], batch: int) -> list[dict]:
    texts = [embed_text(it) for it in items]
    mat = np.vstack([emb.embed(texts[i:i + batch]) for i in track(
        range(0, len(texts), batch), description=f"embedding {len(texts)} movies with {emb.name}", console=console)])
    qv = emb.embed([r["text"] for r in requests])
    out = []
    for req, v in zip(requests, qv):
        top = np.argsort(-(mat @ v))[:5]
        hits = [it for it in (items[i] for i in top)]
        match = sum(bool(set(it.attributes.get("genres", [])) & set(req["genres"])) for it in hits)
        out.append({**req, "top5": [it.title for it in hits], "genre_match": match / 5})
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--embedders", default=",".join(EMBEDDERS))
    ap.add_argument("--path", type=Path, default=asset("demo", "ml-latest-small"))
    ap.add_argument("--items", type=int, default=None, help="first N movies only (default: all)")
    ap.add_argument("--batch", type=int, default=256, help="texts per throughput batch and embed call")
    ap.add_argument("--json", type=Path, default=Path("results/bench_embedders.json"))
    args = ap.parse_args()

    spec = yaml.safe_load(PAIRS.read_text())
    requests = spec.pop("retrieval requests")
    items = movies(args.path, args.items)
    texts = [embed_text(it) for it in items]
    report = {"date": str(date.today()), "machine": platform.machine(), "python": platform.python_version(),
              "catalog": str(args.path), "items": len(items), "batch": args.batch, "embedders": {}}
    for name in args.embedders.split(","):
        rss, load_s = load_cost(name)
        emb = make_embedder(name)
        emb.embed(["warm up"])
        rates = throughput(emb, texts, args.batch)
        matched = value_matching(emb, spec)
        found = retrieval(emb, items, requests, args.batch)
        report["embedders"][name] = {
            "model": emb.name, "dim": emb.dim, "load_rss_mb": round(rss, 1), "load_seconds": round(load_s, 2),
            "items_per_s": round(statistics.median(rates), 1), "items_per_s_batches": [round(r, 1) for r in rates],
            "value_top1": {"all": accuracy([r for rows in matched.values() for r in rows]),
                           **{c: accuracy(rows) for c, rows in matched.items()},
                           **{lang: accuracy([r for rows in matched.values() for r in rows], lang) for lang in LANGS}},
            "value_pairs": matched, "retrieval_genre_match@5": float(np.mean([r["genre_match"] for r in found])),
            "retrieval": found}

    table = Table(title=f"embedders ({len(items)} movie texts, batches of {args.batch})")
    for col in ("embedder (setting)", "dim", "load s", "load RSS MB", "items/s", "values top-1", *LANGS,
                *(c for c in spec), "genre match@5"):
        table.add_column(col, justify="right")
    for name, r in report["embedders"].items():
        v = r["value_top1"]
        table.add_row(name, str(r["dim"]), f"{r['load_seconds']:.2f}", f"{r['load_rss_mb']:.0f}",
                      f"{r['items_per_s']:.0f}", f"{v['all']:.3f}", *(f"{v[lang]:.2f}" for lang in LANGS),
                      *(f"{v[c]:.2f}" for c in spec), f"{r['retrieval_genre_match@5']:.2f}")
    console.print(table)
    for name, r in report["embedders"].items():
        t = Table(title=f"{r['model']}: top 5 movies per request (genre match = share with a named genre)")
        for col in ("lang", "request", "top 5", "match"):
            t.add_column(col)
        for q in r["retrieval"]:
            t.add_row(q["lang"], q["text"], " | ".join(q["top5"]), f"{q['genre_match']:.1f}")
        console.print(t)
        misses = [f"{p['lang']}:{p['word']}->{p['top1']} (want {p['value']})"
                  for rows in r["value_pairs"].values() for p in rows if not p["ok"]]
        console.print(f"[bold]{r['model']}[/bold] value misses ({len(misses)}): " + "; ".join(misses))
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(report, indent=1, ensure_ascii=False))
    console.print(f"wrote {args.json}")


if __name__ == "__main__":
    main()
