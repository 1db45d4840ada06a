"""Numbers and comparisons in a request, as range filters on the catalog's numeric
attributes: "under 300 dollars", "4.5 stars or more", "after 2010", "the 90s",
"300元以下", "pas trop cher", "性价比高".

A number's attribute comes from its unit or role word ('dollars', 'stars', '元', 'year')
or, failing that, its shape (a year-like 1800-2100 is a year). Its direction comes from
the comparison words around it (`lexicon.yaml` comparisons). Vague words ('cheap',
'good value', 'highly rated') become ranges over the catalog's own distribution, and
the reason is stated so `understood` can show it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from service.text.lexicon import Lexicon
from service.text.vocabulary import Vocabulary

# a number may follow a Chinese character directly (要2010年以后, 高于4.3), not a Latin one
_NUMBER = re.compile(r"(?<![A-Za-z0-9_.])([$€]\s*)?(\d{1,7}(?:[.,]\d{1,2})?)(\s*k\b)?")
_DECADE = re.compile(r"(?:\b(?:19|20)?(\d0)\s*['’]?s\b|années\s+(?:19)?(\d0)\b|años\s+(?:19)?(\d0)\b|(\d0)\s*年代)")
WINDOW_BEFORE, WINDOW_AFTER = 24, 16


@dataclass
class NumericConstraint:
    attribute: str
    gte: float | None
    lte: float | None
    start: int
    end: int
    why: str  # what was read, e.g. "price <= 300"


@lru_cache(maxsize=256)
def _words(lex: Lexicon, path: tuple[str, ...], lang: str) -> tuple[str, ...]:
    node = lex.data
    for p in path:
        node = node.get(p, {})
    langs = (lang,) if lang == "en" else (lang, "en")
    return tuple(sorted({w.casefold() for lg in langs for w in node.get(lg, [])}, key=len, reverse=True))


def _match(words: list[str], text: str, at_end: bool) -> int:
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


def _has(words: list[str], text: str, at_end: bool) -> bool:
    return _match(words, text, at_end) > 0


def _role_near(lex: Lexicon, vocab: Vocabulary, before: str, after: str, lang: str, symbol: str) -> str | None:
    if symbol and "price" in vocab.roles:
        return "price"
    for role in lex.data.get("numeric", {}):
        if role not in vocab.roles:
            continue
        words = _words(lex, ("numeric", role), lang)
        if _has(words, after, at_end=False) or _has(words, before, at_end=True):
            return role
    return None


def read_numbers(text: str, lang: str, lex: Lexicon, vocab: Vocabulary) -> list[NumericConstraint]:
    out: list[NumericConstraint] = []
    low = text.casefold()
    taken: list[tuple[int, int]] = []
    year = vocab.roles.get("year")
    for m in _DECADE.finditer(low):
        d = next(g for g in m.groups() if g)
        if year:
            base = 1900 + int(d) if int(d) >= 30 else 2000 + int(d)
            out.append(NumericConstraint(year, base, base + 9, m.start(), m.end(), f"{year} {base}-{base + 9}"))
            taken.append((m.start(), m.end()))
    for m in _NUMBER.finditer(low):
        if any(a <= m.start() < b for a, b in taken):
            continue
        value = float(m.group(2).replace(",", ".")) * (1000 if m.group(3) else 1)
        before = low[max(0, m.start() - WINDOW_BEFORE):m.start()]
        after = low[m.end():m.end() + WINDOW_AFTER]
        role = _role_near(lex, vocab, before, after, lang, m.group(1) or "")
        if role is None:
            if 1800 <= value <= 2100 and m.group(2).isdigit() and year:
                role = "year"
            elif value <= 5 and "rating" in vocab.roles and ("." in m.group(2) or "," in m.group(2)):
                role = "rating"
            elif "price" in vocab.roles and not (1800 <= value <= 2100):
                role = "price"
            else:
                continue
        attr = vocab.roles[role]
        unit = next((w for w in _words(lex, ("numeric", role), lang) if after.lstrip().startswith(w)), "")
        after_unit = after.lstrip()[len(unit):]  # '300元以下': the comparison follows the unit
        # the longest comparison wins: 'not before 2005' is since, not until
        found = {k: max(_match(_words(lex, ("comparisons", k, "before"), lang), before, at_end=True),
                        _match(_words(lex, ("comparisons", k, "after"), lang), after, at_end=False),
                        _match(_words(lex, ("comparisons", k, "after"), lang), after_unit, at_end=False) if unit else 0)
                 for k in ("max", "min", "since", "until")}
        kind = max(found, key=lambda k: found[k]) if any(found.values()) else None
        if kind in ("max", "until"):
            c = NumericConstraint(attr, None, value, m.start(), m.end(), f"{attr} <= {value:g}")
        elif kind in ("min", "since"):
            c = NumericConstraint(attr, value, None, m.start(), m.end(), f"{attr} >= {value:g}")
        elif role == "year":
            c = NumericConstraint(attr, value, value, m.start(), m.end(), f"{attr} = {value:g}")
        elif role == "rating":  # '4.5 stars' means at least that
            c = NumericConstraint(attr, value, None, m.start(), m.end(), f"{attr} >= {value:g}")
        else:  # 'a 300 dollar phone': about that much
            c = NumericConstraint(attr, None, value * 1.1, m.start(), m.end(), f"{attr} <= {value * 1.1:g}")
        out.append(c)
    return out + _vague(text, lang, lex, vocab, {c.attribute for c in out})


def _vague(text: str, lang: str, lex: Lexicon, vocab: Vocabulary,
           explicit: set[str] = frozenset()) -> list[NumericConstraint]:
    """Vague words as ranges, except on an attribute the request gave a number for
    ('评分高于4.3': the 4.3 counts, not 'rated highly')."""
    low = text.casefold()
    price, rating = vocab.roles.get("price"), vocab.roles.get("rating")
    price = None if price in explicit else price
    rating = None if rating in explicit else rating
    out = []
    for kind in ("value", "top_rated", "cheap", "expensive"):
        for w in _words(lex, ("price_words", kind), lang):
            pat = re.escape(w) if not w.isascii() else rf"(?<![\w-]){re.escape(w)}(?![\w-])"
            m = re.search(pat, low)
            if not m:
                continue
            if kind == "value" and price and rating:
                p, r = vocab.quantile(price, 0.5), vocab.quantile(rating, 0.5)
                out.append(NumericConstraint(price, None, p, m.start(), m.end(), f"good value: {price} <= {p:g} (median)"))
                out.append(NumericConstraint(rating, r, None, m.start(), m.end(), f"good value: {rating} >= {r:g} (median)"))
            elif kind == "top_rated" and rating:
                r = vocab.quantile(rating, 2 / 3)
                out.append(NumericConstraint(rating, r, None, m.start(), m.end(), f"highly rated: {rating} >= {r:g} (top third)"))
            elif kind == "cheap" and price:
                p = vocab.quantile(price, 1 / 3)
                out.append(NumericConstraint(price, None, p, m.start(), m.end(), f"affordable: {price} <= {p:g} (cheapest third)"))
            elif kind == "expensive" and price:
                p = vocab.quantile(price, 2 / 3)
                out.append(NumericConstraint(price, p, None, m.start(), m.end(), f"premium: {price} >= {p:g} (top third)"))
            low = low[:m.start()] + " " * (m.end() - m.start()) + low[m.end():]  # 'not too expensive' is not 'expensive'
            break
    return out
