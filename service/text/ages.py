"""People's ages in a request ('my 6 year old', 'un enfant de 8 ans', '十岁'): a child's
age asks for the catalog's children's items (`chat/quantities.py`)."""

from __future__ import annotations

import re

from service.text.zh_numerals import ZH_DIGITS, zh_number

_AGES = {
    "en": re.compile(r"\b(\d{1,2})[\s-]*(?:years?|yrs?)[\s-]*olds?\b|\b(\d{1,2})\s*y/?o\b"),
    "fr": re.compile(r"(?:\bde|\bd'|\ba|à)\s*(\d{1,2})\s*ans\b"),
    "es": re.compile(r"(?:\bde|\btiene|\bcon)\s*(\d{1,2})\s*años\b"),
    "zh": re.compile(r"(\d{1,2}|[一二两三四五六七八九十]{1,3})\s*(?:周)?岁"),
}


def read_ages(text: str, lang: str) -> list[tuple[int, int, int]]:
    """People's ages ('my 6 year old', 'un enfant de 8 ans', 'un niño de 6 años', '十岁'):
    (start, end, age). English patterns are read in every language (people mix)."""
    low = text.casefold()
    out = []
    for pattern in {_AGES["en"], _AGES.get(lang, _AGES["en"])}:
        for m in pattern.finditer(low):
            word = next(g for g in m.groups() if g)
            age = int(word) if word.isdigit() else zh_number(word) if len(word) > 1 else ZH_DIGITS.get(word, 10)
            if age is not None and 0 < age < 100:
                out.append((m.start(), m.end(), age))
    return sorted(out)
