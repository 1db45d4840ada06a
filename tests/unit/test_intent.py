"""Chat understanding: languages, constraints with negation, 'like <title>', references
to the previous answer, moods, and follow-ups that override earlier turns."""

import pytest

from service.chat.intent import Turn, parse
from service.text.language import detect, is_language
from service.text.titles import TitleIndex, display, normalize

TITLES = TitleIndex([("1", "Toy Story (1995)"), ("2", "Matrix, The (1999)"), ("3", "Pulp Fiction (1994)"),
                     ("4", "Memento (2000)"), ("5", "Se7en (a.k.a. Seven) (1995)"), ("6", "Heat (1995)")])


def ask(*texts, answers=None):
    turns = []
    for i, t in enumerate(texts):
        if i % 2:
            turns.append(Turn("assistant", t, (answers or {}).get(i)))
        else:
            turns.append(Turn("user", t))
    return parse(turns, TITLES)


@pytest.mark.parametrize("text,lang", [
    ("a funny movie but not horror", "en"), ("une comédie romantique sans horreur", "fr"),
    ("quiero una película de terror", "es"), ("我最近在寻找一款性价比高的智能手机", "zh"),
])
def test_language_detection(text, lang):
    assert detect(text) == lang


@pytest.mark.parametrize("text,include,exclude", [
    ("a funny movie but not horror", ["comedy"], ["horror"]),
    ("no horror or thriller, something with action", ["action"], ["horror", "thriller"]),
    ("a crime thriller, nothing with comedy", ["crime", "thriller"], ["comedy"]),
    ("une comédie sans horreur ni thriller", ["comedy"], ["horror", "thriller"]),
    ("quiero animación, pero no de terror", ["animation"], ["horror"]),
    ("我想看一部喜剧，不要恐怖片", ["comedy"], ["horror"]),
    ("不要恐怖的，要喜剧", ["comedy"], ["horror"]),
    ("想看喜剧，恐怖片受不了", ["comedy"], ["horror"]),  # 受不了 (can't stand) after what it governs
    ("受不了恐怖片，想看喜剧", ["comedy"], ["horror"]),
    ("un documental", ["documentary"], []),
])
def test_constraints_and_negation(text, include, exclude):
    intent = ask(text)
    assert intent.include == include and intent.exclude == exclude


def test_like_title_resolves_against_the_catalog_in_every_language():
    assert ask("something like Toy Story").seeds == ["1"]
    assert ask("movies like The Matrix but not horror").seeds == ["2"]
    assert ask("quelque chose comme Pulp Fiction").seeds == ["3"]
    assert ask("algo como toy story").seeds == ["1"]
    assert ask("类似Toy Story的电影").seeds == ["1"]
    assert ask('I loved "Heat"').seeds == ["6"]
    unknown = ask("something like Shrek the Third")
    assert unknown.seeds == [] and unknown.unresolved


def test_follow_up_refers_to_the_previous_answer_and_keeps_earlier_constraints():
    answer = "Here are 3 picks:\n1. Se7en (a.k.a. Seven) (1995) — dark.\n2. Memento (2000) — twisty.\n3. Heat (1995)"
    intent = ask("a thriller, no horror", answer, "more like the second one")
    assert intent.seeds == ["4"] and intent.include == ["thriller"] and intent.exclude == ["horror"]
    assert intent.shown == ["5", "4", "6"]  # not recommended again
    gap = ask("a thriller", "1. Unknown Film (1999)\n2. Memento (2000)", "the second one")
    assert gap.seeds == ["4"]  # an unknown line keeps its place
    by_ids = ask("a thriller", "whatever text", "the first one was great", answers={1: ["6", "4"]})
    assert by_ids.seeds == ["6"]


@pytest.mark.parametrize("text,include,exclude", [
    ("a vampire movie, less romantic", [], ["romance"]),
    ("un film de vampires, moins romantique", [], ["romance"]),
    ("una de vampiros, menos romántica y más de terror", ["horror"], ["romance"]),
    ("吸血鬼电影，不那么浪漫的", [], ["romance"]),
    ("less horror, more comedy", ["comedy"], ["horror"]),
])
def test_less_of_a_word_rules_that_word_out(text, include, exclude):
    intent = ask(text)
    assert intent.include == include and intent.exclude == exclude


@pytest.mark.parametrize("text,include,exclude", [
    ("sci-fi from the 70s, but i can't stand the cheesy space opera stuff", ["sci-fi"], []),
    ("a comedy but no romantic comedy", ["comedy"], ["romance"]),
    ("une comédie mais pas une comédie romantique", ["comedy"], ["romance"]),
])
def test_a_negation_of_part_of_what_is_asked_keeps_what_is_asked(text, include, exclude):
    intent = ask(text)
    assert intent.include == include and intent.exclude == exclude


def test_titles_said_to_be_seen_are_left_out_with_their_sequels():
    titles = TitleIndex([("1", "Lord of the Rings, The (1978)"), ("2", "Lord of the Rings: The Two Towers, The (2002)"),
                         ("3", "Toy Story (1995)"), ("4", "Toy Story 2 (1999)"), ("5", "Up (2009)"),
                         ("6", "Up in the Air (2009)"), ("7", "Lord of War (2005)")])
    intent = parse([Turn("user", "I've already seen all the Lord of the Rings movies, what else is like that?")], titles)
    assert intent.shown == ["1", "2"]
    assert titles.series("3") == ["4"] and titles.series("5") == []  # one word: 'Up in the Air' is no sequel
    assert parse([Turn("user", "something like Toy Story")], titles).shown == []  # liked, not ruled out


def test_a_follow_up_keeps_the_words_it_refines_as_its_topic():
    follow = ask("un film de vampires", "1. Heat (1995)", "je veux que ça fasse vraiment peur")
    assert follow.meaning() == "je veux que ça fasse vraiment peur"
    assert follow.topic() == ["un de vampires"]  # the kind word 'film' says nothing
    # a turn that only points at an item leaves the turn before to speak, and nothing before it
    ref = ask("movies about cults", "1. Heat (1995)", "the first one")
    assert ref.meaning() == "about cults" and ref.topic() == []
    assert ask("movies about cults").topic() == []


def test_a_later_turn_overrides_an_earlier_one():
    assert ask("horror please", "...", "actually no horror").exclude == ["horror"]
    lighter = ask("a horror movie", "...", "something lighter")
    assert "horror" in lighter.exclude and "horror" not in lighter.include and lighter.moods == ["lighter"]
    darker_then_lighter = ask("something dark", "...", "hmm, lighter")
    assert darker_then_lighter.moods == ["lighter"] and "children" not in darker_then_lighter.exclude


def test_query_is_normalised_to_english_words():
    from service.text.lexicon import lexicon

    zh = ask("我最近在寻找一款性价比高的智能手机")
    assert set(zh.query(lexicon()).split()) >= {"smartphone"}  # 'good value' is a range (test_intent_catalog)
    en = ask("a space adventure with pirates")
    assert "pirates" in en.query(lexicon()) and "adventure" in en.include


def test_titles_normalise_and_display():
    assert normalize("Matrix, The (1999)") == "matrix" and display("Matrix, The (1999)") == "The Matrix"
    assert normalize("Se7en (a.k.a. Seven) (1995)") == "se7en" and display("Se7en (a.k.a. Seven) (1995)") == "Se7en"
    assert [i for i, _s, _e in TITLES.find_all("Like The Matrix, Toy Story is fun")] == ["2", "1"]
    assert TITLES.find_all("Heat is on. It was heat.") == []  # one-word titles need a capital mid-sentence


def test_is_language():
    assert is_language("C'est une comédie pour toute la famille.", "fr")
    assert not is_language("This is a comedy for the whole family.", "fr")
    assert not is_language("This is a comedy.", "zh") and is_language("这是一部喜剧。", "zh")
