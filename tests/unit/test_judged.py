"""Item-by-item judgments: request sets, judgment files, precision over judged items, pooling."""

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from service.errors import InvalidInput
from service.eval.judged import (Answer, Judgment, index, load_judgments, load_requests, parse_answer,
                                 parse_judgment, pool, precision_at)

ROOT = Path(__file__).resolve().parents[2]
JUDGED = ROOT / "scripts" / "chat_requests" / "judged"


# -- precision ---------------------------------------------------------------------------
def test_precision_is_over_judged_items_and_counts_the_rest():
    judged = {"a": True, "b": False, "d": True, "z": True}
    assert precision_at(5, ["a", "b", "c", "d", "e", "f"], judged) == (2 / 3, 2)
    assert precision_at(1, ["b", "a"], judged) == (0.0, 0)
    assert precision_at(2, ["a", "d"], judged) == (1.0, 0)


def test_precision_with_nothing_judged_is_none_not_zero():
    assert precision_at(5, ["x", "y", "w"], {"a": True}) == (None, 3)
    assert precision_at(5, [], {"a": True}) == (None, 0)


def test_precision_counts_a_repeated_item_once_and_short_lists_as_they_are():
    assert precision_at(2, ["a", "a", "b"], {"a": True, "b": False}) == (0.5, 0)
    assert precision_at(5, ["a"], {"a": True}) == (1.0, 0)
    with pytest.raises(InvalidInput):
        precision_at(0, ["a"], {})


# -- pooling -----------------------------------------------------------------------------
def test_pool_takes_each_systems_top_once_best_rank_first_and_skips_judged():
    answers = {"chat": {"r1": ["a", "b", "c"], "r2": ["x"]},
               "raw": {"r1": ["c", "d", "a"]}}
    judged = {("r1", ()): {"b": False}}
    assert pool(answers, depth=2, judged=judged) == [("r1", (), "a"), ("r1", (), "c"), ("r1", (), "d"),
                                                     ("r2", (), "x")]
    assert pool(answers, depth=1) == [("r1", (), "a"), ("r1", (), "c"), ("r2", (), "x")]
    with pytest.raises(InvalidInput):
        pool(answers, depth=0)


def test_pool_keeps_follow_ups_apart_by_the_answer_they_followed():
    answers = {"chat": {"f": Answer(("p", "q"), context=(("a", "b"),))},
               "raw": {"f": Answer(("p",), context=(("c", "d"),))}}
    judged = {("f", (("a", "b"),)): {"p": True}}
    assert pool(answers, depth=5, judged=judged) == [("f", (("a", "b"),), "q"), ("f", (("c", "d"),), "p")]


def test_parse_answer_reads_both_forms():
    assert parse_answer(["1", 2]) == Answer(("1", "2"))
    assert parse_answer({"items": ["b"], "context": [["x", "y"]]}) == Answer(("b",), (("x", "y"),))
    with pytest.raises(InvalidInput):
        parse_answer({"ids": ["b"]})


# -- judgments ---------------------------------------------------------------------------
def test_judgment_lines_round_trip_and_keep_their_context(tmp_path):
    path = tmp_path / "j.jsonl"
    path.write_text(
        '{"request": "r1", "item_id": "7", "title": "Heat (1995)", "relevant": true, "judge": "ann", "note": ""}\n'
        "\n"
        '{"request": "r1", "item_id": 8, "relevant": false, "judge": "llm"}\n'
        '{"request": "f", "item_id": "9", "relevant": true, "judge": "ann", "context": [["1", "2"]],'
        ' "need": "extra fields are ignored"}\n', encoding="utf-8")
    js = load_judgments(path)
    assert js[0] == Judgment("r1", "7", True, "Heat (1995)", "ann", "")
    assert js[1].item_id == "8" and js[2].context == (("1", "2"),)
    assert [j.item_id for j in load_judgments(path, judge="ann")] == ["7", "9"]
    assert index(js) == {("r1", ()): {"7": True, "8": False}, ("f", (("1", "2"),)): {"9": True}}
    assert load_judgments(tmp_path / "missing.jsonl") == []


@pytest.mark.parametrize("line", [
    '{"request": "r1", "item_id": "7", "relevant": null}',
    '{"request": "r1", "item_id": "7", "relevant": "yes"}',
    '{"request": "r1", "relevant": true}',
    '{"request": "r1", "item_id": "7", "relevant": true, "context": ["a"]}',
    "not json",
])
def test_a_bad_line_is_an_error_that_names_it(line):
    with pytest.raises(InvalidInput, match="j.jsonl:3"):
        parse_judgment(line, "j.jsonl:3")


def test_the_same_item_judged_both_ways_is_an_error_unless_one_judge_is_picked(tmp_path):
    agree = [Judgment("r", "a", True, judge="x"), Judgment("r", "a", True, judge="y")]
    assert index(agree) == {("r", ()): {"a": True}}
    with pytest.raises(InvalidInput, match="both"):
        index([Judgment("r", "a", True, judge="x"), Judgment("r", "a", False, judge="y")])
    # the same item in another context is another judgment
    assert len(index([Judgment("r", "a", True), Judgment("r", "a", False, context=(("b",),))])) == 2


# -- request sets ------------------------------------------------------------------------
def _write(tmp_path, text):
    path = tmp_path / "set.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_requests_load_with_their_optional_fields(tmp_path):
    path = _write(tmp_path, """
- {id: a, lang: fr, set: tune, turns: ["un western"], need: "A western.", constraints: {include: [Western]}}
- {id: b, lang: zh, set: heldout, user_id: 3, turns: ["动作片", "<answer>", "不要科幻的"], need: "An action film."}
""")
    a, b = load_requests(path)
    assert a.constraints == {"include": ["Western"]} and a.user_id is None and a.follow_ups == 0
    assert b.user_id == "3" and b.turns[1] == "<answer>" and b.follow_ups == 1


@pytest.mark.parametrize("entry,why", [
    ('{id: a, lang: de, set: tune, turns: ["x"], need: "n"}', "lang"),
    ('{id: a, lang: en, set: dev, turns: ["x"], need: "n"}', "set"),
    ('{id: a, lang: en, set: tune, turns: [], need: "n"}', "no user turn"),
    ('{id: a, lang: en, set: tune, turns: ["x", "<answer>"], need: "n"}', "last turn"),
    ('{id: a, lang: en, set: tune, turns: ["x"], need: " "}', "no need"),
    ('{id: a, lang: en, set: tune, turns: ["x"], need: "n", expected: {}}', "unknown fields"),
])
def test_a_bad_request_is_refused_with_the_reason(tmp_path, entry, why):
    with pytest.raises(InvalidInput, match=why):
        load_requests(_write(tmp_path, f"- {entry}\n"))


def test_a_request_id_used_twice_is_refused(tmp_path):
    one = '- {id: a, lang: en, set: tune, turns: ["x"], need: "n"}\n'
    with pytest.raises(InvalidInput, match="used twice"):
        load_requests(_write(tmp_path, one + one))


@pytest.mark.parametrize("catalog", ["movies", "books", "phones"])
def test_the_shipped_sets_have_ten_requests_per_language_and_tune_first(catalog):
    requests = load_requests(JUDGED / f"{catalog}.yaml")
    assert Counter(r.lang for r in requests) == {"en": 10, "zh": 10, "fr": 10, "es": 10}
    sets = [r.set for r in requests]
    assert sets == sorted(sets, key=("tune", "heldout").index) and sets.count("tune") == 15
    assert sum(r.follow_ups > 0 for r in requests) >= 3
    assert (JUDGED / "judgments" / f"{catalog}.jsonl").exists()
    load_judgments(JUDGED / "judgments" / f"{catalog}.jsonl")  # parses


def test_phone_constraints_name_attributes_the_phones_catalog_has():
    items = [json.loads(line) for line in (ROOT / "data/demo/phones/items.jsonl").read_text().splitlines()]
    names = set().union(*items)
    for r in load_requests(JUDGED / "phones.yaml"):
        used = set(r.constraints.get("ranges", {})) | {r.constraints.get("attr", "brand")}
        assert used <= names, (r.id, used - names)
    assert all(isinstance(i["price"], int | float) and isinstance(i["brand"], str) for i in items)


# -- the pool script ---------------------------------------------------------------------
def test_judge_pool_writes_lines_a_judge_completes_into_judgments(tmp_path):
    answers = tmp_path / "answers.json"
    answers.write_text(json.dumps({
        "chat": {"phones-en-01": ["realme-c55", "redmi-13c"],
                 "phones-es-03": {"items": ["xperia-10-vi"], "context": [["xperia-1-vi", "xperia-5-v"]]}},
        "raw": {"phones-en-01": ["redmi-13c", "no-such-phone"]}}), encoding="utf-8")
    out, none_yet = tmp_path / "to_judge.jsonl", tmp_path / "judgments.jsonl"
    none_yet.write_text("")
    subprocess.run([sys.executable, str(ROOT / "scripts" / "judge_pool.py"), "--catalog", "phones",
                    "--answers", str(answers), "--out", str(out), "--depth", "2", "--judgments", str(none_yet)],
                   check=True, capture_output=True)
    lines = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    assert [(x["request"], x["item_id"]) for x in lines] == [
        ("phones-en-01", "realme-c55"), ("phones-en-01", "redmi-13c"), ("phones-en-01", "no-such-phone"),
        ("phones-es-03", "xperia-10-vi")]
    first, follow = lines[0], lines[3]
    assert first["title"] == "realme C55" and "5000 mAh" in first["text"] and first["relevant"] is None
    assert "300" in first["need"] and "chat" not in json.dumps(lines)
    assert lines[2]["note"] == "not in the catalog"
    assert follow["context"] == [["xperia-1-vi", "xperia-5-v"]]
    assert follow["earlier_answers"] == [["Sony Xperia 1 VI", "Sony Xperia 5 V"]]
    done = parse_judgment(json.dumps(follow | {"relevant": True, "judge": "test"}))
    assert done.context == (("xperia-1-vi", "xperia-5-v"),) and done.relevant


def test_filter_satisfaction_counts_what_fits_over_what_can_fit():
    from service.eval.constraints import fits, satisfaction
    attrs = {"a": {"brand": "Apple", "price": 900.0}, "b": {"brand": "Samsung", "price": 300.0},
             "c": {"brand": "Apple", "price": 400.0}}
    want = {"attr": "brand", "include": ["Apple"], "ranges": {"price": {"lte": 500}}}
    assert [fits(attrs[i], want) for i in "abc"] == [False, False, True]
    assert satisfaction(["a", "b", "c"], attrs, want, achievable=1) == 1.0  # only one item could fit
    assert satisfaction(["a", "b", "c"], attrs, want, achievable=10) == 0.2
    assert fits({"genres": ["Comedy"]}, {"exclude": ["Animation"]}) and not fits({"genres": ["Animation"]}, {"exclude": ["Animation"]})
    two = {"attr": "color", "include": ["red"], "and": [{"attr": "country", "exclude": ["France"]}]}
    assert fits({"color": "red", "country": "Italy"}, two)
    assert not fits({"color": "red", "country": "France"}, two) and not fits({"color": "white", "country": "Italy"}, two)
