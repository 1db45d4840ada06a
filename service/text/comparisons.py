"""The words around a number that say which way it goes: 'under' / 'à moins de' / '以下'
(at most), 'at least' / '以上', 'since' / 'until' for years, 'around' / '左右'; a
negation just before a comparison turns it round ('sin gastar más de 700')."""

from __future__ import annotations

import re
from functools import lru_cache

from service.text.lexicon import Lexicon


@lru_cache(maxsize=256)
def phrases(lex: Lexicon, path: tuple[str, ...], lang: str) -> tuple[str, ...]:
    node = lex.data
    for p in path:
        node = node.get(p, {})
    langs = (lang,) if lang == "en" else (lang, "en")
    return tuple(sorted({w.casefold() for lg in langs for w in node.get(lg, [])}, key=len, reverse=True))


def match_words(words: list[str], text: str, at_end: bool) -> int:
    """The length of the longest of the words `text` ends (or starts) with at a word
    boundary; 0 if none."""
    t = text.strip().casefold()
    best = 0
    for w in words:
        if at_end and t.endswith(w) and (len(t) == len(w) or not t[-len(w) - 1].isalnum() or not w.isascii()):
            best = max(best, len(w))
        if not at_end and t.startswith(w) and (len(t) == len(w) or not t[len(w)].isalnum() or not w.isascii()):
            best = max(best, len(w))
    return best


_ONE_WORD = re.compile(r"\s*[^\W\d_]+\s+")


def past_one_word(after: str) -> str:
    """What follows a number past one word, its attribute's name or a noun ('6.3 inch| screen
    |max', '12GB| RAM |minimum', 'a 2023| model |or newer')."""
    m = _ONE_WORD.match(after)
    return after[m.end():] if m else ""


def has_words(words: list[str], text: str, at_end: bool) -> bool:
    return match_words(words, text, at_end) > 0


def comparison(lex: Lexicon, before: str, after: str, lang: str, after_unit: str | None = None) -> str | None:
    """'max' ('under', 'à moins de', '以下', 'until'), 'min' ('at least', 'más de', '以上',
    'since'), 'around' ('about', 'environ', '左右') or None, from the words just before and after a number (and after its unit:
    '300元以下'); the longest comparison wins ('not before 2005' is since, not until)."""
    found = {k: max(match_words(phrases(lex, ("comparisons", k, "before"), lang), before, at_end=True),
                    match_words(phrases(lex, ("comparisons", k, "after"), lang), after, at_end=False),
                    match_words(phrases(lex, ("comparisons", k, "after"), lang), after_unit, at_end=False)
                    if after_unit is not None else 0)
             for k in ("max", "min", "since", "until", "around")}
    key = max(found, key=lambda k: found[k]) if any(found.values()) else None
    if key is None and match_words(phrases(lex, ("budget",), lang), before, at_end=True):
        return "max"  # 'budget is 30 grand', 'un presupuesto de 20 mil euros'
    kind = {"until": "max", "since": "min"}.get(key, key)
    if key and key != "around" and match_words(phrases(lex, ("comparisons", key, "before"), lang), before, at_end=True) == found[key]:
        # 'sin gastar más de 700', 'without spending more than 700': a negation just
        # before the comparison turns it round (one the lexicon spells, 'not more than',
        # is part of the comparison already)
        prefix = re.split(r"[,.;:!?，。；：！？、]", before.strip()[:len(before.strip()) - found[key]])[-1].split()
        breaks = {w.casefold() for lg in {lang, "en"} for w in lex.data.get("clause_breaks", {}).get(lg, [])}
        cut = max((i + 1 for i, w in enumerate(prefix) if w.casefold() in breaks), default=0)
        near = " ".join(prefix[cut:][-5:])  # ... of its own clause ('que NO sea de Portugal y que no pase de 60')
        if lex.spans("negation", near, lang) or lex.spans("modal_negation", near, lang):
            # "don't want to spend more than", "can't weigh more than", '重量不能超过'
            kind = {"max": "min", "min": "max"}[kind]
    return kind
