"""Write what is left to judge: the pooled top items of several systems' answers, each
with the request, what a relevant item is, and the item's title and text from the demo
catalog, as JSONL lines a judge (a person or a model) completes by setting `relevant`
to true or false and `judge` to who they are.

    python scripts/judge_pool.py --catalog movies --answers answers.json --out to_judge.jsonl [--depth 10]

answers.json: {"<system>": {"<request id>": ["item id", ...] |
                            {"items": [...], "context": [[earlier answer's ids], ...]}}}
A follow-up's answer carries its context (the ids of each earlier answer it followed);
its lines show the earlier answers' titles, and are judged in that context.

Items already judged (scripts/chat_requests/judged/judgments/<catalog>.jsonl) are left
out. Completed lines are judgments as they stand: append them to that file. Lines do not
say which system returned the item.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from service.eval.judged import index, load_judgments, load_requests, parse_answer, pool
from service.ingest.importer import reader
from service.types import Item

ROOT = Path(__file__).resolve().parents[1]
JUDGED = ROOT / "scripts" / "chat_requests" / "judged"
CATALOGS = {"movies": ("movielens-csv", ROOT / "data" / "demo" / "ml-latest-small"),
            "books": ("goodbooks", ROOT / "data" / "demo" / "goodbooks-2k"),
            "phones": ("jsonl", ROOT / "data" / "demo" / "phones" / "items.jsonl"),
            **{shop.parent.name: ("jsonl", shop) for shop in sorted((ROOT / "data" / "eval").glob("*/items.jsonl"))}}


def catalog_items(catalog: str) -> dict[str, Item]:
    fmt, path = CATALOGS[catalog]
    return {p.record.item_id: p.record for p in reader(fmt, path, {}, "items") if isinstance(p.record, Item)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--catalog", choices=sorted(CATALOGS), required=True)
    ap.add_argument("--answers", type=Path, required=True, help="JSON: system -> request id -> answer")
    ap.add_argument("--out", type=Path, required=True, help="the JSONL to write (overwritten)")
    ap.add_argument("--depth", type=int, default=10, help="how deep into each answer to pool")
    ap.add_argument("--requests", type=Path, help="the request set (default: judged/<catalog>.yaml)")
    ap.add_argument("--judgments", type=Path, help="judgments already made (default: judged/judgments/<catalog>.jsonl)")
    args = ap.parse_args()

    requests = {r.id: r for r in load_requests(args.requests or JUDGED / f"{args.catalog}.yaml")}
    raw = json.loads(args.answers.read_text(encoding="utf-8"))
    answers = {system: {rid: parse_answer(a, f"{args.answers}: {system}/{rid}") for rid, a in by_request.items()}
               for system, by_request in raw.items()}
    unknown = sorted({rid for by_request in answers.values() for rid in by_request} - set(requests))
    if unknown:
        sys.exit(f"{args.answers}: request ids not in {args.catalog}.yaml: {', '.join(unknown)}")
    judged = index(load_judgments(args.judgments or JUDGED / "judgments" / f"{args.catalog}.jsonl"))
    todo = pool(answers, depth=args.depth, judged=judged)
    items = catalog_items(args.catalog)

    def title(item_id: str) -> str:
        return items[item_id].title if item_id in items else ""

    args.out.parent.mkdir(parents=True, exist_ok=True)
    missing = 0
    with open(args.out, "w", encoding="utf-8") as f:
        for rid, context, item_id in todo:
            r, item = requests[rid], items.get(item_id)
            missing += item is None
            line = {"request": rid, "item_id": item_id, "title": title(item_id), "relevant": None, "judge": "",
                    "note": "" if item else "not in the catalog"}
            if context:
                line["context"] = [list(a) for a in context]
            line |= {"lang": r.lang, "turns": list(r.turns), "need": r.need,
                     "earlier_answers": [[title(i) or i for i in a] for a in context],
                     "text": item.text if item else ""}
            f.write(json.dumps(line, ensure_ascii=False) + "\n")
    print(f"{len(todo)} (request, item) pairs to judge from {len(answers)} systems, depth {args.depth}"
          f" ({sum(len(v) for v in judged.values())} already judged, {missing} not in the catalog): {args.out}")


if __name__ == "__main__":
    main()
