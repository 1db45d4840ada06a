"""Write the phone demo as a shop whose attribute names carry no unit ('ram', 'battery',
'weight' for 'ram_gb', 'battery_mah', 'weight_g'), with fewer attributes, and optionally
without item texts: the catalog the chat must read by its texts or names alone. Item ids
are kept, so the judged request sets and their judgments apply unchanged.

    python scripts/unitless_phones.py --out /tmp/unitless.jsonl [--no-text]
    RECS_DATA_DIR=/tmp/unitless python -m service import --format jsonl --path /tmp/unitless.jsonl
    python scripts/run_judged.py --catalog phones --system service --data /tmp/unitless --name unitless \\
        --answers answers.json --requests scripts/chat_requests/judged/fresh5/phones.yaml
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RENAMED = {"ram_gb": "ram", "storage_max_gb": "storage", "battery_mah": "battery", "screen_in": "screen_size",
           "weight_g": "weight", "main_camera_mp": "camera", "charging_w": "fast_charging", "refresh_hz": "refresh_rate"}
DROPPED = {"storage_min_gb", "selfie_camera_mp", "wireless_charging_w", "rear_cameras", "release_date",
           "chipset_maker", "os_version"}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--no-text", action="store_true", help="leave the item texts out")
    args = ap.parse_args()
    with open(args.out, "w", encoding="utf-8") as out:
        for line in (ROOT / "data/demo/phones/items.jsonl").read_text(encoding="utf-8").splitlines():
            row = {RENAMED.get(k, k): v for k, v in json.loads(line).items() if k not in DROPPED}
            if args.no_text:
                row.pop("text", None)
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
