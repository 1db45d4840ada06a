"""The LLM where words run out, with a scripted model at the boundary: it is asked only
when grammar and vocabulary read nothing, its answer is one of the catalog's values by
construction (label scores), and 'none' or an unsure answer adds nothing."""

import re

from service.chat import Chat, Turn
from service.llm.fake import FakeLLM
from service.settings import ChatSettings


def picks(value):
    def scorer(prompt, labels):
        want = re.search(rf"^([A-T])\. {re.escape(value)}$", prompt, re.M).group(1)
        return {lab: (0.0 if lab == want else -8.0) for lab in labels}
    return scorer


def chat_with(recommender, fake, on=True):
    recommender.backend = fake
    recommender.settings = recommender.settings.model_copy(update={"chat": ChatSettings(llm_values=on)})
    return Chat(recommender, recommender.facts_explainer)


def test_uncovered_words_are_mapped_to_a_catalog_value(recommender):
    fake = FakeLLM(scorer=picks("Sci-Fi"))
    plan = chat_with(recommender, fake).plan([Turn("user", "films with robots and lasers")], None, 3)
    assert plan.intent.llm_values and plan.intent.llm_values[0][:2] == ("genres", "Sci-Fi")
    assert plan.request.filters.include == {"genres": ["Sci-Fi"]}
    assert all(c[0] == "score" for c in fake.calls)  # scored, never generated


def test_not_asked_when_words_already_say_it_or_when_off(recommender):
    fake = FakeLLM(scorer=picks("Sci-Fi"))
    chat_with(recommender, fake).plan([Turn("user", "an animated film")], None, 3)
    assert fake.calls == []
    chat_with(recommender, fake, on=False).plan([Turn("user", "films with robots")], None, 3)
    assert fake.calls == []


def test_none_of_these_adds_nothing(recommender):
    plan = chat_with(recommender, FakeLLM(scorer=picks("none of these"))).plan(
        [Turn("user", "something for a rainy afternoon")], None, 3)
    assert plan.intent.llm_values == [] and plan.request.filters.include == {}
