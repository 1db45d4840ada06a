"""Append completed judging lines (from `scripts/judge_pool.py`'s output, filled in by a
judge) to the judgments files, keeping only the judgment fields, one catalog per request
id prefix ('movies-en-01' -> judgments/movies.jsonl).

    python scripts/add_judgments.py /tmp/judged.jsonl [more.jsonl ...]
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from service.eval.judged import parse_judgment

JUDGMENTS = Path(__file__).resolve().parents[1] / "scripts" / "chat_requests" / "judged" / "judgments"
KEEP = ("request", "item_id", "title", "relevant", "judge", "note", "context")


def main() -> None:
    added: dict[str, int] = {}
    for path in sys.argv[1:]:
        for n, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), start=1):
            if not line.strip():
                continue
            raw = json.loads(line)
            parse_judgment(line, f"{path}:{n}")  # refuses an undecided or malformed line
            record = {k: raw[k] for k in KEEP if raw.get(k) not in (None, "", [])}
            catalog = raw["request"].split("-", 1)[0]
            with open(JUDGMENTS / f"{catalog}.jsonl", "a", encoding="utf-8") as f:
                f.write(json.dumps(record, ensure_ascii=False) + "\n")
            added[catalog] = added.get(catalog, 0) + 1
    print(", ".join(f"{c}: {n} added" for c, n in added.items()) or "nothing added")


if __name__ == "__main__":
    main()
