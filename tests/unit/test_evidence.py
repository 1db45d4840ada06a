"""Evidence, the evidence sentence and the evidence check, on the real store and CF model
of the test catalog (sci-fi users watch s1..s6 in order; kids users k1..k6)."""

import numpy as np
import pytest

from service.explain.audit import audit
from service.explain.claims import unsupported
from service.explain.evidence import Contributor, Evidence, EvidenceBuilder
from service.explain.sentences import sentence
from service.types import Item

HISTORY = ["s1", "s2", "s3", "s4"]


def build(rec, item_id, history=HISTORY, **kw) -> Evidence:
    items = rec.store.get_items(history + [item_id])
    return EvidenceBuilder(rec.index.space, rec.index.model).build(
        items[item_id], {h: items[h] for h in history}, **kw)


def test_contributions_add_up_to_the_cf_score(recommender):
    space, model = recommender.index.space, recommender.index.model
    rows = space.rows(HISTORY)
    target = space.index["s5"]
    hist, sim, nxt = model.contributions(rows, target)
    assert hist == rows
    assert np.isclose((sim + nxt).sum(), model.score(rows)[target], atol=1e-5)


def test_the_strongest_contributor_comes_first_with_what_both_really_carry(recommender):
    ev = build(recommender, "s5")
    assert [c.item_id for c in ev.because] == ["s4", "s3"]  # the latest, most co-watched ones
    assert ev.because[0].weight > ev.because[1].weight > 0
    assert sum(c.weight for c in ev.because) <= 1.0
    assert "next" in ev.top.via and ev.top.shared == ("Sci-Fi",)
    assert ev.facts == {"year": 1999} and ev.medium == "film"


def test_an_item_the_request_named_leads_and_nothing_unshared_is_claimed(recommender):
    ev = build(recommender, "s5", history=["k1", "s1"], prefer=["k1"], asked_values=["Sci-Fi", "Horror"])
    assert ev.top.item_id == "k1" and "asked_like" in ev.top.via
    assert ev.top.shared == ()  # a kids' cartoon shares nothing with a sci-fi film
    assert ev.because[1].item_id == "s1" and ev.because[1].shared == ("Sci-Fi",)
    assert ev.asked == ("Sci-Fi",)  # only the wishes it meets


def test_without_cf_links_the_history_item_sharing_most_values_is_used(recommender):
    items = recommender.store.get_items(["k1", "k2"])
    fresh = Item(item_id="new", title="New Toon", attributes={"genres": ["Animation", "Children"]})
    ev = EvidenceBuilder(recommender.index.space, recommender.index.model).build(fresh, items)
    assert ev.top.via == ("shared_values",) and ev.top.weight == 0 and set(ev.top.shared) == {"Animation", "Children"}


@pytest.mark.parametrize("lang,expected", [
    ("en", "Cyber Matrix shares the sci-fi genre with Time Paradox, which you enjoyed."),
    ("fr", "Cyber Matrix partage le genre science-fiction avec Time Paradox, que vous avez aimé."),
    ("es", "Cyber Matrix comparte el género ciencia ficción con Time Paradox, que te gustó."),
    ("zh", "《Cyber Matrix》与你喜欢的《Time Paradox》同属科幻类型。"),
])
def test_the_evidence_sentence_names_the_top_contributor_in_the_language(recommender, lang, expected):
    assert sentence(build(recommender, "s5"), lang) == expected


def test_with_no_shared_value_the_sentence_says_what_cf_saw_and_borrows_a_shared_one(recommender):
    ev = build(recommender, "s5", history=["k1", "s1"], prefer=["k1"])
    text = sentence(ev, "fr")
    assert text.startswith("Ceux qui ont aimé Happy Puppy") and "Point commun avec Star Voyage" in text
    assert "(facts" not in text and unsupported(text, ev, "fr") is None


def _evidence(**kw) -> Evidence:
    top = Contributor("s4", "Time Paradox", 0.6, ("co_liked",), ("Sci-Fi",), 1995)
    return Evidence("s5", "Cyber Matrix", (top,), facts={"year": 1999}, values=("Sci-Fi", "Thriller"),
                    medium="film", **kw)


@pytest.mark.parametrize("text,lang,reason", [
    ("Like Time Paradox, Cyber Matrix is a must-watch for sci-fi fans.", "en", "empty praise"),
    ("Like Time Paradox, Cyber Matrix is a must-read.", "en", "empty praise"),
    ("Like Time Paradox, Cyber Matrix is a gripping sci-fi novel to read.", "en", "calls it a book"),
    ("Like Time Paradox, Cyber Matrix is the best sci-fi story.", "en", "a superlative"),
    ("Like Time Paradox, Cyber Matrix is a funny sci-fi story.", "en", "a property not in the evidence: 'funny'"),
    ("Like Time Paradox, Cyber Matrix is dark and gritty.", "en", "a mood not in the evidence"),
    ("Like Time Paradox, Cyber Matrix came out in 1987.", "en", "a year not in the evidence: 1987"),
    ("Comme Time Paradox, Cyber Matrix est une comédie.", "fr", "a property not in the evidence: 'comédie'"),
    ("Como Time Paradox, Cyber Matrix es la mejor película de ciencia ficción.", "es", "a superlative"),
    ("和《Time Paradox》一样，《Cyber Matrix》是最好的恐怖片。", "zh", "a superlative"),
    ("和《Time Paradox》一样，《Cyber Matrix》是一部恐怖片。", "zh", "a property not in the evidence"),
])
def test_claims_outside_the_evidence_fail(text, lang, reason):
    assert (unsupported(text, _evidence(), lang) or "").startswith(reason)


@pytest.mark.parametrize("text,lang", [
    ("Like Time Paradox, Cyber Matrix is a sci-fi thriller film from 1999 about simulated worlds.", "en"),
    ("Comme Time Paradox, Cyber Matrix est un film de science-fiction sur des machines.", "fr"),
    ("Como Time Paradox, Cyber Matrix es una película de ciencia ficción y suspenso.", "es"),
    ("和《Time Paradox》一样，《Cyber Matrix》是一部科幻惊悚电影。", "zh"),
])
def test_claims_inside_the_evidence_pass(text, lang):
    assert unsupported(text, _evidence(), lang) is None


def test_genre_words_inside_titles_are_not_claims():
    ev = Evidence("x", "Space Jam", (Contributor("h", "Dark City", 1.0, ("co_liked",), ()),), values=("Comedy",),
                  medium="film")
    assert unsupported("Like Dark City, Space Jam is a comedy.", ev, "en") is None
    also = "Like Dark City and The War, Space Jam is a comedy."
    assert unsupported(also, ev, "en") == "a property not in the evidence: 'War'"
    assert unsupported(also, ev, "en", others=("The War",)) is None  # a history title is a name


def test_audit_tells_a_shared_property_from_praise(recommender):
    ev = build(recommender, "s5")
    items = recommender.store.get_items(HISTORY + ["s5"])
    history = {h: items[h] for h in HISTORY}
    good = audit(sentence(ev, "es"), ev, "es", items["s5"], history)
    assert good["states_shared_property"] and good["names_top"] and not good["claim_outside_evidence"]
    assert good["in_language"]
    bad = audit("Like Star Voyage, Cyber Matrix is a must-watch masterpiece.", ev, "en", items["s5"], history)
    assert bad["empty_praise"] and bad["claim_outside_evidence"] and not bad["states_shared_property"]
    assert bad["names_history"] and not bad["names_top"]


def test_when_no_cf_link_shares_a_value_the_history_item_sharing_most_is_added(recommender):
    items = recommender.store.get_items(["s3", "s4", "k1"])
    animated = Item(item_id="s5", title="Cyber Matrix", attributes={"genres": ["Animation"]})  # CF still links it to s3, s4
    ev = EvidenceBuilder(recommender.index.space, recommender.index.model).build(animated, items)
    assert [c.item_id for c in ev.because] == ["s4", "s3", "k1"]
    assert ev.because[2].via == ("shared_values",) and ev.because[2].shared == ("Animation",)
    assert sentence(ev, "en") == ("People who enjoyed Time Paradox, as you did, often pick Cyber Matrix too. "
                                  "Like Happy Puppy, it is in the animation genre.")


def test_an_item_the_request_named_is_not_said_to_be_enjoyed(recommender):
    ev = build(recommender, "s5", history=["s1", "s4"], prefer=["s1"])
    assert sentence(ev, "en") == "Cyber Matrix shares the sci-fi genre with Star Voyage, as you asked."
    assert sentence(ev, "zh") == "如你所要求，《Cyber Matrix》与《Star Voyage》同属科幻类型。"


@pytest.mark.parametrize("lang,expected", [
    ("en", "Losing Hope is by Colleen Hoover, like Hopeless, which you enjoyed."),
    ("fr", "Losing Hope est de Colleen Hoover, comme Hopeless, que vous avez aimé."),
    ("es", "Losing Hope es de Colleen Hoover, como Hopeless, que te gustó."),
    ("zh", "《Losing Hope》和你喜欢的《Hopeless》一样出自Colleen Hoover之手。"),
])
def test_a_shared_author_is_said_as_who_made_both_and_counts_as_a_shared_property(lang, expected):
    item = Item(item_id="b2", title="Losing Hope", text="", attributes={"authors": ["Colleen Hoover"]})
    liked = Item(item_id="b1", title="Hopeless", text="", attributes={"authors": ["Colleen Hoover"]})
    ev = Evidence("b2", "Losing Hope", (Contributor("b1", "Hopeless", 0.8, ("co_liked",), ("Colleen Hoover",)),),
                  values=("Colleen Hoover",), medium="book", attributes={"Colleen Hoover": "authors"})
    assert sentence(ev, lang) == expected
    verdict = audit(expected, ev, lang, item, {"b1": liked})
    assert verdict["states_shared_property"] and not verdict["claim_outside_evidence"] and verdict["names_top"]
