"""From a conversation to what the person wants: language, attribute constraints
(include / exclude, with negation), 'like <title>' references resolved against the
catalog, references to the previous answer ('more like the second one') and moods
('something lighter'). Earlier turns carry forward; a later turn overrides them
("no horror" after "horror please").

Requests are normalised, not translated: attribute and mood words map to the
catalog's own attribute values (hard filters) and to English query words (the
embedder is English-centric); in English the remaining content words join the query.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from service.text.language import detect
from service.text.lexicon import Lexicon, lexicon
from service.text.numbers import NumericConstraint, read_numbers
from service.text.titles import TitleIndex, normalize, words_with_spans
from service.text.vocabulary import Vocabulary

_FILLER = set("""a an the i me my we you your some something anything any one ones please want would like to
see watch read give show recommend recommendations suggest find looking look for with and or but of in on
about that this more less than not no movie movies film films book books something else another other
again can could should good great best new really very just also maybe perhaps kind sort type like
similar please thanks thank now instead rather time today tonight weekend there is are have has got loved
love liked enjoyed adored fan give it them those these dollars dollar euros euro bucks stars star rated rating
under over below above least most less more than after before since year years from""".split())


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
    shown: list[str] = field(default_factory=list)  # item ids already recommended in this chat
    words: list[str] = field(default_factory=list)  # English content words of the need
    unresolved: list[str] = field(default_factory=list)  # 'like ...' text that named no title
    values_in: list[tuple[str, str]] = field(default_factory=list)  # (attribute, value) from the catalog
    values_out: list[tuple[str, str]] = field(default_factory=list)
    ranges: list[NumericConstraint] = field(default_factory=list)
    llm_values: list[tuple[str, str, float]] = field(default_factory=list)  # (attribute, value, p) the LLM read

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


_NUMBERED = re.compile(r"^\s*\d+[.)]\s*(.+?)(?:\s+[—–-]\s+.*)?$")
OPPOSITE_MOODS = {"lighter": "darker", "darker": "lighter"}


def _answer_items(turn: Turn, titles: TitleIndex) -> list[str | None]:
    """What an earlier answer recommended, in order: the ids the client sent back, else
    the titles of its numbered lines ('2. Memento (2000) — ...'; a line naming no known
    title keeps its place as None, so 'the second one' still means line 2), else any
    titles it names."""
    if turn.item_ids:
        return list(turn.item_ids)
    numbered = [titles.by_key.get(normalize(m.group(1))) for m in map(_NUMBERED.match, turn.content.splitlines()) if m]
    if any(numbered):
        return numbered
    return list(dict.fromkeys(i for i, _s, _e in titles.find_all(turn.content)))


def _set(include: list, exclude: list, concept, negated: bool) -> None:
    """Wanted or not (a concept, or a catalog value): the latest word on it wins."""
    add, drop = (exclude, include) if negated else (include, exclude)
    if concept in drop:
        drop.remove(concept)
    if concept not in add:
        add.append(concept)


def _add_mood(intent: Intent, mood: str, lex: Lexicon) -> None:
    """A mood replaces its opposite and overrides earlier wishes ('a horror film' ...
    'something lighter')."""
    opposite = OPPOSITE_MOODS.get(mood)
    if opposite in intent.moods:
        intent.moods.remove(opposite)
        intent.exclude[:] = [c for c in intent.exclude if c not in lex.mood_excludes(opposite)]
    intent.moods.append(mood)
    for concept in lex.mood_excludes(mood):
        _set(intent.include, intent.exclude, concept, True)


def _set_range(intent: Intent, c: NumericConstraint) -> None:
    """A later bound on the same attribute and side replaces the earlier one."""
    intent.ranges[:] = [r for r in intent.ranges
                        if not (r.attribute == c.attribute and (r.gte is None) == (c.gte is None)
                                and (r.lte is None) == (c.lte is None))]
    intent.ranges.append(c)


def _references(text: str, lang: str, titles: TitleIndex, lex: Lexicon, intent: Intent,
                masked: list[tuple[int, int]], last_named: list[str]) -> None:
    """Titles named with affection ('I loved Toy Story') become references; every title
    named is remembered as what 'like it' may point at."""
    loves = lex.spans("affection", text, lang)
    for item_id, start, end in titles.find_all(text):
        if any(a <= start < b for a, b in masked):
            continue
        last_named.append(item_id)
        if any(0 <= start - b <= 3 for _a, b in loves):  # 'loved Toy Story', 'a fan of Heat'
            masked.append((start, end))
            if item_id not in intent.seeds:
                intent.seeds.append(item_id)


def parse(turns: list[Turn], titles: TitleIndex, lex: Lexicon | None = None,
          vocab: Vocabulary | None = None) -> Intent:
    lex = lex or lexicon()
    intent = Intent()
    last_answer: list[str] = []
    last_named: list[str] = []  # titles named so far, for 'like it'
    for turn in turns:
        text = turn.content.strip()
        if turn.role == "assistant":
            last_answer = _answer_items(turn, titles)
            intent.shown.extend(i for i in last_answer if i and i not in intent.shown)
            continue
        if not text:
            continue
        lang = detect(text, default=intent.language)
        intent.language = lang
        masked: list[tuple[int, int]] = []
        refs = []  # 'the second one' means something only after an answer
        for n, start, end in lex.ordinals(text, lang) if last_answer else []:
            if -len(last_answer) <= (n - 1 if n > 0 else n) < len(last_answer):
                refs.append(n)
                masked.append((start, end))
                seed = last_answer[n - 1 if n > 0 else n]
                if seed and seed not in intent.seeds:
                    intent.seeds.append(seed)
        for item_id, quoted, start, end in titles.quoted(text):
            masked.append((start, end))
            if item_id and item_id not in intent.seeds:
                intent.seeds.append(item_id)
            elif not item_id:
                intent.unresolved.append(quoted)
        _references(text, lang, titles, lex, intent, masked, last_named)
        if not refs:
            for pos in lex.like_cues(text, lang):
                if any(a <= pos < b for a, b in masked):
                    continue
                hit = titles.resolve_after(text, pos)
                pronoun = lex.starts_with("anaphora", text[pos:], lang)
                antecedent = (last_named or [a for a in last_answer if a][:1] or [None])[-1]
                # 'like it': what was just named or shown (not the film called 'It')
                if pronoun and antecedent and (hit is None or hit[2] <= pos + pronoun):
                    masked.append((pos, pos + pronoun))
                    masked.extend((s0, e0) for _i, s0, e0 in titles.find_all(text))
                    if antecedent not in intent.seeds:
                        intent.seeds.append(antecedent)
                    continue
                if hit:
                    item_id, start, end = hit
                    masked.append((start, end))
                    if item_id not in intent.seeds:
                        intent.seeds.append(item_id)
                else:
                    rest = text[pos:].strip().split(",")[0][:60]
                    if rest and lang != "zh":
                        intent.unresolved.append(rest)
        named = vocab.find(text, masked) if vocab is not None else []
        longer = [(v.start, v.end) for v in named]
        for m in lex.mentions(text, lang, masked):
            if any(a <= m.start and m.end <= b and b - a > m.end - m.start for a, b in longer):
                continue  # 'child' inside the author 'Lee Child': the longer name wins
            if lex.concepts[m.concept].get("kind") != "mood":
                _set(intent.include, intent.exclude, m.concept, m.negated)
            elif not m.negated and m.concept not in intent.moods:
                _add_mood(intent, m.concept, lex)
            masked.append((m.start, m.end))
        if vocab is not None:
            negated = lex.negation_scope(text, lang)
            for c in read_numbers(text, lang, lex, vocab):
                _set_range(intent, c)
                masked.append((c.start, c.end))
            adds = bool(lex.spans("additive", text, lang))
            fresh = [v for v in named if not any(a <= v.start < b for a, b in masked)]
            if not adds:  # 'actually, Lee Child instead': a new value replaces the earlier turns' ones
                for attr in {v.attribute for v in fresh if not negated(v.start)}:
                    intent.values_in[:] = [x for x in intent.values_in if x[0] != attr]
            for v in fresh:  # catalog values the lexicon does not know (authors, brands...)
                _set(intent.values_in, intent.values_out, (v.attribute, v.value), negated(v.start))
                masked.append((v.start, v.end))
        if lang == "en":
            for w, start, _end in words_with_spans(text):
                if any(a <= start < b for a, b in masked) or w in _FILLER or len(w) < 3 or not re.match(r"[a-z]", w):
                    continue
                if w not in intent.words:
                    intent.words.append(w)
    return intent
