"""The prompt lab's pure parts: empty-praise phrases, how rank prompts shorten titles,
what reads each prompt file, and how a comparison orders its differences."""

import json

import pytest

from service.errors import InvalidInput
from service.explain.praise import PHRASES, praise
from service.prompt_lab.compare import comparisons_dir, latest, summarize
from service.prompt_lab.lab import prompt_named, setting_env, use_of
from service.prompts import PromptFile, list_prompts, load_prompt
from service.rerank.listwise import LetterLogitReranker, shorten
from service.settings import Settings
from service.types import Item


# -- empty praise ---------------------------------------------------------------------------
@pytest.mark.parametrize("text, found", [
    ("Like Heat, Casino is a must-watch for crime fans.", ["must-watch"]),
    ("A MUST WATCH and a true masterpiece.", ["MUST WATCH", "masterpiece"]),
    ("Like Emma, Persuasion is a must-read, praised for its wit.", ["must-read", "praised for"]),
    ("It is a classic example of a film that captivated audiences worldwide.",
     ["classic example", "captivated audiences"]),
    ("Like Heat, Casino follows a casino boss whose empire unravels.", []),
    ("A classical score and masterly pacing; mustard-yellow sets.", []),  # near misses are not praise
])
def test_praise_finds_the_listed_phrases_and_nothing_else(text, found):
    assert praise(text) == found


def test_every_listed_phrase_is_found_in_a_sentence():
    for phrase in PHRASES:
        assert praise(f"Like Heat, Casino is {phrase} indeed.") == [phrase], phrase


# -- titles in rank prompts -------------------------------------------------------------------
@pytest.mark.parametrize("title, chars, expected", [
    ("Twelve Monkeys (a.k.a. 12 Monkeys) (1995)", 32, "Twelve Monkeys (1995)"),  # no open parenthesis left
    ("Star Wars: Episode I - The Phantom Menace (1999)", 32, "Star Wars: Episode I (1999)"),  # no dangling dash
    ("Borat: Cultural Learnings of America for Make Benefit Glorious Nation of Kazakhstan (2006)", 32,
     "Borat: Cultural Learnings (2006)"),
    ("Jumanji (1995)", 32, "Jumanji (1995)"),  # short enough: untouched
    ("Supercalifragilistic Movie (2001)", 12, "Supercalifragilistic (2001)"),  # the first word and the year stay
    ("A title with no year that runs long", 20, "A title with no year"),
])
def test_shorten_cuts_at_a_word_and_keeps_the_year(title, chars, expected):
    short = shorten(title, chars)
    assert short.text == expected
    assert short.cut == len(title) - len(expected)
    if short.cut:
        assert title.startswith(short.text[: short.at])


def test_a_rank_prompt_line_marks_the_cut_for_readers_only():
    ranker = LetterLogitReranker(None, load_prompt("rank_listwise"), text_chars=32)
    item = Item(item_id="32", title="Twelve Monkeys (a.k.a. 12 Monkeys) (1995)")
    assert ranker.line(item) == "Twelve Monkeys (1995)"
    assert ranker.line(item, lambda n: f"…[cut: {n}]") == "Twelve Monkeys…[cut: 20] (1995)"
    assert ranker.line(Item(item_id="1", title="Heat (1995)"), lambda n: "X") == "Heat (1995)"


def test_setting_env_names_the_variable():
    assert setting_env("llm", "text_chars") == "RECS_LLM__TEXT_CHARS"


# -- which code reads a prompt ------------------------------------------------------------------
def test_every_shipped_prompt_has_a_reader():
    uses = {name: use_of(load_prompt(name)) for name in list_prompts()}
    assert uses["blurb"] == uses["blurb_fewshot"] == "blurb"
    assert uses["rank_listwise"] == uses["rank_listwise_terse"] == "listwise"
    assert uses["intent_values"] == "values"


def test_a_prompt_nothing_reads_and_an_unknown_name_are_invalid_input():
    odd = PromptFile(name="odd", version=1, kind="rank", variables=["x"], template="{x}", labels=["A", "B"])
    with pytest.raises(InvalidInput, match="nothing in the service reads"):
        use_of(odd)
    with pytest.raises(InvalidInput, match="no prompt 'nope': use one of .*blurb"):
        prompt_named("nope")


# -- comparisons --------------------------------------------------------------------------------
def side(check="ok", praise_=(), words=20, ms=1000.0, source="llm"):
    return {"check": check, "language_ok": True, "praise": list(praise_), "words": words, "latency_ms": ms,
            "prompt_tokens": 100, "output_tokens": words, "source": source}


def test_differences_put_the_clear_ones_first_and_say_which_side_is_better():
    rows = []
    for i in range(40):  # B passes the check far more often; lengths differ by noise only
        a_ok, b_ok = i % 2 == 0, i % 10 != 0
        rows.append({"a": side("ok" if a_ok else "echoes the prompt", words=20 + i % 3),
                     "b": side("ok" if b_ok else "names an item that is neither...: 'X'", words=21 - i % 3)})
    s = summarize(rows)
    first = s["differences"][0]
    assert first["metric"] == "grounded" and first["clear"] and first["better"] == "b"
    assert first["a"] == 0.5 and first["b"] == 0.9
    clear = [d["clear"] for d in s["differences"]]
    assert clear == sorted(clear, reverse=True)  # every clear one before any other
    reasons = {"fails:echoes the prompt", "fails:names an item that is neither..."}
    assert {d["metric"] for d in s["differences"]} >= reasons
    assert "prompt_tokens" not in {d["metric"] for d in s["differences"]}  # the same everywhere: no difference
    assert s["failures"]["a"] == {"echoes the prompt": 20}
    assert s["rates"]["grounded"] == {"a": 0.5, "b": 0.9}


def test_less_praise_is_better():
    rows = [{"a": side(praise_=["masterpiece"]), "b": side()} for _ in range(5)]
    d = next(d for d in summarize(rows)["differences"] if d["metric"] == "praise")
    assert d["better"] == "b" and d["diff"] == -1.0


def test_latest_comparison_per_prompt(tmp_path):
    settings = Settings(data_dir=tmp_path)
    folder = comparisons_dir(settings)
    folder.mkdir(parents=True)
    for stem, finished, b in [("old", "2026-12-01T00:00:00+00:00", "blurb_fewshot"),
                              ("new", "2026-12-02T00:00:00+00:00", "blurb_v4")]:
        (folder / f"{stem}.json").write_text(json.dumps({"finished": finished, "a": {"name": "blurb"},
                                                         "b": {"name": b}}))
    (folder / "broken.json").write_text("{")
    out = latest(settings)
    assert out["blurb"]["b"]["name"] == "blurb_v4"
    assert out["blurb_fewshot"]["finished"].startswith("2026-12-01")
