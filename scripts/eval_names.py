"""How well Chinese-written names are heard as the catalog's names (service/text/names.py).

    python scripts/eval_names.py [--catalog data/demo/goodbooks-2k] [--json results/eval_names.json]

Reads the name pairs in scripts/chat_requests/zh_names.yaml against the authors of the
shipped books catalog and prints, per set: how many were found as the right name,
found as a wrong one, or not found; and false positives in sentences with no name.
"""

from __future__ import annotations

import argparse
import csv
import json
from pathlib import Path

import yaml

from service.text.lexicon import lexicon
from service.text.vocabulary import Vocabulary

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--catalog", type=Path, default=ROOT / "data/demo/goodbooks-2k")
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    books = [{"authors": [a.strip() for a in row["authors"].split(",") if a.strip()]}
             for row in csv.DictReader(open(args.catalog / "books.csv", encoding="utf-8"))]
    vocab = Vocabulary(books, lexicon())  # the names index the chat uses
    index, authors = vocab.names, {a for b in books for a in b["authors"]}
    spec = yaml.safe_load((ROOT / "scripts/chat_requests/zh_names.yaml").read_text(encoding="utf-8"))
    out = {"catalog": args.catalog.name, "names": len(authors), "sets": {}}
    print(f"{'set':<8} {'n':>4} {'right':>6} {'wrong':>6} {'missed':>7}")
    for name in ("tune", "heldout", "fresh"):
        rows = []
        for written, expected in spec[name].items():
            hits = index.find(f"我想读{written}的书")
            got = [h.value for h in hits]
            rows.append({"written": written, "expected": expected, "got": got,
                         "ok": got[:1] == [expected]})
        right = sum(r["ok"] for r in rows)
        wrong = sum(1 for r in rows if r["got"] and not r["ok"])
        out["sets"][name] = {"n": len(rows), "right": right, "wrong": wrong, "missed": len(rows) - right - wrong,
                             "rows": rows}
        print(f"{name:<8} {len(rows):>4} {right:>6} {wrong:>6} {len(rows) - right - wrong:>7}")
        for r in rows:
            if not r["ok"]:
                print(f"   {r['written']} -> {r['got'] or '-'} (expected {r['expected']})")
    fps = [(s, [h.value for h in index.find(s)]) for s in spec["none"]]
    fps = [(s, v) for s, v in fps if v]
    out["false_positives"] = {"sentences": len(spec["none"]), "with_a_hit": fps}
    print(f"false positives: {len(fps)} of {len(spec['none'])} sentences with no name", *fps, sep="\n  ")
    if args.json:
        args.json.write_text(json.dumps(out, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
