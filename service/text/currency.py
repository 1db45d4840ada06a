"""Budgets in another currency than the catalog's: "两千块以内" (2000 yuan) against a
catalog priced in dollars means about 280 dollars, not 2000.

The catalog's currency is read from its item texts (a currency sign or code next to a
number in most of them: "released at $999") unless set (`RECS_CHAT__CURRENCY`); a
request's from the sign or word next to its number. Rates are the lexicon's
(`currencies`), rough and fixed: enough to read a budget, not to quote a price. With
either currency unknown, or both the same, a number is taken as written."""

from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache

from service.text.lexicon import Lexicon


@lru_cache(maxsize=8)
def _forms(lex: Lexicon) -> tuple[dict[str, str], dict[str, str]]:
    """(sign -> code, word -> code) over every language."""
    signs, words = {}, {}
    for code, c in lex.data.get("currencies", {}).items():
        for s in c.get("symbols", []):
            signs[s.casefold()] = code
        for ws in c.get("words", {}).values():
            for w in ws:
                words.setdefault(w.casefold(), code)
    return signs, words


@lru_cache(maxsize=8)
def currency_forms(lex: Lexicon) -> frozenset[str]:
    """Every sign and word of a currency, in any language ('$', 'euros', '元')."""
    signs, words = _forms(lex)
    return frozenset({*signs, *words})


def rate(lex: Lexicon, code: str) -> float | None:
    c = lex.data.get("currencies", {}).get(code)
    return float(c["usd"]) if c else None


def named(lex: Lexicon, sign: str, after: str) -> str | None:
    """The currency of a number: its sign ('$', '€', '¥'), before it or after it
    ('800 €'), else the word that follows it ('2000 yuan', '两千块', '500美元'; the
    longest word wins: 美元 is not 元)."""
    signs, words = _forms(lex)
    if sign.strip():
        return signs.get(sign.strip().casefold())
    t = after.lstrip().casefold()
    trailing = max((s for s in signs if t.startswith(s) and not s.isalpha()), key=len, default=None)
    if trailing:
        return signs[trailing]
    best = max((w for w in words if t.startswith(w) and (not w.isascii() or len(t) == len(w)
                                                          or not t[len(w)].isalnum())), key=len, default=None)
    return words[best] if best else None


_AMOUNT = r"\d[\d.,]*"


def of_texts(lex: Lexicon, texts: list[str], share: float = 0.5) -> str | None:
    """The currency most item texts write next to a number, if at least `share` of them do."""
    signs, words = _forms(lex)
    sign_re = "|".join(re.escape(s) for s in sorted(signs, key=len, reverse=True))
    word_re = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
    pattern = re.compile(rf"(?:({sign_re})\s?{_AMOUNT})|(?:{_AMOUNT}\s?({sign_re}|{word_re})(?![a-z]))", re.I)
    seen: Counter[str] = Counter()
    for text in texts:
        found = {signs.get(m.group(1).casefold()) if m.group(1) else
                 signs.get(m.group(2).casefold()) or words.get(m.group(2).casefold())
                 for m in pattern.finditer(text or "")}
        seen.update(c for c in found if c)
    if not seen or not texts:
        return None
    code, n = seen.most_common(1)[0]
    return code if n >= share * len(texts) else None


def convert(lex: Lexicon, value: float, frm: str | None, to: str | None) -> float | None:
    """`value` in `frm` as an amount in `to`; None when either is unknown or they are the same."""
    if not frm or not to or frm == to:
        return None
    a, b = rate(lex, frm), rate(lex, to)
    return round(value * a / b, 2) if a and b else None
