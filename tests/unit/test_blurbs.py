"""Blurb logic with a scripted LLM at the boundary (real store, CF and catalog): the
first try, one regeneration, the facts fallback, the cache and the budget."""

from service.explain import Blurb, BlurbDelta, Explainer
from service.llm.fake import FakeLLM
from service.types import Ranked


def ranked(rec, ids):
    items = rec.store.get_items(ids)
    return [Ranked(item_id=i, title=items[i].title, score=1.0, rank=n + 1, sources={}) for n, i in enumerate(ids)]


def finals(events):
    return [e for e in events if isinstance(e, Blurb)]


HISTORY = ["s1", "s2", "s3", "s4"]


def test_a_grounded_first_try_is_kept_and_streamed(recommender):
    fake = FakeLLM()
    fake.texts.append("is another fearless trip into deep space with rebels and aliens.")
    ex = Explainer(recommender.catalog, fake, recommender.settings, languages=["en"])
    events = list(ex.explain(ranked(recommender, ["s5"]), HISTORY))
    (b,) = finals(events)
    assert b.source == "llm" and b.grounded and b.first_try
    first = events[0]  # the evidence sentence, before the model writes a word
    assert isinstance(first, BlurbDelta) and first.attempt == 0
    assert first.delta == "Cyber Matrix shares the sci-fi genre with Time Paradox, which you enjoyed."
    deltas = "".join(e.delta for e in events if isinstance(e, BlurbDelta) and e.attempt == 1)
    assert deltas.strip() == b.text and b.text.startswith("Like Time Paradox, Cyber Matrix")
    assert b.evidence.top.title == "Time Paradox"  # the history item that pulled it in most
    prompt = fake.calls[0][1]
    # the history is in the prompt (Time Paradox alone would prove nothing: the answer starts with it)
    assert "The person enjoyed: Star Voyage; Robot Uprising; Mars Colony; Time Paradox." in prompt, prompt


def test_a_blurb_naming_another_item_is_regenerated_once_then_replaced_by_facts(recommender):
    fake = FakeLLM()
    fake.texts += ["is better than Happy Puppy and Snow Magic together.", "is a sharp, clever tale of machines and humans."]
    ex = Explainer(recommender.catalog, fake, recommender.settings, languages=["en"])
    events = list(ex.explain(ranked(recommender, ["s5"]), HISTORY))
    (b,) = finals(events)
    assert b.source == "llm" and b.grounded and b.first_try is False
    assert [e.attempt for e in events if isinstance(e, BlurbDelta)][-1] == 2

    fake.texts += ["is like Happy Puppy.", "is like Snow Magic, Ocean Fish and Toy Friends."]
    (b,) = finals(ex.explain(ranked(recommender, ["s6"]), HISTORY))
    assert b.source == "facts" and not b.grounded and "names an item" in b.note
    assert b.text == "Galactic Empire shares the sci-fi genre with Time Paradox, which you enjoyed."


def test_cache_by_user_state_item_prompt_and_model(recommender):
    fake = FakeLLM()
    fake.texts.append("is a thoughtful, gripping story about simulated worlds.")
    ex = Explainer(recommender.catalog, fake, recommender.settings, languages=["en"])
    first = finals(ex.explain(ranked(recommender, ["s5"]), HISTORY))[0]
    calls = len(fake.calls)
    again = finals(ex.explain(ranked(recommender, ["s5"]), HISTORY))[0]
    assert len(fake.calls) == calls and again.cached and again.text == first.text
    fake.texts.append("is a fine pick for fans of robots and rebellion.")
    changed = finals(ex.explain(ranked(recommender, ["s5"]), HISTORY + ["s6"]))[0]  # new user state
    assert len(fake.calls) == calls + 1 and not changed.cached
    other_model = Explainer(recommender.catalog, FakeLLM(model_id="other"), recommender.settings, languages=["en"])
    assert other_model._key(HISTORY, "s5", "en", None, None) != ex._key(HISTORY, "s5", "en", None, None)


def test_one_requests_wishes_never_reach_another_requests_cached_blurb(recommender):
    fake = FakeLLM()
    fake.texts += ["is a tense trip through machines and rebellion.", "is a calm look at robots and people."]
    ex = Explainer(recommender.catalog, fake, recommender.settings, languages=["en"])
    dark = finals(ex.explain(ranked(recommender, ["s5"]), HISTORY, asked="something dark",
                             asked_values=["Thriller"]))[0]
    light = finals(ex.explain(ranked(recommender, ["s5"]), HISTORY, asked="something light"))[0]
    assert not light.cached and light.text != dark.text and len(fake.calls) == 2


def test_facts_only_beyond_the_top_items_without_history_or_llm(recommender):
    settings = recommender.settings.model_copy(update={"explain": recommender.settings.explain.model_copy(
        update={"max_items": 1})})
    fake = FakeLLM()
    fake.texts.append("is pure space travel with a brave young crew.")
    ex = Explainer(recommender.catalog, fake, settings, languages=["en"])
    blurbs = {b.item_id: b for b in finals(ex.explain(ranked(recommender, ["s5", "s6"]), HISTORY))}
    assert blurbs["s5"].source == "llm" and blurbs["s6"].source == "facts" and "top 1" in blurbs["s6"].note
    cold = finals(Explainer(recommender.catalog, fake, settings, languages=["en"]).explain(ranked(recommender, ["k1"]), []))[0]
    assert cold.source == "facts" and "nothing in the history" in cold.note
    none = finals(Explainer(recommender.catalog, None, settings, languages=["en"]).explain(ranked(recommender, ["s5"]), HISTORY, "fr"))[0]
    assert none.source == "facts" and none.text == ("Cyber Matrix partage le genre science-fiction avec Time Paradox, "
                                                    "que vous avez aimé.")


def test_a_model_failure_falls_back_to_facts(recommender):
    from service.errors import Overloaded

    fake = FakeLLM()
    fake.texts.append(Overloaded("busy"))
    ex = Explainer(recommender.catalog, fake, recommender.settings, languages=["en"])
    (b,) = finals(ex.explain(ranked(recommender, ["s5"]), HISTORY))
    assert b.source == "facts" and "busy" in b.note
    fake.texts.append("is a thoughtful, gripping story about simulated worlds.")  # the model is back
    (again,) = finals(ex.explain(ranked(recommender, ["s5"]), HISTORY))
    assert not again.cached and again.source == "llm"  # a transient failure was not cached as final


def test_an_answers_blurbs_are_written_together_and_each_is_final_as_soon_as_it_ends(recommender):
    """Cached and fact blurbs come first; the LLM's deltas may interleave; an item whose
    first try fails is retried after the first round, alone."""
    fake = FakeLLM()
    fake.texts += ["is a sharp, clever tale of machines and humans.", "is like Happy Puppy.",
                   "is another fearless trip into deep space with rebels and aliens."]
    ex = Explainer(recommender.catalog, fake, recommender.settings, languages=["en"])
    events = list(ex.explain(ranked(recommender, ["s5", "s6"]), HISTORY))
    order = [(type(e).__name__, e.item_id, getattr(e, "attempt", None)) for e in events]
    done = [o for o in order if o[0] == "Blurb"]
    assert [d[1] for d in done] == ["s5", "s6"]  # s5 final before s6's second attempt starts
    assert order.index(("Blurb", "s5", None)) < order.index(("BlurbDelta", "s6", 2))
    finals_ = {b.item_id: b for b in finals(events)}
    assert finals_["s5"].first_try and finals_["s6"].source == "llm" and finals_["s6"].first_try is False
    assert [c[0] for c in fake.calls] == ["generate"] * 3


def test_by_default_every_language_gets_the_evidence_sentence_and_the_model_is_not_asked(recommender):
    fake = FakeLLM()
    ex = Explainer(recommender.catalog, fake, recommender.settings)  # llm_languages: none (measured: docs/prompts.md)
    for lang in ("en", "fr", "es", "zh"):
        (b,) = finals(ex.explain(ranked(recommender, ["s5"]), HISTORY, lang))
        assert b.source == "facts" and b.evidence.top.title in b.text and "(" not in b.text
    assert fake.calls == []
