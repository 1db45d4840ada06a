"""A wine shop none of the code was written for, over the real API: a follow-up that
nothing new fits shows the earlier answer's items that do, and a short answer is filled
with the items that fit all but an unsure reading, saying so."""

from __future__ import annotations

import httpx
import pytest

from service.types import Item
from tests.integration.test_chat_catalogs import chat, served

WINES = [("red", "France"), ("white", "Italy"), ("rosé", "Spain"), ("sparkling", "France"), ("dessert", "Portugal"),
         ("red", "USA"), ("rosé", "France"), ("white", "New Zealand")]


def wine_items() -> list[Item]:
    out = []
    for i in range(40):
        color, country = WINES[i % len(WINES)]
        attrs = {"color": color, "country": country, "price": 8 + (i * 7) % 60, "abv": 11.0 + (i % 8) * 0.5,
                 "sweetness": "sweet" if color == "dessert" else "dry"}
        out.append(Item(item_id=f"w{i}", title=f"Wine {i}", text="", attributes=attrs))
    return out


@pytest.fixture(scope="module")
def wines(tmp_path_factory):
    with served(tmp_path_factory, "wines", wine_items()) as shop:
        yield shop


def test_a_follow_up_nothing_new_fits_shows_the_earlier_items_that_do(wines):
    """'un rosado' then 'que no sea francés, y de menos de 15 dólares': every rosé that fits
    was in the first answer; they come back rather than wines of another colour."""
    base, items = wines
    first = chat(base, "busco un rosado", k=10)
    shown = [i["item_id"] for i in first["items"]]
    fits = {i for i, it in items.items() if it.attributes["color"] == "rosé" and it.attributes["country"] != "France"
            and it.attributes["price"] <= 15}
    assert fits and fits <= set(shown), (fits, shown)  # the premise: the first answer showed all that fit
    r = httpx.post(base + "/v1/chat", json={"k": 10, "messages": [
        {"role": "user", "content": "busco un rosado"},
        {"role": "assistant", "content": first["reply"], "item_ids": shown},
        {"role": "user", "content": "que no sea francés, y de menos de 15 dólares"}]}, timeout=60)
    assert r.status_code == 200, r.text
    assert {i["item_id"] for i in r.json()["items"]} == fits, r.json()["understood"]


def test_a_short_answer_is_filled_with_what_fits_all_but_an_unsure_reading(wines):
    """'algo espumoso' reads sparkling by meaning, not surely (cosine 0.59): after the
    sparkling wines under $20 come wines under $20 of other colours, and the reply says
    which fit everything."""
    base, items = wines
    body = chat(base, "algo espumoso de menos de 20 dólares", k=5)
    got = [items[i["item_id"]].attributes for i in body["items"]]
    strict = sum(it.attributes["color"] == "sparkling" and it.attributes["price"] <= 20 for it in items.values())
    assert 0 < strict < 5 and len(got) == 5, (strict, body["understood"])
    assert [a["color"] == "sparkling" for a in got] == [True] * strict + [False] * (5 - strict)
    assert all(a["price"] <= 20 for a in got)
    first_line = body["reply"].split("\n")[0]
    assert "cumple" in first_line and "dejan de lado sparkling" in first_line, body["reply"]
