"""The grounding check every LLM blurb passes before it is final."""

import pytest

from service.explain.grounding import check, trim
from service.text.titles import TitleIndex

TITLES = TitleIndex([("r", "Toy Story 2 (1999)"), ("h1", "Toy Story (1995)"), ("h2", "Finding Nemo (2003)"),
                     ("x", "Pulp Fiction (1994)"), ("y", "Reservoir Dogs (1992)")])
ALLOWED = {"r", "h1", "h2"}
PROMPT = "In one sentence of at most 30 words, say why they may enjoy . Mention no title except ."


def run(text, lang="en", prefix=""):
    return check(text, allowed=ALLOWED, titles=TITLES, language=lang, prompt=PROMPT, answer_prefix=prefix)


def test_a_blurb_naming_only_allowed_items_passes():
    assert run("Like Toy Story, Toy Story 2 is a warm, funny adventure about friendship.") is None
    assert run("Comme Finding Nemo, Toy Story 2 est une aventure drôle et tendre pour toute la famille.", "fr") is None


@pytest.mark.parametrize("text,reason", [
    ("Like Toy Story, Toy Story 2 is as sharp as Pulp Fiction.", "names an item"),
    ('Like Toy Story, it is as good as "Jurassic Toys" ever was.', "names something"),
    ("Like Toy Story,", "says nothing"),
    ("   ", "empty"),
    ("Toy Story 2: say why they may enjoy it, a great choice.", "echoes the prompt"),
    ("Like Toy Story, Toy Story 2 is fun fun fun fun fun fun.", "repeats itself"),
    ("Like Toy Story, 1996, 1997, 1998 and more great years.", "lists years"),
    ("Like Toy Story, Toy Story 2 is a delight 😍", "emoji"),
])
def test_bad_blurbs_fail_with_a_reason(text, reason):
    assert reason in (run(text) or "")


def test_a_continuation_that_renames_the_item_fails():
    prefix = "Like Toy Story, Toy Story 2 "
    assert "title" in run(prefix + "3 is even better than the first.", prefix=prefix)
    assert run(prefix + "is a warm, funny adventure about friendship.", prefix=prefix) is None
    assert run(prefix + "1999 is a warm, funny adventure about friendship.", prefix=prefix) is None  # its year


def test_wrong_language_fails():
    assert "language" in run("Like Toy Story, Toy Story 2 is a warm and funny adventure.", "zh")
    assert "language" in run("Like Toy Story, Toy Story 2 is a warm and funny adventure for the family.", "fr")
    assert run("和《Toy Story》一样，《Toy Story 2》是一部温暖有趣的冒险电影。", "zh") is None


def test_the_language_is_read_from_the_words_around_the_titles():
    """English titles in a French or Chinese sentence say nothing of its language (the
    service's own fact sentences failed the check 18 times in 40 in French before)."""
    assert run("Puisque vous avez aimé Finding Nemo : c'est aussi Toy Story 2, une aventure.", "fr") is None
    assert run("因为你喜欢《Finding Nemo》和《Toy Story》：它同样是动画、喜剧。", "zh") is None
    assert run("因为你喜欢《Toy Story》和《Finding Nemo》：《Toy Story 2》同样是动画。", "zh") is None  # letters repeat in titles
    assert "language" in run("Like Finding Nemo, this is the one for the weekend.", "fr")
    assert "repeats" in run("和《Toy Story》一样，好看好看好看好看。", "zh")


def test_a_chinese_sentence_copied_from_the_prompt_is_an_echo():
    prompt = "Note: 和《Paper Moon》一样，《Summer Promise》讲述了一段细腻动人的爱情故事。"
    copied = "和《Toy Story》一样，《Toy Story 2》讲述了一段细腻动人的爱情故事。"
    assert "echoes" in check(copied, allowed=ALLOWED, titles=TITLES, language="zh", prompt=prompt)
    own = "和《Toy Story》一样，《Toy Story 2》讲述了玩具们的冒险，温暖又有趣。"
    assert check(own, allowed=ALLOWED, titles=TITLES, language="zh", prompt=prompt) is None


def test_trim_keeps_blurbs_short():
    long = " ".join(["word"] * 30) + ". " + " ".join(["more"] * 30)
    assert len(trim(long).split()) <= 40
    assert trim("这是" * 100).__len__() <= 80
