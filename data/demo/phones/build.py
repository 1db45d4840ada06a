"""Build the phones demo catalog (items.csv, items.jsonl) from TechAPI's curated
smartphone records (github.com/Seungpyo1007/TechAPI, data/smartphone/<brand>/<slug>.json,
data licensed CC BY-SA 4.0).

    python data/demo/phones/build.py --techapi PATH/TO/TechAPI [--out data/demo/phones]

Every attribute is a field of the record or a mechanical reading of one (the year of
`release_date`, the largest `optical_zoom`, the chipset's name spelled from its slug);
nothing is guessed. See PROVENANCE.txt for what was kept and what was left out.
"""

from __future__ import annotations

import argparse
import csv
import json
from pathlib import Path

BRANDS = {"apple": "Apple", "asus": "ASUS", "google": "Google", "honor": "Honor", "huawei": "Huawei",
          "motorola": "Motorola", "nothing": "Nothing", "oneplus": "OnePlus", "oppo": "OPPO",
          "realme": "realme", "samsung": "Samsung", "sony": "Sony", "vivo": "vivo", "xiaomi": "Xiaomi"}
CHIP_MAKERS = {"apple": "Apple", "snapdragon": "Qualcomm", "dimensity": "MediaTek", "helio": "MediaTek",
               "exynos": "Samsung", "google": "Google", "tensor": "Google", "kirin": "HiSilicon"}
REAR = {"main", "ultrawide", "telephoto", "periscope", "macro", "depth", "mono", "monochrome",
        "color-filter", "microscope", "3d-depth", "tof"}
COLUMNS = ["item_id", "title", "text", "price", "brand", "category", "form", "os", "os_version", "year",
           "release_date", "chipset", "chipset_maker", "ram_gb", "storage_min_gb", "storage_max_gb",
           "battery_mah", "screen_in", "refresh_hz", "display", "main_camera_mp", "selfie_camera_mp",
           "rear_cameras", "optical_zoom_x", "charging_w", "wireless_charging_w", "weight_g",
           "ip_rating", "nfc"]


def chipset_name(slug: str) -> str:
    """'snapdragon-8-gen-3' -> 'Snapdragon 8 Gen 3', 'snapdragon-778g' -> 'Snapdragon 778G'."""
    return " ".join(t if t[:-1].isdigit() and t.endswith("s") else t.title() for t in slug.split("-"))


def form_of(name: str) -> str:
    low = name.casefold()
    if "flip" in low or "razr" in low:
        return "flip"
    if "fold" in low or "find n" in low or "magic v" in low:
        return "foldable"
    return "bar"


def _num(x: float) -> int | float:
    return int(x) if float(x).is_integer() else x


def _camera_phrase(cam: dict) -> str:
    zoom = f" ({_num(cam['optical_zoom'])}x optical zoom)" if cam.get("optical_zoom") else ""
    return f"{_num(cam['mp'])} MP {cam['type']}{zoom}"


def item_of(rec: dict) -> dict:
    """One catalog row from one TechAPI smartphone record."""
    brand = BRANDS.get(rec["brand"], rec["brand"].title())
    name = rec["name"]
    title = name if name.casefold().startswith(brand.casefold()) else f"{brand} {name}"
    cams = [c for c in rec["cameras"] if c.get("mp")]
    rear = [c for c in cams if c["type"] in REAR]
    selfie = [c for c in cams if "selfie" in c["type"]]
    zooms = [c["optical_zoom"] for c in cams if c.get("optical_zoom")]
    storage = sorted(rec["storage_options_gb"])
    disp = rec["display"]
    nfc = rec.get("connectivity", {}).get("nfc")
    year = int(rec["release_date"][:4])
    row = {
        "item_id": rec["slug"], "title": title, "price": _num(rec["msrp_usd"]), "brand": brand,
        "category": "phone", "form": form_of(name), "os": rec["os"], "os_version": str(rec["os_version"]),
        "year": year, "release_date": rec["release_date"], "chipset": chipset_name(rec["soc"]),
        "chipset_maker": CHIP_MAKERS.get(rec["soc"].split("-")[0], ""), "ram_gb": _num(rec["ram_gb"]),
        "storage_min_gb": storage[0], "storage_max_gb": storage[-1], "battery_mah": rec["battery_mah"],
        "screen_in": _num(disp["size_inch"]), "refresh_hz": disp["refresh_hz"], "display": disp["type"],
        "main_camera_mp": _num(max((c["mp"] for c in rear if c["type"] == "main"), default=0)),
        "selfie_camera_mp": _num(max((c["mp"] for c in selfie), default=0)), "rear_cameras": len(rear),
        "optical_zoom_x": _num(max(zooms)) if zooms else "", "charging_w": rec["charging_wired_w"],
        "wireless_charging_w": rec["charging_wireless_w"], "weight_g": _num(rec["weight_g"]),
        "ip_rating": rec.get("ip_rating") or "", "nfc": "" if nfc is None else ("yes" if nfc else "no"),
    }
    sizes = "/".join(str(s) for s in storage)
    wireless = (f" and {rec['charging_wireless_w']} W wireless" if rec["charging_wireless_w"]
                else ", no wireless charging")
    parts = [
        f"{title}: {rec['os']} {rec['os_version']} {row['form'] if row['form'] != 'bar' else ''} smartphone "
        f"by {brand}, released {rec['release_date']} at ${row['price']}.",
        f"{row['screen_in']}-inch {disp['type']} display at {disp['refresh_hz']} Hz.",
        f"{row['chipset']} chipset, {row['ram_gb']} GB RAM, {sizes} GB storage.",
        f"{rec['battery_mah']} mAh battery with {rec['charging_wired_w']} W wired charging{wireless}.",
        "Cameras: " + ", ".join(_camera_phrase(c) for c in cams) + ".",
        f"Weighs {row['weight_g']} g." + (f" {row['ip_rating']} water and dust resistance." if row["ip_rating"] else "")
        + ("" if nfc is None else (" NFC." if nfc else " No NFC.")),
    ]
    row["text"] = " ".join(" ".join(parts).split())
    return row


def load_records(techapi: Path) -> list[dict]:
    files = sorted((techapi / "data" / "smartphone").glob("*/*.json"))
    return [json.loads(f.read_text(encoding="utf-8")) for f in files]


def write(rows: list[dict], out: Path) -> None:
    rows = sorted(rows, key=lambda r: r["item_id"])
    with open(out / "items.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=COLUMNS)
        w.writeheader()
        w.writerows(rows)
    with open(out / "items.jsonl", "w", encoding="utf-8") as f:
        for r in rows:
            f.write(json.dumps({k: v for k, v in r.items() if v != ""}, ensure_ascii=False) + "\n")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--techapi", type=Path, required=True, help="a checkout of Seungpyo1007/TechAPI")
    ap.add_argument("--out", type=Path, default=Path(__file__).resolve().parent)
    args = ap.parse_args()
    rows = [item_of(r) for r in load_records(args.techapi)]
    write(rows, args.out)
    print(f"wrote {len(rows)} phones to {args.out}")


if __name__ == "__main__":
    main()
