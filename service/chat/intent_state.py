"""The intent a conversation builds up turn by turn (`Intent`, `Turn`), the small rules
for updating it (the latest word on a concept wins, a mood replaces its opposite, a later
bound replaces an earlier one), and what counts as saying something ('something like'
says nothing)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from service.text.language import has_cjk
from service.text.lexicon import Lexicon
from service.text.numbers import NumericConstraint
from service.text.stopwords import KIND_WORDS, STOP_WORDS
from service.text.titles import words_with_spans

FILLER = set("""a an the i me my we you your some something anything any one ones please want would like to
see watch read give show recommend recommendations suggest find looking look for with and or but of in on
about that this more less than not no movie movies film films book books something else another other
again can could should good great best new really very just also maybe perhaps kind sort type like
similar please thanks thank now instead rather time today tonight weekend there is are have has got loved
love liked enjoyed adored fan give it them those these dollars dollar euros euro bucks stars star rated rating
under over below above least most less more than after before since year years from
alguno alguna algún algunos algunas otro otra otros otras""".split())


_ZH_STOP = set("我你他她它们想要看读买找推荐给来一部本个款些的了吗呢吧啊请有没什么好点再换电影片书手机东西类似像这那比还更跟和与")


def has_content(text: str) -> bool:
    """Does the text say anything beyond filler words ('something like', 'give me one')?"""
    for w, _s, _e in words_with_spans(text):
        if has_cjk(w):
            if any(ch not in _ZH_STOP for ch in w):
                return True
        elif len(w) >= 3 and w not in FILLER and not any(w in stop for stop in STOP_WORDS.values()) \
                and not w.isdigit():
            return True
    return False


def without_kind_words(text: str) -> str:
    """'un film de braquage' -> 'un de braquage': the word every item of the catalog
    is ('film', '电影') only pulls in titles that contain it, and so does a number that no
    filter took ('my 6 year old' is no 'Big Hero 6'). Kept when nothing else is left."""
    drop = [(s, e) for w, s, e in words_with_spans(text) if w in KIND_WORDS or w.isdigit()]
    drop += [(m.start(), m.end()) for w in KIND_WORDS if has_cjk(w) for m in re.finditer(re.escape(w), text)]
    out = residual(text, drop)
    return out if has_content(out) else text


def residual(text: str, drop: list[tuple[int, int]]) -> str:
    """The text with the `drop` spans taken out, spaces tidied."""
    keep = [c if not any(a <= i < b for a, b in drop) else " " for i, c in enumerate(text)]
    return re.sub(r"\s+", " ", "".join(keep)).strip(" ,.;:!?，。；：！？、")


@dataclass
class Turn:
    role: str
    content: str
    item_ids: list[str] | None = None  # what an assistant turn recommended, if the client says


@dataclass
class Intent:
    language: str = "en"
    include: list[str] = field(default_factory=list)  # concepts
    exclude: list[str] = field(default_factory=list)  # concepts
    moods: list[str] = field(default_factory=list)
    seeds: list[str] = field(default_factory=list)  # item ids the person referred to
    shown: list[str] = field(default_factory=list)  # item ids already recommended in this chat, or not wanted
    answered: list[str] = field(default_factory=list)  # ... of them, those earlier answers showed
    words: list[str] = field(default_factory=list)  # English content words of the need
    unresolved: list[str] = field(default_factory=list)  # 'like ...' text that named no title
    values_in: list[tuple[str, str]] = field(default_factory=list)  # (attribute, value) from the catalog
    values_out: list[tuple[str, str]] = field(default_factory=list)
    ranges: list[NumericConstraint] = field(default_factory=list)
    llm_values: list[tuple[str, str, float]] = field(default_factory=list)  # (attribute, value, p) the LLM read
    texts: list[str] = field(default_factory=list)  # each user turn without references, numbers, negations
    semantic: list[tuple[str, str, float]] = field(default_factory=list)  # values found by meaning, with cosine
    # comparisons with the item referred to ('cheaper than the first one'): (attribute, 'lower' | 'higher',
    # the words); the chat bounds the attribute by that item's value
    relative: list[tuple[str, str, str]] = field(default_factory=list)
    compared_with: list[str] = field(default_factory=list)  # the item referred to, else the last answer's items
    lines_out: list[str] = field(default_factory=list)  # parts of a brand not wanted ('redmi', 'galaxy s'): by title
    lines_in: list[tuple[str, str]] = field(default_factory=list)  # (attribute, part) asked for: 'a poco F'
    said: dict[tuple[str, str], str] = field(default_factory=dict)  # value -> the part that named it ('LTPO')
    carried: list[tuple[str, str]] = field(default_factory=list)  # values_in named before the latest turn

    def meaning(self) -> str | None:
        """What the person asks for in their own words, for the sentence encoder: the
        latest turn that says anything beyond references ('more like the second one'
        leaves nothing, so the turn before speaks)."""
        text = next((t for t in reversed(self.texts) if has_content(t)), None)
        return without_kind_words(text) if text else None

    def topic(self) -> list[str]:
        """The earlier turns' own words, before the one `meaning` reads: what a follow-up
        refines ('un film de vampires' ... 'moins romantique, qui fasse vraiment peur';
        'pelis de samuráis' ... '¿alguna más de esa misma época?'), oldest first."""
        said = [t for t in self.texts if has_content(t)]
        return [without_kind_words(t) for t in said[:-1]]

    def covered(self) -> bool:
        """Did grammar and vocabulary read anything the request wants?"""
        return bool(self.include or self.exclude or self.moods or self.seeds or self.values_in
                    or self.values_out or self.ranges)

    def query(self, lex: Lexicon, filtered: set[str] = frozenset()) -> str | None:
        """English query words: the wishes no filter enforces (`filtered` concepts are
        enforced by filters, so their words would only pull in look-alike titles), the
        moods, and the request's own content words."""
        parts = [lex.concepts[c].get("query", c) for c in self.include if c not in filtered]
        parts += [lex.concepts[m].get("query", m) for m in self.moods]
        parts += self.words
        text = " ".join(dict.fromkeys(" ".join(parts).split()))
        return text or None


OPPOSITE_MOODS = {"lighter": "darker", "darker": "lighter"}


def set_wanted(include: list, exclude: list, concept, negated: bool) -> None:
    """Wanted or not (a concept, or a catalog value): the latest word on it wins."""
    add, drop = (exclude, include) if negated else (include, exclude)
    if concept in drop:
        drop.remove(concept)
    if concept not in add:
        add.append(concept)


def add_mood(intent: Intent, mood: str, lex: Lexicon) -> None:
    """A mood replaces its opposite and overrides earlier wishes ('a horror film' ...
    'something lighter')."""
    opposite = OPPOSITE_MOODS.get(mood)
    if opposite in intent.moods:
        intent.moods.remove(opposite)
        intent.exclude[:] = [c for c in intent.exclude if c not in lex.mood_excludes(opposite)]
    intent.moods.append(mood)
    for concept in lex.mood_excludes(mood):
        set_wanted(intent.include, intent.exclude, concept, True)


def set_range(intent: Intent, c: NumericConstraint) -> None:
    """A later bound on the same attribute and side replaces the earlier one, and so does
    one no value could meet together with it ('2022年那几款' ... '2024年以后出的')."""
    def clash(r: NumericConstraint) -> bool:
        return (r.lte is not None and c.gte is not None and r.lte < c.gte) or \
            (r.gte is not None and c.lte is not None and r.gte > c.lte)
    intent.ranges[:] = [r for r in intent.ranges
                        if not (r.attribute == c.attribute and (((r.gte is None) == (c.gte is None)
                                                                 and (r.lte is None) == (c.lte is None)) or clash(r)))]
    intent.ranges.append(c)
