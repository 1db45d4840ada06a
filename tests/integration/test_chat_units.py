"""Spec numbers over HTTP on a phone shop whose attribute names carry no unit ('ram',
'battery', 'weight' instead of 'ram_gb', 'battery_mah', 'weight_g'): the unit comes
from what the item texts write after each value, or, with no texts, from the name."""

from __future__ import annotations

import csv
import json
import random
from pathlib import Path

import httpx
import pytest

from service.api.app import create_app
from service.ingest.importer import import_path
from service.pipeline import Recommender
from service.store import open_store
from service.types import Item
from tests.integration.api_server import serve
from tests.integration.test_chat_catalogs import chat, make, served

ROOT = Path(__file__).resolve().parents[2]
RENAMED = {"ram_gb": "ram", "storage_max_gb": "storage", "battery_mah": "battery", "weight_g": "weight",
           "screen_in": "screen_size", "main_camera_mp": "camera", "charging_w": "fast_charging",
           "refresh_hz": "refresh_rate"}
KEPT = {"price", "brand", "category", "year", "os", *RENAMED.values()}


def shop_items(with_text: bool) -> list[Item]:
    out = []
    for line in (ROOT / "data/demo/phones/items.jsonl").read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        attrs = {RENAMED.get(k, k): v for k, v in row.items() if RENAMED.get(k, k) in KEPT}
        out.append(Item(item_id=row["item_id"], title=row["title"], text=row["text"] if with_text else "",
                        attributes=attrs))
    return out


UNITS = {"ram": "GB", "storage": "GB", "battery": "mAh", "weight": "g", "screen_size": '"', "camera": "MP",
         "fast_charging": "W", "refresh_rate": "Hz", "price": "$"}


def shop_csv(items: list[Item], path: Path) -> Path:
    """The shop as a CSV export writes it: each amount with its unit ('8 GB', '$999', '6.7"')."""
    def cell(attr: str, value: object) -> object:
        unit = UNITS.get(attr)
        return value if unit is None else f"${value}" if unit == "$" else f"{value}{unit}" if unit in 'g"' else f"{value} {unit}"
    columns = ["item_id", "title", *sorted(KEPT)]
    with open(path, "w", newline="", encoding="utf-8") as f:
        out = csv.writer(f)
        out.writerow(columns)
        for it in items:
            attrs = it.attributes
            out.writerow([it.item_id, it.title, *(cell(a, attrs[a]) if a in attrs else "" for a in columns[2:])])
    return path


@pytest.fixture(scope="module", params=["texts", "names", "cells"],
                ids=["unit-from-texts", "unit-from-names", "unit-in-csv-cells"])
def shop(request, tmp_path_factory):
    items = shop_items(request.param == "texts")
    path = tmp_path_factory.mktemp("units")
    if request.param == "cells":  # imported from a CSV whose cells carry their units: the numbers are read
        settings = make(path, [])
        store = open_store(settings)
        report = import_path(store, "csv", shop_csv(items, path / "phones.csv"))
        assert report.items == len(items) and not report.bad_rows
        Recommender(settings, store=store).build_index()
        store.close()
    else:
        settings = make(path, items)
    with serve(create_app(settings)) as base:
        yield base, {it.item_id: it for it in items}


@pytest.mark.parametrize("text,attr,low,high", [
    ("a phone with at least 12GB of RAM", "ram", 12, None),
    ("battery over 5000 mAh", "battery", 5000, None),
    ("un téléphone de moins de 190 grammes", "weight", None, 190),
    ("pantalla de 6,1 pulgadas o menos", "screen_size", None, 6.1),
    ("120W以上快充的手机", "fast_charging", 120, None),
    ("a 200 megapixel camera", "camera", 200, None),
    ("refresh rate of 144 Hz or more", "refresh_rate", 144, None),
])
def test_a_number_with_a_unit_finds_an_attribute_whose_name_has_none(shop, text, attr, low, high):
    base, items = shop
    body = chat(base, text)
    got = [items[i["item_id"]].attributes[attr] for i in body["items"]]
    assert got and body["understood"]["relaxed"] is None, body["understood"]
    assert all((low is None or v >= low) and (high is None or v <= high) for v in got), (got, body["understood"])
    assert not any("price" in n for n in body["understood"]["numbers"]), body["understood"]  # no budget read


@pytest.mark.parametrize("text", ["想要12+256的手机", "un móvil de 12/256 GB", "16+1T的版本"])
def test_memory_and_storage_said_together(shop, text):
    base, items = shop
    ram, size = (16, 1024) if "1T" in text else (12, 256)
    body = chat(base, text)
    got = [items[i["item_id"]].attributes for i in body["items"]]
    assert got and all(a["ram"] >= ram and a["storage"] >= size for a in got), body["understood"]


CPUS = [("Intel Core i7-1360P", "Intel"), ("Intel Core i5-1335U", "Intel"), ("AMD Ryzen 7 7840U", "AMD"),
        ("AMD Ryzen 5 7535HS", "AMD"), ("Qualcomm Snapdragon X Elite X1E-78-100", "Qualcomm"),
        ("Qualcomm Snapdragon X Plus X1P-64-100", "Qualcomm"), ("AMD Ryzen 7 8845HS", "AMD"), ("Intel Core i7-13700H", "Intel")]
CATEGORIES = ["laptop", "laptop", "laptop", "gaming laptop", "2-in-1", "chromebook"]


def laptop_items() -> list[Item]:
    """A laptop shop without item texts: weight in kilograms under a plain `weight`, SSD
    sizes in GB, screens in inches, batteries in watt-hours; categories of which the plain 'laptop' is the most
    common; a touchscreen flag beside a numeric `screen`."""
    rng = random.Random(7)
    out = []
    for i in range(48):
        brand = ["Lenovo", "Dell", "HP", "Asus"][i % 4]
        cpu, maker = CPUS[i % len(CPUS)]
        category = CATEGORIES[i % len(CATEGORIES)]
        attrs = {"brand": brand, "category": category, "cpu": cpu, "cpu_maker": maker,
                 "touchscreen": "yes" if category == "2-in-1" or i % 5 == 0 else "no",
                 "price": rng.choice([499, 699, 899, 1199, 1499, 1899]),
                 "ram": rng.choice([8, 16, 32]), "ssd": rng.choice([256, 512, 1024, 2048]),
                 "screen": rng.choice([13.3, 14.0, 15.6, 16.0, 17.3]), "weight": rng.choice([0.98, 1.2, 1.4, 1.7, 2.1, 2.6]),
                 "battery": rng.choice([42, 54, 60, 75, 90])}
        out.append(Item(item_id=f"l{i}", title=f"{brand} Laptop {i}", text="", attributes=attrs))
    return out


@pytest.fixture(scope="module")
def laptops(tmp_path_factory):
    with served(tmp_path_factory, "laptops", laptop_items()) as shop:
        yield shop


@pytest.mark.parametrize("text,bounds", [
    ("a laptop under 1.5 kg", {"weight": (None, 1.5)}),
    ("un portátil de menos de 1000 gramos", {"weight": (None, 1.0)}),
    ("un portátil con 16 GB de RAM y 1 TB de SSD", {"ram": (16, None), "ssd": (1024, None)}),
    ("un ordinateur portable avec un écran de 14 pouces maximum", {"screen": (None, 14)}),
])
def test_a_unit_at_another_scale_than_the_catalogs(laptops, text, bounds):
    """'1.5 kg' where the name says grams but the values are kilograms; '1000 gramos' for
    the same; '1 TB' of an SSD measured in GB."""
    base, items = laptops
    body = chat(base, text)
    got = [items[i["item_id"]].attributes for i in body["items"]]
    assert got and body["understood"]["relaxed"] is None, body["understood"]
    for attr, (low, high) in bounds.items():
        assert all((low is None or a[attr] >= low) and (high is None or a[attr] <= high) for a in got), (attr, got)


@pytest.mark.parametrize("text,check", [
    ("a laptop with a 14 inch screen or smaller", lambda a: a["screen"] <= 14),
    ("il me faut un écran à 14 pouces maximum", lambda a: a["screen"] <= 14),
    ("can't go over $1,500 though", lambda a: a["price"] <= 1500),
    ("quiero un portátil gaming", lambda a: a["category"] == "gaming laptop"),
    ("un bon portable, mais surtout pas un PC gamer", lambda a: a["category"] != "gaming laptop"),
    ("un 2 en 1 para dibujar", lambda a: a["category"] == "2-in-1"),
    ("busco un portátil con procesador Snapdragon", lambda a: "Snapdragon" in a["cpu"]),
    ("一台锐龙7的笔记本", lambda a: "Ryzen 7" in a["cpu"]),
])
def test_a_laptop_shop_is_read_with_its_own_words(laptops, text, check):
    """A screen size asks no touchscreen; thousands are kept; 'gaming', '2 en 1' name their
    categories; a chip family is named without its maker."""
    base, items = laptops
    body = chat(base, text)
    got = [items[i["item_id"]].attributes for i in body["items"]]
    assert got and all(check(a) for a in got), (body["understood"], got)
    assert "touchscreen" not in str(body["understood"]["filters"]), body["understood"]


@pytest.mark.parametrize("text", ["un ordi portable avec un processeur AMD", "a laptop with an AMD processor",
                                  "推荐一款AMD的笔记本"])
def test_a_word_for_what_the_shop_sells_is_no_filter(laptops, text):
    """'un ordi portable' in a laptop shop is any of its laptops, gaming and 2-in-1 ones too,
    not only those filed under the plain 'laptop'."""
    base, items = laptops
    body = chat(base, text)
    filters = body["understood"]["filters"]
    assert "category" not in str(filters) and "AMD" in str(filters), body["understood"]


def test_a_battery_in_watt_hours_where_the_name_alone_says_so(laptops):
    """Without item texts 'battery' may be mAh or Wh: the values' size says Wh, so '60Wh or
    more' reads it (and beats '电池大一点', a direction without a number)."""
    base, items = laptops
    for text in ("the battery should be 60Wh or more", "电池最好大一点，60Wh以上"):
        body = chat(base, text)
        got = [items[i["item_id"]].attributes["battery"] for i in body["items"]]
        assert got and all(b >= 60 for b in got), body["understood"]
        assert body["understood"]["numbers"] == ["battery >= 60"], body["understood"]


def test_a_follow_up_that_narrows_an_answer_shows_what_fits_of_it_too(laptops):
    """'a 2-in-1' then 'with 16GB of RAM or more': the 2-in-1s with 16 GB not shown yet
    first, then those of the first answer that have it, rather than a short list of new
    ones only."""
    base, items = laptops
    first = chat(base, "a 2-in-1 laptop")
    shown = [i["item_id"] for i in first["items"]]
    r = httpx.post(base + "/v1/chat", json={"k": 5, "messages": [
        {"role": "user", "content": "a 2-in-1 laptop"},
        {"role": "assistant", "content": first["reply"], "item_ids": shown},
        {"role": "user", "content": "with 16GB of RAM or more"}]}, timeout=60)
    assert r.status_code == 200, r.text
    got = [i["item_id"] for i in r.json()["items"]]
    fits = {i for i, it in items.items() if it.attributes["category"] == "2-in-1" and it.attributes["ram"] >= 16}
    assert set(got) <= fits and len(got) == min(5, len(fits)), (got, fits)
    new = [i in shown for i in got]
    assert any(new) and new == sorted(new)  # some were shown before, and they come after the new ones
