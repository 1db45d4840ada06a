"""Understanding that comes from the catalog, not a movie lexicon: attribute values of
any catalog (brands, authors, shelves) in four languages, numbers and comparisons,
question forms that are not negations, and 'like it'."""

import random

import pytest

from service.chat.intent import Turn, parse
from service.text.lexicon import lexicon
from service.text.titles import TitleIndex
from service.text.vocabulary import Vocabulary, surface_forms

TITLES = TitleIndex([("1", "Toy Story (1995)"), ("2", "It (2017)"), ("3", "Love Story (1970)"),
                     ("4", "NeverEnding Story, The (1984)")])


def phones() -> Vocabulary:
    rng = random.Random(0)
    attrs = [{"brand": rng.choice(["Samsung", "Apple", "Xiaomi", "Google"]), "category": "Smartphone",
              "price": 100.0 + 25 * i, "rating": 3.0 + (i % 20) / 10} for i in range(40)]
    return Vocabulary(attrs, lexicon())


def books() -> Vocabulary:
    attrs = [{"authors": ["Stephen King"], "year": 1986, "shelves": ["horror", "young-adult"]},
             {"authors": ["J.K. Rowling", "Mary GrandPré"], "year": 1997, "shelves": ["fantasy", "young-adult"]},
             {"authors": ["Agatha Christie"], "year": 1934, "shelves": ["mystery", "historical-fiction"]},
             {"authors": ["Sally Rooney"], "year": 2018, "shelves": ["contemporary"]}]
    return Vocabulary(attrs, lexicon())


def ask(text, vocab=None, *more):
    turns = [Turn("user", text)] + [Turn("assistant" if i % 2 == 0 else "user", t) for i, t in enumerate(more)]
    return parse(turns, TITLES, vocab=vocab)


def ranges(intent):
    return {(c.attribute, c.gte, c.lte) for c in intent.ranges}


def test_surface_forms():
    assert surface_forms("Sci-Fi") >= {"sci fi", "scifi"}
    assert surface_forms("young-adult") >= {"young adult"}
    assert surface_forms("comedy") >= {"comedies"} and surface_forms("thrillers") >= {"thriller"}


@pytest.mark.parametrize("text", ["有没有好看的恐怖片", "are there any good horror films?",
                                  "y a-t-il de bons films d'horreur ?", "¿hay buenas películas de terror?"])
def test_a_question_is_not_a_negation(text):
    intent = ask(text)
    assert intent.include == ["horror"] and intent.exclude == []


def test_negation_still_works_and_ends_at_the_clause():
    assert ask("没有恐怖片，要喜剧").exclude == ["horror"]
    intent = ask("no horror, but a comedy")
    assert intent.exclude == ["horror"] and intent.include == ["comedy"]


def test_like_it_means_the_title_just_named_not_a_film_called_it():
    intent = ask("I loved Toy Story, give me more like it")
    assert intent.seeds == ["1"] and "story" not in intent.words
    shown = parse([Turn("user", "something fun"), Turn("assistant", "x", ["4", "3"]),
                   Turn("user", "more like that one")], TITLES)
    assert shown.seeds == ["4"]


@pytest.mark.parametrize("text,lang_values,lang_ranges", [
    ("a Samsung phone under 300 dollars", [("brand", "Samsung")], {("price", None, 300.0)}),
    ("pas d'Apple, moins de 500 euros", [], {("price", None, 500.0)}),
    ("un móvil Xiaomi con 4.5 estrellas o más", [("brand", "Xiaomi")], {("rating", 4.5, None)}),
    ("300元以下的谷歌手机", [("brand", "Google")], {("price", None, 300.0)}),  # a name Chinese writes by meaning
])
def test_phone_catalog_values_and_numbers(text, lang_values, lang_ranges):
    intent = ask(text, phones())
    assert intent.values_in == lang_values and ranges(intent) == lang_ranges


def test_negated_brand_is_excluded():
    assert ask("pas d'Apple, moins de 500 euros", phones()).values_out == [("brand", "Apple")]


def test_good_value_is_a_quality_price_trade_off_on_the_catalogs_own_columns():
    vocab = phones()
    intent = ask("我最近在寻找一款性价比高的智能手机", vocab)
    got = {c.attribute: c for c in intent.ranges}
    assert got["price"].lte == pytest.approx(vocab.quantile("price", 0.5))
    assert got["rating"].gte == pytest.approx(vocab.quantile("rating", 0.5))
    assert all("good value" in c.why for c in intent.ranges)


def test_book_catalog_authors_shelves_and_years():
    vocab = books()
    intent = ask("young adult books by Stephen King published after 2010", vocab)
    assert ("authors", "Stephen King") in intent.values_in and ("shelves", "young-adult") in intent.values_in
    assert ranges(intent) == {("year", 2010.0, None)}
    assert ask("un roman d'Agatha Christie des années 30", vocab).values_in == [("authors", "Agatha Christie")]
    assert ranges(ask("un roman d'Agatha Christie des années 30", vocab)) == {("year", 1930.0, 1939.0)}
    assert ask("no quiero nada de Rowling", vocab).values_out == [("authors", "J.K. Rowling")]  # a surname is enough
    assert ranges(ask("2010年以后的书", vocab)) == {("year", 2010.0, None)}


@pytest.mark.parametrize("text,expected", [
    ("libros de Dan Brown, pero no anteriores a 2005", {("year", 2005.0, None)}),  # a negated 'before'
    ("books not after 1990", {("year", None, 1990.0)}),
    ("不早于2000年的书", {("year", 2000.0, None)}),
    ("不要斯蒂芬·金的，要2010年以后的", {("year", 2010.0, None)}),  # a number right after a Chinese word
    ("评分高于4.3的书", {("rating", 4.3, None)}),  # the explicit number, not the vague 'rated highly'
])
def test_comparisons_that_are_negated_plural_or_glued_to_chinese(text, expected):
    vocab = Vocabulary([{"authors": ["Dan Brown"], "year": 1990 + i, "rating": 3.5 + i / 20} for i in range(20)],
                       lexicon())
    assert ranges(ask(text, vocab)) == expected


def test_a_name_written_in_chinese_is_the_catalogs_author():
    vocab = books()
    assert ask("斯蒂芬·金的恐怖小说", vocab).values_in == [("authors", "Stephen King")]
    assert ask("我想读J·K·罗琳的书", vocab).values_in == [("authors", "J.K. Rowling")]
    assert ask("不要阿加莎·克里斯蒂的书", vocab).values_out == [("authors", "Agatha Christie")]


def test_a_brand_spelled_like_a_negation_is_a_name_only_when_written_as_one():
    attrs = [{"brand": b, "category": "Smartphone", "price": 300.0 + i} for i, b in enumerate(["Nothing", "Samsung"] * 5)]
    vocab = Vocabulary(attrs, lexicon())
    for text in ("un Nothing Phone avec les lumières au dos", "a Nothing phone with lights on the back"):
        intent = ask(text, vocab)
        assert intent.values_in == [("brand", "Nothing")] and intent.exclude == [] and intent.values_out == []
    intent = ask("a phone, nothing from Samsung", vocab)
    assert intent.values_out == [("brand", "Samsung")] and intent.values_in == []


@pytest.mark.parametrize("text", ["a movie my 6 year old can watch", "un film pour un enfant de 6 ans",
                                  "una película para un niño de 6 años", "适合六岁孩子看的电影", "something for a 7-year-old"])
def test_a_childs_age_asks_for_childrens_items(text):
    intent = ask(text)
    assert "children" in intent.include
    assert not any(ch.isdigit() for ch in intent.meaning() or "")  # the age is read, not searched for


def test_an_older_age_or_a_time_span_is_no_child():
    assert "children" not in ask("something for a sleepover with a bunch of 14 year olds").include
    assert "children" not in ask("películas de los últimos 5 años").include
    assert "children" in ask("not for my 6 year old").exclude


def test_a_numbered_answer_line_keeps_a_title_that_contains_a_dash():
    titles = TitleIndex([("1", "Aliens (1986)"), ("2", "Star Wars: Episode IV - A New Hope (1977)")])
    answer = Turn("assistant", "Here are 2 picks:\n1. Aliens (1986) — tense - and loud\n"
                               "2. Star Wars: Episode IV - A New Hope (1977)")
    intent = parse([Turn("user", "a space movie"), answer, Turn("user", "more like the second one")], titles)
    assert intent.seeds == ["2"]


@pytest.mark.parametrize("text,lang,expected", [
    ("more like the second one, but older", "en", [("year", "lower", "older")]),
    ("un autre, mais plus récent que le premier", "fr", [("year", "higher", "plus récent")]),
    ("¿alguno más barato que el primero?", "es", [("price", "lower", "más barato")]),
    ("比第一个更便宜的", "zh", [("price", "lower", "更便宜")]),
    ("跟第一个差不多价钱的", "zh", [("price", "around", "差不多价钱")]),
    ("the same era as the first one", "en", [("year", "around", "same era")]),
])
def test_a_comparison_with_an_item_referred_to_is_relative_to_it(text, lang, expected):
    attrs = [{"brand": "Samsung", "price": 300.0 + 10 * i, "year": 2000 + i} for i in range(12)]
    vocab = Vocabulary(attrs, lexicon())
    intent = parse([Turn("user", "space adventures"), Turn("assistant", "x", ["1", "3"]), Turn("user", text)],
                   TITLES, vocab=vocab)
    assert intent.seeds == ["1"] if "second" not in text else intent.seeds == ["3"]
    assert intent.relative == expected and intent.ranges == []  # bounded by the item, not the catalog
    # nothing is left for the encoder to search in the follow-up: the first turn speaks
    assert intent.meaning() == "space adventures"


def test_without_an_item_referred_to_cheaper_is_no_relative_bound():
    attrs = [{"brand": "Samsung", "price": 300.0 + 10 * i, "year": 2000 + i} for i in range(12)]
    assert parse([Turn("user", "something cheaper")], TITLES, vocab=Vocabulary(attrs, lexicon())).relative == []


def _shop() -> Vocabulary:
    rng = random.Random(1)
    return Vocabulary([{"brand": b, "category": "Smartphone", "price": 150.0 + 40 * i, "weight_g": 150.0 + 3 * i,
                        "screen_in": 5.8 + 0.05 * i, "year": 2018 + i % 7}
                       for i, b in enumerate(rng.choice(["Samsung", "Apple", "Google", "Xiaomi"]) for _ in range(40))],
                      lexicon())


@pytest.mark.parametrize("text,expected", [
    ("el mejor teléfono para fotos sin gastar más de 700 dólares", {("price", None, 700.0)}),
    ("not more than 700 dollars", {("price", None, 700.0)}),
    ("pas d'Apple, moins de 500 euros", {("price", None, 500.0)}),  # the negation ended with its clause
    ("un móvil de menos de 170 gramos", {("weight_g", None, 170.0)}),  # grams are a weight, not a price
])
def test_negated_comparisons_and_units_in_words(text, expected):
    assert ranges(ask(text, _shop())) == expected


@pytest.mark.parametrize("text,out,wanted", [
    ("any brand except Apple and Samsung", {"Apple", "Samsung"}, set()),
    ("n'importe quelle marque sauf Apple, Samsung et Google", {"Apple", "Samsung", "Google"}, set()),
    ("no Apple, Samsung is fine", {"Apple"}, {"Samsung"}),  # a comma alone ends the clause
    ("Apple or Samsung but not Xiaomi", {"Xiaomi"}, {"Apple", "Samsung"}),
])
def test_a_negation_reaches_through_a_list_of_values(text, out, wanted):
    intent = ask(text, _shop())
    assert {v for _a, v in intent.values_out} == out and {v for _a, v in intent.values_in} == wanted


@pytest.mark.parametrize("text,expected", [
    ("a phone around 500 dollars", {("price", 400.0, 600.0)}),
    ("un téléphone autour de 500 euros", {("price", 400.0, 600.0)}),
    ("un móvil de unos 500 euros", {("price", 400.0, 600.0)}),
    ("500元左右的手机", {("price", 400.0, 600.0)}),
    ("a phone for 500 dollars or so", {("price", 400.0, 600.0)}),
    ("a 500 dollar phone", {("price", None, 550.0)}),  # no 'around': a budget, as before
])
def test_around_a_price_is_a_range_either_way(text, expected):
    assert ranges(ask(text, phones())) == expected


def test_around_a_year_or_a_rating_is_a_narrow_range():
    assert ranges(ask("books from around 1990", books())) == {("year", 1988.0, 1992.0)}
    assert ranges(ask("un móvil con alrededor de 4 estrellas", phones())) == {("rating", 3.75, 4.25)}


def priced(currency):
    vocab = phones()
    vocab.currency = currency
    return vocab


@pytest.mark.parametrize("text,expected", [
    ("两千块以内的手机", {("price", None, 280.0)}),          # yuan, said with 块
    ("预算五千以内", {("price", None, 700.0)}),               # a Chinese budget with no currency word: yuan
    ("500美元以下的手机", {("price", None, 500.0)}),          # dollars, said in Chinese: as written
    ("un móvil por menos de 400 euros", {("price", None, 432.0)}),
    ("a phone under 300 dollars", {("price", None, 300.0)}),
    ("a phone under ¥2000", {("price", None, 280.0)}),
    ("un Pixel, et 800 € grand maximum", {("price", None, 864.0)}),  # the sign after the number
    ("hasta 600 €", {("price", None, 648.0)}),
])
def test_a_budget_in_another_currency_is_converted_to_the_catalogs(text, expected):
    assert ranges(ask(text, priced("USD"))) == expected


def test_without_a_known_catalog_currency_a_number_is_taken_as_written():
    assert ranges(ask("两千块以内的手机", priced(None))) == {("price", None, 2000.0)}


def test_the_catalogs_currency_is_what_most_item_texts_write_next_to_a_number():
    from service.text.currency import of_texts

    lex = lexicon()
    assert of_texts(lex, ["Released at $999.", "A phone at $349", "6.1-inch screen"]) == "USD"
    assert of_texts(lex, ["售价2999元", "售价 1999 元", "¥4999"]) == "CNY"
    assert of_texts(lex, ["Prix : 499 €", "A 6.5-inch screen", "5000 mAh", "12 MP"]) is None  # 1 of 4: not most
    assert of_texts(lex, ["A war film from 1998.", "Rated 4.5 stars"]) is None


@pytest.mark.parametrize("text", [
    "my dad's 72 and needs a big screen",   # an age
    "the Mate 60 Pro is hard to find, anything similar",  # a model number
    "iPhone 13用了三年了，想换个安卓的",    # years of use
    "骁龙8系的芯片",                         # a chip series
    "para editar vídeo en 4K",               # a resolution, not four thousand
])
def test_a_bare_number_without_a_comparison_is_no_budget(text):
    assert ranges(ask(text, _shop())) == set()


@pytest.mark.parametrize("text,expected", [
    ("a phone under 300", {("price", None, 300.0)}),        # a comparison makes it one
    ("2500以内的手机", {("price", None, 2500.0)}),
    ("骁龙8系以上", set()),                                  # ... but not one no price here is near
])
def test_a_bare_number_with_a_comparison_is_a_budget_where_the_catalog_has_such_prices(text, expected):
    assert ranges(ask(text, _shop())) == expected


@pytest.mark.parametrize("text,expected", [
    ("he needs a big screen but I don't want to spend more than $350 on it", {("price", None, 350.0)}),
    ("something cheap, $550 tops", {("price", None, 550.0)}),
    ("un móvil de 300 euros como mucho", {("price", None, 300.0)}),
    ("轻一点的，190克以内", {("weight_g", None, 190.0)}),      # a unit glued to a Chinese word
    ("6.3寸以内的小屏", {("screen_in", None, 6.3)}),
])
def test_comparisons_reach_further_and_units_may_be_chinese(text, expected):
    assert ranges(ask(text, _shop())) == expected


def test_not_expensive_is_at_most_the_median_price():
    vocab = _shop()
    assert ranges(ask("un Samsung que no sea caro", vocab)) == {("price", None, vocab.quantile("price", 0.5))}
    assert ranges(ask("un Samsung caro", vocab)) == {("price", vocab.quantile("price", 2 / 3), None)}


@pytest.mark.parametrize("text,decade", [
    ("una peli de los 2000 que me haga reír", 2000), ("une comédie des années 2000", 2000),
    ("algo de los 90", 1990), ("a thriller from the 2000s", 2000),
])
def test_decades_in_every_language(text, decade):
    assert ranges(ask(text, books())) == {("year", float(decade), float(decade + 9))}


def test_a_year_give_or_take_in_chinese():
    assert ranges(ask("想看2000年前后的电影", books())) == {("year", 1998.0, 2002.0)}


@pytest.mark.parametrize("text", ["she hates anything scary, something romantic",
                                  "elle déteste l'horreur, une comédie romantique",
                                  "mi novia odia el terror, algo romántico", "她讨厌恐怖片，想看爱情片"])
def test_hating_something_is_a_negation(text):
    intent = ask(text)
    assert "horror" in intent.exclude and "horror" not in intent.include



@pytest.mark.parametrize("text", ["des téléphones notés 4 ou plus", "móviles valorados 4 o más"])
def test_rated_as_a_participle_names_the_rating(text):
    assert ranges(ask(text, phones())) == {("rating", 4.0, None)}


@pytest.mark.parametrize("text", ["libros con nota de 4 o más", "books with a rating of 4 or more"])
def test_a_role_word_reaches_its_number_through_of(text):
    assert ranges(ask(text, phones())) == {("rating", 4.0, None)}


@pytest.mark.parametrize("text", ["斯蒂芬·金的都看过了，推荐点别的", "I've already read all of Stephen King, something similar",
                                  "j'ai déjà tout lu de Stephen King", "ya leí a Stephen King, algo parecido"])
def test_what_the_person_has_read_already_is_left_out(text):
    intent = ask(text, books())
    assert ("authors", "Stephen King") in intent.values_out and ("authors", "Stephen King") not in intent.values_in


@pytest.mark.parametrize("text,concept", [("推荐点别的奇幻", "fantasy"), ("特别好看的恐怖片", "horror")])
def test_other_and_especially_in_chinese_are_no_negations(text, concept):
    intent = ask(text)
    assert concept in intent.include and concept not in intent.exclude


@pytest.mark.parametrize("text,lo,hi", [("五六十年代的爱情老片", 1950, 1969), ("un vieux film noir, années 40-50", 1940, 1959),
                                        ("romance from the 50s and 60s", 1950, 1969), ("algo de los 50 y 60", 1950, 1969),
                                        ("un film des années 30 ou 40", 1930, 1949), ("pelis de los 80 o 90", 1980, 1999),
                                        ("movies from the 80s or 90s", 1980, 1999)])
def test_two_decades_named_together_are_one_range(text, lo, hi):
    assert ranges(ask(text, books())) == {("year", float(lo), float(hi))}


def lined_phones(with_titles: bool = True) -> Vocabulary:
    """Titles as a phone shop writes them: brand, line, model."""
    models = [("Apple", "iPhone 15", "iOS"), ("Apple", "iPhone 14", "iOS"), ("Samsung", "Galaxy S24", "Android"),
              ("Samsung", "Galaxy A55", "Android"), ("Xiaomi", "Redmi Note 13", "Android"),
              ("Xiaomi", "Redmi 13C", "Android"), ("Xiaomi", "POCO F6", "Android"), ("Xiaomi", "POCO X6", "Android"),
              ("Xiaomi", "14 Ultra", "Android"), ("Xiaomi", "13 Pro", "Android"), ("Google", "Pixel 8", "Android"),
              ("Google", "Pixel 9", "Android"), ("Nothing", "Phone (2)", "Android"), ("Nothing", "Phone (3)", "Android")]
    attrs = [{"brand": b, "os": o, "price": 300.0 + 50 * n} for n, (b, _m, o) in enumerate(models)]
    return Vocabulary(attrs, lexicon(), titles=[f"{b} {m}" for b, m, _o in models] if with_titles else None)


@pytest.mark.parametrize("text,wanted,unwanted", [
    ("which iphone lasts the longest on a charge?", [("brand", "Apple")], []),
    ("I take a ton of photos. iPhone or Pixel, max $900", [("brand", "Apple"), ("brand", "Google")], []),
    ("no Galaxy please", [], [("brand", "Samsung")]),  # every Samsung is a Galaxy
    ("Je veux un Xiaomi vraiment bon en photo, pas un Redmi ni un Poco", [("brand", "Xiaomi")], []),
    ("un Samsung que no sea de la serie Galaxy S", [("brand", "Samsung")], []),
    ("algo un poco más barato", [], []),  # 'poco' is a word; the line is written 'POCO' or 'Poco'
    ("I need a phone with a big screen", [], []),  # 'Phone' follows 'Nothing' in titles, and is a kind word
])
def test_a_product_line_names_its_brand(text, wanted, unwanted):
    intent = ask(text, lined_phones())
    assert intent.values_in == wanted and intent.values_out == unwanted, intent


@pytest.mark.parametrize("text,lines_in,lines_out", [
    ("is there a poco F that isn't ancient?", [("brand", "poco f")], []),  # lowercase before its series letter
    ("an actual galaxy S this time", [("brand", "galaxy s")], []),
    ("un Redmi con buena batería", [("brand", "redmi")], []),
    ("je veux un Xiaomi, pas un Redmi", [], ["redmi"]),
    ("a Redmi", [], []),  # ... then 'not a Redmi' after all
])
def test_a_part_of_a_brand_asked_for_is_its_titles(text, lines_in, lines_out):
    turns = [text] if text != "a Redmi" else [text, "<answer>", "actually, not a Redmi"]
    conv = [Turn("assistant", "1. One", ["x"]) if t == "<answer>" else Turn("user", t) for t in turns]
    intent = parse(conv, TitleIndex([]), vocab=lined_phones())
    assert intent.lines_in == lines_in and intent.lines_out == (lines_out or (["redmi"] if len(turns) > 1 else []))


def test_without_titles_there_are_no_lines():
    assert ask("which iphone lasts the longest?", lined_phones(with_titles=False)).values_in == []


@pytest.mark.parametrize("text, lo, hi", [("un film de 2023 o 2024", 2023, 2024), ("released in 1994 or 1995", 1994, 1995),
                                          ("books from 2019-2021", 2019, 2021), ("des années 2000 ou 2010", 2000, 2019)])
def test_two_years_named_together_are_one_range(text, lo, hi):
    assert ranges(ask(text, books())) == {("year", lo, hi)}


def test_a_budget_range_is_no_pair_of_years():
    assert not any(a == "year" for a, _lo, _hi in ranges(ask("预算2000到2500", phones())))


@pytest.mark.parametrize("title, values, alias", [
    ("Samsung Galaxy S24 Ultra", ["Samsung", "phone"], "Galaxy S24 Ultra"), ("Google Pixel 8", ["Google"], "Pixel 8"),
    ("OnePlus 12", ["OnePlus"], None),  # a bare number is no name
    ("Nothing Phone (2)", ["Nothing"], None), ("Toy Story 3", ["Animation"], None)])
def test_a_model_is_named_without_its_maker(title, values, alias):
    from service.text.titles import without_maker
    assert without_maker(title, values) == alias


def test_a_model_named_without_its_maker_is_a_title_an_alias_never_overrides_one():
    from service.text.titles import TitleIndex
    index = TitleIndex([("p8", "Google Pixel 8"), ("x", "Pixel 8")], aliases=[("p8", "Pixel 8"), ("s", "Galaxy S24")])
    assert index.find_all("the Pixel 8 or the Galaxy S24")[0][0] == "x"
    assert [i for i, _s, _e in index.find_all("like the Galaxy S24")] == ["s"]


@pytest.mark.parametrize("text", ["me gusta el Toy Story", "j'ai adoré le Toy Story", "I loved Toy Story"])
def test_affection_reaches_a_title_through_an_article(text):
    assert ask(text).seeds == ["1"]


@pytest.mark.parametrize("text, parts", [
    ("Je veux un Xiaomi vraiment bon en photo, pas un Redmi ni un Poco", ["redmi", "poco"]),
    ("un Samsung que no sea de la serie Galaxy S", ["galaxy s"]),
    ("no Galaxy please", []),  # the whole brand: a value filter says it
    ("a Samsung but not a Galaxy", []),  # every Samsung title: nothing to leave out by title
])
def test_a_part_of_a_brand_not_wanted_is_left_out_by_title(text, parts):
    assert ask(text, lined_phones()).lines_out == parts


@pytest.mark.parametrize("text, out", [
    ("pelis de hackers, de esas de gente tecleando. Documentales no", "documentary"),
    ("uf, es que a mí el terror no me va nada 😅 ¿alguna que no sea de miedo?", "horror"),
    ("une comédie, les films d'horreur c'est pas mon truc", "horror"),
    ("a comedy please, horror is not my thing", "horror"),
])
def test_a_negation_after_what_it_governs_at_the_end_of_its_clause(text, out):
    intent = ask(text)
    assert out in intent.exclude and out not in intent.include, intent


def test_or_not_asks_and_does_not_negate():
    assert ask("¿alguna de terror o no?").include == ["horror"]


@pytest.mark.parametrize("text", ["live action please", "不要动画的，要真人拍的", "la versión de imagen real",
                                  "un film en prise de vue réelle"])
def test_live_action_leaves_animation_out(text):
    intent = ask(text)
    assert "animation" in intent.exclude and "animation" not in intent.include, intent


def test_like_a_title_under_a_negation_is_an_example_of_what_is_not_wanted():
    """'not the kids' stuff like Toy Story': Toy Story (and its sequels) are left out, and
    it is no reference to find more of."""
    titles = TitleIndex([("1", "Toy Story (1995)"), ("5", "Toy Story 2 (1999)"), ("9", "Heat (1995)")])
    intent = parse([Turn("user", "something funny, not the kids' stuff like Toy Story")], titles)
    assert intent.seeds == [] and {"1", "5"} <= set(intent.shown), intent
    assert parse([Turn("user", "something funny like Toy Story")], titles).seeds == ["1"]
