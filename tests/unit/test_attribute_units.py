"""Which unit a catalog's numeric attribute is measured in, from its item texts or its name."""

from __future__ import annotations

import pytest

from service.text.attribute_units import attribute_units, units_by_name, units_of_texts
from service.text.lexicon import lexicon
from service.text.numbers import read_numbers
from service.text.unit_words import unit_after
from service.text.value_parts import shared_parts
from service.text.vocabulary import Vocabulary


@pytest.mark.parametrize("text,unit", [
    (" GB RAM", "gb"), ("-inch display", "in"), (" 克以内", "g"), ("mAh", "mah"), (" To", "tb"), ('" screen', "in"),
    (" watts", "w"), (" dollars", None), (" years old", None), ("以内", None), (" to 500", None), (" and", None),
])
def test_a_unit_of_measure_after_a_number(text, unit):
    assert unit_after(text) == unit


def test_the_unit_the_item_texts_write_after_a_value_wins():
    rows = [({"ram": r, "selfie": f, "os_version": v}, f"Android {v} phone with {r} GB RAM and a {f} MP selfie camera.")
            for r, f, v in [(8, 12, 13), (12, 16, 14), (16, 12, 12), (12, 32, 13)]]
    # 12 is both a RAM size and a selfie camera's megapixels in some rows: each attribute
    # takes the unit most of its own items write after its value; 'os_version' none
    assert units_of_texts(rows) == {"ram": "gb", "selfie": "mp"}


def test_a_name_says_the_unit_when_the_texts_do_not():
    units = units_by_name(["ram_gb", "screen_inches", "battery", "weight", "screen_size", "rear_cameras", "price",
                           "fast_charging"], lexicon())
    assert units == {"ram_gb": ["gb"], "screen_inches": ["in"], "battery": ["mah", "wh"], "weight": ["g"],
                     "screen_size": ["in"], "rear_cameras": ["cameras"], "price": ["price"], "fast_charging": ["w"]}


def test_texts_overrule_a_name():
    rows = [({"screen": s}, f"A {s} cm screen.") for s in (14, 15, 17)]  # a name says inches, the texts centimetres
    assert attribute_units(["screen"], lexicon(), units_of_texts(rows)) == {"screen": ["cm"]}
    assert attribute_units(["screen"], lexicon()) == {"screen": ["in"]}


@pytest.mark.parametrize("text,price", [("over 5000 mAh", None), ("under 200 grams", None), ("under 200", 200.0),
                                        ("moins de 300 €", 300.0), ("from 100 to 200 dollars", 100.0)])
def test_a_number_with_a_unit_of_measure_is_no_budget(text, price):
    vocab = Vocabulary([{"price": p, "brand": "X"} for p in (150.0, 300.0, 450.0, 900.0)], lexicon())
    found = [c for c in read_numbers(text, "fr" if "moins" in text else "en", lexicon(), vocab) if c.attribute == "price"]
    assert (found[0].gte if found and found[0].gte is not None else found[0].lte if found else None) == price


@pytest.mark.parametrize("name,role", [("prix", "price"), ("precio", "price"), ("price_eur", "price"),
                                       ("année", "year"), ("pub_year", "year"), ("avg_rating", "rating")])
def test_a_catalog_in_another_language_names_its_price_and_year(name, role):
    vocab = Vocabulary([{name: v} for v in (3.5, 4.0, 4.5)] if role == "rating" else
                       [{name: v} for v in (1999, 2005, 2012)], lexicon())
    assert vocab.roles[role] == name


@pytest.mark.parametrize("text,lang,bound", [("anything under $2,500?", "en", 2500.0), ("moins de 1.500 €", "fr", 1500.0),
                                             ("budget 12 000 € max", "fr", 12000.0), ("under $1,299.99", "en", 1299.99),
                                             ("hasta 1.299,99 dólares", "es", 1299.99), ("under 999", "en", 999.0)])
def test_a_number_keeps_its_thousands(text, lang, bound):
    vocab = Vocabulary([{"price": p} for p in (150.0, 900.0, 2400.0, 11000.0)], lexicon())
    found = [c for c in read_numbers(text, lang, lexicon(), vocab) if c.attribute == "price"]
    assert found and found[0].lte == pytest.approx(bound)  # a catalog of no known currency: the number as written


def test_a_chip_family_is_named_without_its_maker_and_an_attribute_by_its_own_name_is_no_part():
    values = {("cpu", v): 1 for v in ["AMD Ryzen 7 7840U", "AMD Ryzen 7 8845HS", "AMD Ryzen 5 7535HS",
                                      "Qualcomm Snapdragon X Elite X1E-78-100", "Qualcomm Snapdragon X Plus X1P-64-100",
                                      "Intel Core i7-1360P", "Intel Core i7-13700H"]}
    values.update({("gpu", v): 1 for v in ["Apple M3 10-core GPU", "Apple M2 8-core GPU"]})
    parts = shared_parts(values, set())
    assert {v for _a, v in parts["ryzen 7"]} == {"AMD Ryzen 7 7840U", "AMD Ryzen 7 8845HS"}
    assert len(parts["snapdragon"]) == 2 and len(parts["core i7"]) == 2 and len(parts["ryzen"]) == 3
    assert "gpu" not in parts
