"""Words several values of one attribute share, which name them all: 'LTPO' is every
'LTPO AMOLED', 'LTPO OLED' and 'AMOLED LTPO' screen; 'Snapdragon 8' every 'Snapdragon 8
Gen 1', '8 Gen 3' and '8 Elite' chip. A message that says the part asks for any of them."""

from __future__ import annotations

import re
from collections import defaultdict

from service.text.titles import words_with_spans

_SEP = re.compile(r"[-_/]+")
_ACRONYM = re.compile(r"[A-Z][A-Z0-9]{2,}")  # 'LTPO', 'XDR', 'IPS': written in capitals, a name
_ROMAN = re.compile(r"[IVXLC]+")  # 'Andre Dubus III': a numeral


FIRST_WORD_VALUES = 3  # a capitalised first word names the values it starts when this many share it


def shared_parts(values: dict[tuple[str, str], int], taken: set[str],
                 common: set[str] = frozenset()) -> dict[str, list[tuple[str, str]]]:
    """form -> the values of one attribute it names: a prefix of two words or more that
    starts two values or more ('snapdragon 8', 'super retina'; also without a maker's name
    before it: 'ryzen 7' of 'AMD Ryzen 7 7840U' and '... 8845HS'), a capitalised first word
    (or second, after a maker's name: 'Snapdragon' of 'Qualcomm Snapdragon X Elite')
    followed by a model number in three values or more ('kirin': Kirin 9000, Kirin 9010,
    ...; not one of the `common` words; not 'Alan' of 'Alan Moore'), or a word in capitals that stands in two values or more ('ltpo');
    never a form that is a value's own (`taken`): a value named in full is that value."""
    found: dict[tuple[str, str], set[str]] = defaultdict(set)  # (attribute, form) -> values
    firsts: dict[tuple[str, str], set[str]] = defaultdict(set)
    for attr, value in values:
        spelled = _SEP.sub(" ", value).split()
        words = [w for w, _s, _e in words_with_spans(" ".join(spelled))]
        if len(words) != len(spelled) or len(words) < 2:
            continue
        if spelled[0][:1].isupper() and spelled[0].isalpha() and words[0] not in common \
                and any(c.isdigit() for c in words[1]):  # a line of numbered models, not 'Alan Moore'
            firsts[(attr, words[0])].add(value)
        for k in range(2, len(words)):
            if any(c.isalpha() for c in "".join(words[:k])):  # not '2023 05' of '2023-05-09'
                found[(attr, " ".join(words[:k]))].add(value)
            if k >= 3 and spelled[1][:1].isupper():  # without the maker's name: 'ryzen 7', 'core i7', 'snapdragon x'
                found[(attr, " ".join(words[1:k]))].add(value)
        if len(words) >= 3 and spelled[1][:1].isupper() and spelled[1].isalpha() and words[1] not in common \
                and any(c.isdigit() for w in words[2:] for c in w):  # 'Snapdragon', 'Ryzen' of 'AMD Ryzen 7 7840U'
            found[(attr, words[1])].add(value)  # after a maker's name, two make a line
        for w, word in zip(spelled, words):
            if _ACRONYM.fullmatch(w) and not _ROMAN.fullmatch(w):
                found[(attr, word)].add(value)
    for key, vals in firsts.items():
        if len(vals) >= FIRST_WORD_VALUES:
            found[key] |= vals
    by_form: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for (attr, form), vals in found.items():
        # ... nor the attribute's own name ('GPU' of 'Apple M3 10-core GPU' is no part of `gpu`)
        if len(vals) >= 2 and form not in taken and form not in _SEP.sub(" ", attr.casefold()).split():
            by_form[form].extend((attr, v) for v in sorted(vals))
    # a form two attributes share names neither surely
    return {f: owners for f, owners in by_form.items() if len({a for a, _v in owners}) == 1}


def any_case(form: str, owners: list[tuple[str, str]], known: set[str]) -> bool:
    """Does a part count written in any case? Several words ('snapdragon 8'), an acronym
    ('ltpo') or a known name ('kirin') do; a single word ('Tensor') only capitalised."""
    return " " in form or form in known or any(form.upper() in v.split() for _a, v in owners)
