"""Numbers as shoppers write them: Chinese ten-thousands, too much, modal negations, a
year with a noun before its comparison."""

from __future__ import annotations

import pytest

from service.chat.intent import Turn, parse
from service.text.lexicon import lexicon
from service.text.numbers import read_numbers
from service.text.titles import TitleIndex
from service.text.vocabulary import Vocabulary


@pytest.fixture(scope="module")
def shop() -> Vocabulary:
    return Vocabulary([{"price": p, "year": y, "weight_kg": w} for p, y, w in
                       [(3000.0, 2020, 1.1), (6000.0, 2022, 1.4), (9000.0, 2023, 1.8), (15000.0, 2024, 2.4)]], lexicon())


def bounds(vocab, text, lang, attr):
    return [(c.gte, c.lte) for c in read_numbers(text, lang, lexicon(), vocab) if c.attribute == attr]


@pytest.mark.parametrize("text,expected", [("预算1.5万以内", 15000.0), ("价格控制在1万5以内", 15000.0), ("8千以内", 8000.0),
                                           ("两千五以内", 2500.0)])
def test_chinese_ten_thousands_and_thousands_after_digits(shop, text, expected):
    assert bounds(shop, text, "zh", "price") == [(None, expected)]


@pytest.mark.parametrize("text,lang", [("those are too expensive", "en"), ("c'est trop cher", "fr"),
                                       ("都太贵了", "zh"), ("demasiado caro", "es")])
def test_too_expensive_asks_for_cheaper_not_premium(shop, text, lang):
    (low, high), = bounds(shop, text, lang, "price")
    assert low is None and high == pytest.approx(7500.0)  # at most the median


@pytest.mark.parametrize("text,lang", [("it can't cost more than 9000", "en"), ("no puede costar más de 9000", "es"),
                                       ("价格不能超过9000", "zh")])
def test_a_modal_negation_turns_a_comparison_round(shop, text, lang):
    assert bounds(shop, text, lang, "price") == [(None, 9000.0)]


def test_a_modal_negation_negates_no_value():
    vocab = Vocabulary([{"brand": b} for b in ("Dell", "Asus", "Lenovo")], lexicon())
    intent = parse([Turn("user", "I can't decide between Dell and Asus")], TitleIndex([]), vocab=vocab)
    assert set(intent.values_in) == {("brand", "Dell"), ("brand", "Asus")} and not intent.values_out


@pytest.mark.parametrize("text,expected", [("it has to be a 2023 model or newer", (2023, None)),
                                           ("a 2022 laptop or later", (2022, None)), ("a 2020 laptop", (2020, 2020))])
def test_a_year_reaches_its_comparison_past_a_noun(shop, text, expected):
    assert bounds(shop, text, "en", "year") == [expected]
