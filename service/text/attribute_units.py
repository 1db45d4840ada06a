"""Which unit each numeric attribute of a catalog is measured in ('ram' -> GB, 'battery'
-> mAh), so that '12GB', '5000 mAh' or '200 grams' in a request finds it whatever the
attribute is called. Three sources, the first that says wins:

1. the item texts: the unit written after the attribute's own value ('16 GB RAM' in
   the text of an item whose `ram` is 16), in most of the items whose text has it;
2. the attribute's name ending with a unit ('ram_gb', 'weight_g', 'screen_in');
3. a word of the name the lexicon's `unit_quantities` ties to units ('battery' -> mAh
   or Wh; which one a number is in, the size of the catalog's values says)."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable

from service.text.lexicon import Lexicon
from service.text.unit_words import canonical, unit_after

_NAME_WORDS = re.compile(r"[_\s-]+")
AGREE = 0.5  # the share of the items whose text has an attribute's value that must write one unit after it


def units_by_name(names: Iterable[str], lex: Lexicon) -> dict[str, list[str]]:
    """attribute -> the units its name says it may be in: its last word when a unit of
    measure ('ram_gb', 'screen_inches'); else those the lexicon ties to a word of it
    ('battery' -> mAh or Wh: the values' size tells which a number is); else its last
    word, a count ('rear_cameras': '3 cameras', 'num_pages': '300 pages')."""
    words_of = {canonical(u): {w.casefold() for w in ws} for u, ws in lex.data.get("unit_quantities", {}).items()}
    out = {}
    for name in names:
        words = [w for w in _NAME_WORDS.split(name.casefold()) if w]
        if not words:
            continue
        tied = [u for u, ws in words_of.items() if ws & set(words)]
        last = unit_after(words[-1])
        out[name] = [last] if last else tied or [canonical(words[-1])]
    return out


def _written(value: float) -> list[str]:
    """How a text may write a number: '6.78', '16', '6000', '6,000'."""
    plain = f"{value:g}" if abs(value) < 1e6 else f"{value:.0f}"
    forms = [plain]
    if value == int(value) and abs(value) >= 1000:
        forms.append(f"{int(value):,}")
    return forms


def units_of_texts(rows: Iterable[tuple[dict, str]]) -> dict[str, str]:
    """attribute -> the unit the item texts write after its value, where at least `AGREE`
    of the items whose text has the value agree on one ('16 GB RAM', '6.78-inch')."""
    seen: dict[str, Counter[str]] = defaultdict(Counter)
    having: Counter[str] = Counter()
    for attrs, text in rows:
        if not text:
            continue
        for name, value in attrs.items():
            if isinstance(value, bool) or not isinstance(value, int | float) or not value:
                continue
            units = set()
            found = False
            for form in _written(float(value)):
                for m in re.finditer(rf"(?<![\d.,]){re.escape(form)}(?![\d]|[.,]\d)", text):
                    found = True
                    unit = unit_after(text[m.end():m.end() + 14])
                    if unit:
                        units.add(unit)
            if found:
                having[name] += 1
                seen[name].update(units)
    out = {}
    for name, counts in seen.items():
        if counts:
            unit, n = counts.most_common(1)[0]
            if n >= AGREE * having[name]:
                out[name] = unit
    return out


def attribute_units(names: Iterable[str], lex: Lexicon, by_text: dict[str, str] | None = None) -> dict[str, list[str]]:
    """attribute -> its units: the one the item texts write (`units_of_texts`), else those
    its name says."""
    names = list(names)
    return units_by_name(names, lex) | {n: [u] for n, u in (by_text or {}).items() if n in names}
