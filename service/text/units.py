"""Numbers with a unit: '12GB', 'más de 100W', '6.1"', '190克以内', '200 mégapixels',
'一亿像素', '12+256'. A unit names the numeric attributes measured in it (by their item
texts or names: `attribute_units.py`), only where the catalog has values of that size
('5G' is no 5-gram phone)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from service.text.lexicon import Lexicon
from service.text.number_ranges import range_start
from service.text.comparisons import comparison, past_one_word
from service.text.numbers import WINDOW_AFTER, WINDOW_BEFORE, multiplied, ungrouped
from service.text.unit_words import CJK_UNITS, CONVERSIONS, MEMORY_SIZES, UNIT_ALIASES
from service.text.vocabulary import Vocabulary
from service.text.zh_numerals import ZH_DIGITS, zh_number

# a number glued to a Chinese word is still a number ('190克以内', '到50W以上'); its unit may be
# Chinese too
_SPEC = re.compile(rf"(?<![A-Za-z0-9_.])(\d{{1,3}}(?:[,. \u00a0\u202f]\d{{3}})+(?![.,]?\d)|\d{{1,6}}(?:[.,]\d{{1,2}})?)"
                   rf"(\s?k(?=\s?[a-z])|万|千)?(?:\s?-\s?|\s)?(mégapixels?|megapíxeles|[a-záàâçéèêëíîïóôúûùüÿñæœ]{{1,12}}|\"|”|%|{CJK_UNITS})"
                   r"(?![a-z])")
# pixel counts in Chinese: '一亿像素' 100 MP, '5000万像素' 50 MP
_ZH_PIXELS = re.compile(r"(\d{1,5}|[一二两三四五六七八九十]{1,3})\s?(亿|万)像素")
_INCH = {'"', "”"}


@dataclass
class SpecNumber:
    """A number with a unit glued or next to it ('12GB', '100 W', '6.5"'): which numeric
    attributes it can be (those whose name ends with the unit), and which way it goes."""
    value: float
    unit: str
    owners: list[str]
    side: str  # 'min' (the default: asking for 12GB means at least that) or 'max'
    start: int
    end: int
    base: bool = False  # said of the smallest size sold ('starting at 512GB', '512G起步')


def read_spec_numbers(text: str, lang: str, lex: Lexicon, vocab: Vocabulary) -> list[SpecNumber]:
    units: dict[str, list[str]] = {}
    for name, candidates in vocab.unit_of.items():
        for unit in candidates:
            units.setdefault(unit, []).append(name)
    out = _memory_pairs(text, units, vocab)
    low = text.casefold()
    for m in _SPEC.finditer(low):
        if any(n.start <= m.start() < n.end for n in out):
            continue
        unit = "in" if m.group(3) in _INCH else UNIT_ALIASES.get(m.group(3), m.group(3))
        # '60 000 km', '100.000 km', '100k miles', '12万公里'
        value = float(multiplied(ungrouped(m.group(1)), m.group(2)).replace(",", "."))
        if unit == "g" and text[m.start(3)] == "G" and value in MEMORY_SIZES and "gb" in units:
            unit = "gb"  # '12G', '256G': a capital G is memory; '190g' is a weight
        # only where the catalog has values of that size: '5G' is no 5-gram phone
        value, owners = _scaled(unit, value, units, vocab)
        if not owners:
            continue
        before, after = low[max(0, m.start() - WINDOW_BEFORE):m.start()], low[m.end():m.end() + WINDOW_AFTER]
        side = comparison(lex, before, after, lang) or comparison(lex, "", past_one_word(after), lang)
        if _too_much(lex, after, lang):
            side = "max"  # less than that
        side = "min" if side in (None, "around") else side  # 'about 12GB' asks for 12GB too
        base = bool(lex.spans("base_size", before[-12:] + " " + after[:12], lang))
        lo = range_start(low, m.start(), before)
        if lo is not None and _fits(owners, lo[0], vocab) and lo[0] < value:
            # 'entre 6,3 et 6,5 pouces', 'between 6.3 and 6.5 inches', '6.3到6.5寸': both ends
            out.append(SpecNumber(lo[0], unit, sorted(owners), "min", lo[1], lo[2], base))
            side = "max"
        out.append(SpecNumber(value, unit, sorted(owners), side, m.start(), m.end(), base))
    for m in _ZH_PIXELS.finditer(low):
        count = float(m.group(1)) if m.group(1).isdigit() else zh_number(m.group(1)) or ZH_DIGITS.get(m.group(1), 0)
        value = count * (100 if m.group(2) == "亿" else 0.01)
        owners = _fits(units.get("mp", []), value, vocab) if value else []
        if owners:
            side = comparison(lex, low[max(0, m.start() - WINDOW_BEFORE):m.start()], low[m.end():m.end() + WINDOW_AFTER],
                              lang)
            out.append(SpecNumber(value, "mp", sorted(owners), "max" if side == "max" else "min", m.start(), m.end()))
    return out


# memory and storage said together, as phone shops write them: '12+256', '8/128GB', '16+1T'
_PAIR = re.compile(r"(?<![A-Za-z0-9_.+/])(\d{1,2})\s?(?:gb?|go)?\s?[+/＋]\s?(\d{1,4})\s?(gb?|go|tb?|to)?(?![A-Za-z0-9_+])",
                   re.IGNORECASE)
_MEMORIES = {2, 3, 4, 6, 8, 10, 12, 16, 18, 24, 32}
_STORAGES = {32, 64, 128, 256, 512}


def _memory_pairs(text: str, units: dict[str, list[str]], vocab: Vocabulary) -> list[SpecNumber]:
    """'12+256', '8/128GB', '16+1T': at least that memory and that storage, where the
    catalog measures both in GB (the sizes say which attribute each is)."""
    out = []
    for m in _PAIR.finditer(text):
        ram, size, unit = int(m.group(1)), int(m.group(2)), (m.group(3) or "").casefold()
        terabytes = unit[:1] == "t"
        if ram not in _MEMORIES or not (size in (1, 2) if terabytes else size in _STORAGES):
            continue
        size *= 1024 if terabytes else 1
        first, second = _fits(units.get("gb", []), ram, vocab), _fits(units.get("gb", []), size, vocab)
        first = [a for a in first if a not in second]
        if first and second:
            out.append(SpecNumber(float(ram), "gb", sorted(first), "min", m.start(1), m.end(1)))
            out.append(SpecNumber(float(size), "gb", sorted(second), "min", m.start(2), m.end()))
    return out


def _too_much(lex: Lexicon, after: str, lang: str) -> bool:
    """'232克太压手了', '220 g is too heavy': an amount said to be too much."""
    for text in (after, past_one_word(after)):
        n = lex.starts_with("excess", text, lang)
        if n and re.match(r"\s*\w", text[n:]):
            return True
    return False


def _scaled(unit: str, value: float, units: dict[str, list[str]], vocab: Vocabulary) -> tuple[float, list[str]]:
    """The number in the unit of the attributes it can be, and those attributes: the unit's
    own, else the same quantity at the other scale ('1 TB' of a storage in GB is 1024 GB;
    '1.5 kg' of a laptop whose `weight` the name says is in grams but whose values are in
    kilograms is 1.5), the number as said tried first."""
    pair = next(((big, base, f) for big, (base, f) in CONVERSIONS.items() if unit in (big, base)), None)
    if pair is None:
        return value, _fits(units.get(unit, []), value, vocab)
    big, base, factor = pair
    other, converted = (base, value * factor) if unit == big else (big, value / factor)
    # the number in the unit said, then converted to the other; only then a catalog whose
    # values are at the other scale than its unit says ('3 hours' is 180 minutes, not 3)
    for v, u in ((value, unit), (converted, other), (converted, unit), (value, other)):
        owners = _fits(units.get(u, []), v, vocab)
        if owners:
            return v, owners
    return value, []


def _fits(names: list[str], value: float, vocab: Vocabulary) -> list[str]:
    """The attributes among `names` whose values are of the size of `value`."""
    return [o for o in names if vocab.numeric[o][0] / 2 <= value <= vocab.numeric[o][-1] * 2]
