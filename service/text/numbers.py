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

from service.text.comparisons import comparison, has_words, past_one_word, phrases
from service.text.currency import convert, named
from service.text.lexicon import Lexicon
from service.text.number_ranges import range_start
from service.text.unit_words import unit_after
from service.text.vocabulary import Vocabulary
from service.text.zh_numerals import ZH_DECADE, ZH_DECADES, ZH_DIGITS, ZH_NUMBER, zh_number

# a number may follow a Chinese character directly (要2010年以后, 高于4.3), not a Latin one
# ... and a number glued to Latin letters is a name or a spec ('5G', '4K', '128GB'), not a
# quantity in its own right ('2k' is two thousand)
# ... with its thousands grouped ('$2,500', '1.500 €', '12 000 €' before a currency)
_NUMBER = re.compile(r"(?<![A-Za-z0-9_.])([$€£¥￥]\s*)?(\d{1,3}(?:[,.]\d{3})+(?:[.,]\d{1,2})?(?![.,]?\d)|\d{1,3}(?:[ \u00a0\u202f]\d{3})+"
                     r"(?=\s?(?:[$€£¥元]|euros?|dollars?|dólares|yuan))|\d{1,7}(?:[.,]\d{1,2})?)(\s*(?:k|grand|mil|mille)\b|[万千]\d?)?(?![A-Za-z0-9])")
_GROUPED = re.compile(r"(\d{1,3}(?:[,. \u00a0\u202f]\d{3})+)(?:[.,](\d{1,2}))?")
# the 90s, the 2000s, les années 2000, los años 80, los 2000 (not 'los 2000 euros'), 80年代
_DECADE = re.compile(r"(?:\b(?:19|20)?(\d0)\s*['’]?s\b|années\s+(?:19|20)?(\d0)\b|años\s+(?:19|20)?(\d0)\b"
                     r"|(\d0)\s*年代|\blos\s+(?:19|20)?(\d0)\b(?!\s*(?:€|\$|euros?|dólares|dolares|pesos|libras)))")
_DECADE_PAIR = re.compile(r"(?:années|años|los)\s+(?:19|20)?(\d0)\s*(?:-|–|/|et|ou|y|o|u|a|à)\s*(?:19|20)?(\d0)\b")
# two years named together are one range: '2024 ou 2025', 'from 2010 to 2015', '2018-2020'
_YEAR_PAIR = re.compile(r"(?<![\d$€£¥￥])((?:18|19|20)\d\d)\s*(?:-|–|/|or|and|to|et|ou|à|y|o|u|a|到|至|或|和|或者)\s*"
                        r"((?:18|19|20)\d\d)(?![\d])")
WINDOW_BEFORE, WINDOW_AFTER = 40, 24


@dataclass
class NumericConstraint:
    attribute: str
    gte: float | None
    lte: float | None
    start: int
    end: int
    why: str  # what was read, e.g. "price <= 300"
    guess: bool = False  # a bound the words only suggest ('cheap', 'a big battery', 'about its price')
    level: float | None = None  # ... at this quantile of the items considered ('a big battery': 0.75)


_LINK = re.compile(r"\s+(?:de|of|à|a|del|du|des|d'|da|di|von)\s*$")  # 'nota de 4', 'a rating of 4'


def _role_near(lex: Lexicon, vocab: Vocabulary, before: str, after: str, lang: str, symbol: str) -> str | None:
    if symbol and "price" in vocab.roles:
        return "price"
    before = _LINK.sub(" ", before)
    said = before.rstrip()
    for phrase in phrases(lex, ("comparisons", "min", "before"), lang) + phrases(lex, ("comparisons", "max", "before"), lang):
        if said.endswith(phrase) and (len(said) == len(phrase) or not said[-len(phrase) - 1].isalnum()):
            before = _LINK.sub(" ", said[:-len(phrase)])  # 'noté au moins 8', 'une note d'au moins 8'
            break
    for role in lex.data.get("numeric", {}):
        if role not in vocab.roles:
            continue
        words = phrases(lex, ("numeric", role), lang)
        if has_words(words, after, at_end=False) or has_words(words, before, at_end=True):
            return role
    return None


@dataclass
class _Number:
    start: int
    end: int
    digits: str  # as written ('4.5'), or the value of a Chinese numeral
    currency: str = ""


def _numbers(low: str) -> list[_Number]:
    out = [_Number(m.start(), m.end(), multiplied(ungrouped(m.group(2)), m.group(3)), m.group(1) or "")
           for m in _NUMBER.finditer(low)]
    for m in ZH_NUMBER.finditer(low):
        value = zh_number(m.group()) if len(m.group()) >= 2 else None  # a lone '十' is mostly '十分' (very)
        if value is not None and not any(n.start < m.end() and m.start() < n.end for n in out):
            out.append(_Number(m.start(), m.end(), str(value)))
    return sorted(out, key=lambda n: n.start)


def multiplied(digits: str, scale: str | None) -> str:
    """'2k' -> 2000; '1.5万' -> 15000, '1万5' -> 15000 (the digit after 万 is thousands);
    '8千' -> 8000, '2千5' -> 2500."""
    if not scale:
        return digits
    scale = scale.strip()
    unit = 1000 if scale in ("grand", "mil", "mille") else {"k": 1000, "万": 10000, "千": 1000}[scale[0]]
    scale = "" if scale in ("grand", "mil", "mille") else scale
    value = float(digits.replace(",", ".")) * unit + (int(scale[1]) * unit / 10 if scale[1:] else 0)
    return f"{value:g}"


def ungrouped(digits: str) -> str:
    """'2,500', '1.500', '12 000', '1,299.99' -> '2500', '1500', '12000', '1299.99'; anything
    else as written."""
    m = _GROUPED.fullmatch(digits)
    if not m:
        return digits
    whole = re.sub(r"[,. \u00a0\u202f]", "", m.group(1))
    return f"{whole}.{m.group(2)}" if m.group(2) else whole


def read_numbers(text: str, lang: str, lex: Lexicon, vocab: Vocabulary) -> list[NumericConstraint]:
    out: list[NumericConstraint] = []
    low = text.casefold()
    taken: list[tuple[int, int]] = []
    year = vocab.roles.get("year")
    decades = [(m.start(), m.end(), int(next(g for g in m.groups() if g))) for m in _DECADE.finditer(low)]
    decades += [(m.start(), m.end(), zh_number(m.group(1)) or 0) for m in ZH_DECADE.finditer(low)]
    for m in ZH_DECADES.finditer(low):  # 五六十年代
        decades += [(m.start(), m.end(), ZH_DIGITS[m.group(1)] * 10), (m.start(), m.end(), ZH_DIGITS[m.group(2)] * 10)]
    for m in _DECADE_PAIR.finditer(low):  # 'années 40-50', 'los 50 y 60'
        decades += [(m.start(), m.end(), int(m.group(1))), (m.start(), m.end(), int(m.group(2)))]
    spans = []
    for start, end, d in decades:
        if year and d % 10 == 0 and d < 100:
            base = 1900 + d if d >= 30 else 2000 + d
            spans.append((start, end, base))
            taken.append((start, end))
    if spans:  # 'the 50s and 60s', '五六十年代': one range over every decade named
        lo, hi = min(b for _s, _e, b in spans), max(b for _s, _e, b in spans) + 9
        start, end = min(s for s, _e, _b in spans), max(e for _s, e, _b in spans)
        out.append(NumericConstraint(year, lo, hi, start, end, f"{year} {lo}-{hi}"))
    for m in _YEAR_PAIR.finditer(low) if year else ():
        before, after = low[max(0, m.start() - WINDOW_BEFORE):m.start()], low[m.end():m.end() + WINDOW_AFTER]
        lo, hi = sorted((int(m.group(1)), int(m.group(2))))
        if hi - lo <= 50 and _role_near(lex, vocab, before, after, lang, "") in (None, "year") \
                and comparison(lex, before, after, lang) in (None, "min") \
                and not any(a < m.end() and m.start() < b for a, b in taken):
            out.append(NumericConstraint(year, lo, hi, m.start(), m.end(), f"{year} {lo}-{hi}"))
            taken.append((m.start(), m.end()))
    for n in _numbers(low):
        if any(a <= n.start < b for a, b in taken):
            continue
        value = float(n.digits.replace(",", "."))
        before = low[max(0, n.start - WINDOW_BEFORE):n.start]
        after = low[n.end:n.end + WINDOW_AFTER]
        role = _role_near(lex, vocab, before, after, lang, n.currency)
        if role == "year" and value < 100 and len(n.digits) == 2 and n.digits.isdigit() \
                and (after.startswith(_ZH_YEAR_OF) or comparison(lex, before, after, lang)):
            value += 2000 if value <= 40 else 1900  # '22年以后出的', '23年的旗舰', '98年的'
        if role == "year" and value < 1000:
            continue  # 'my 6 year old', 'des enfants de 8 ans', '十岁': an age, not a year
        bare = role is None
        if role is None:
            if 1800 <= value <= 2100 and n.digits.isdigit() and year:
                role = "year"
            elif value <= 5 and "rating" in vocab.roles and ("." in n.digits or "," in n.digits):
                role = "rating"
            elif unit_after(text[n.end:n.end + 14]):
                continue  # 'over 5000 mAh', 'under 200 grams': a measure this catalog does not have, no budget
            elif "price" in vocab.roles and not (1800 <= value <= 2100) and comparison(lex, before, after, lang):
                role = "price"  # 'under 300', '2500以内': a bare number is a budget only with a comparison
            else:
                continue  # 'my dad is 72', 'Mate 60', '4K video', '用了三年'

        attr = vocab.roles[role]
        written = value
        if role == "price":  # a budget in another currency than the catalog's
            asked_in = named(lex, n.currency, after) or lex.data.get("default_currency", {}).get(lang)
            value = convert(lex, value, asked_in, vocab.currency) or value
            if bare and not plausible(vocab, attr, value):
                continue  # '骁龙8系以上': no price this catalog has is anywhere near 8
        unit = next((w for w in phrases(lex, ("numeric", role), lang) if after.lstrip().startswith(w)), "")
        after_unit = after.lstrip()[len(unit):]  # '300元以下': the comparison follows the unit
        kind = comparison(lex, before, after, lang, after_unit if unit else None)
        if kind is None and role == "year":
            kind = comparison(lex, "", past_one_word(after), lang)  # 'a 2023 model or newer'
        lo = range_start(low, n.start, before) if role == "price" and kind in (None, "max") else None
        if lo is not None and (convert(lex, lo[0], asked_in, vocab.currency) or lo[0]) < value:
            # 'between 20 and 50 dollars', 'entre 20 et 50 €', '20到50美元': both ends
            low_end = convert(lex, lo[0], asked_in, vocab.currency) or lo[0]
            c = NumericConstraint(attr, low_end, value, lo[1], n.end, f"{attr} {low_end:g}-{value:g}")
        elif kind == "max":
            c = NumericConstraint(attr, None, value, n.start, n.end, f"{attr} <= {value:g}")
        elif kind == "min":
            c = NumericConstraint(attr, value, None, n.start, n.end, f"{attr} >= {value:g}")
        elif kind == "around":
            lo, hi = around(role, value)
            c = NumericConstraint(attr, lo, hi, n.start, n.end, f"{attr} {lo:g}-{hi:g} (around {value:g})")
        elif role == "year":
            c = NumericConstraint(attr, value, value, n.start, n.end, f"{attr} = {value:g}")
        elif role == "rating":  # '4.5 stars' means at least that
            c = NumericConstraint(attr, value, None, n.start, n.end, f"{attr} >= {value:g}")
        else:  # 'a 300 dollar phone': about that much
            c = NumericConstraint(attr, None, value * 1.1, n.start, n.end, f"{attr} <= {value * 1.1:g}")
        if value != written:
            c.why += f" ({written:g} {asked_in})"
        out.append(c)
    return out + _vague(text, lang, lex, vocab, {c.attribute for c in out})


_ZH_YEAR_OF = ("年的", "年出", "年款", "年发布", "年上市", "年以后", "年之后", "年以前", "年之前", "年后", "年前")


def plausible(vocab: Vocabulary, attribute: str, value: float) -> bool:
    """Within a factor of three of the catalog's own range of that attribute."""
    have = vocab.numeric.get(attribute)
    return have is None or not len(have) or have[0] / 3 <= value <= have[-1] * 3


def around(role: str | None, low: float, high: float | None = None) -> tuple[float, float]:
    """What 'around' a value (or the values from `low` to `high`: items referred to)
    takes in: a year within 2, a rating within a quarter star, any other quantity (a
    price) within 20%."""
    high = low if high is None else high
    if role == "year":
        return low - 2, high + 2
    if role == "rating":
        return low - 0.25, high + 0.25
    return round(low * 0.8, 2), round(high * 1.2, 2)


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
        for w in phrases(lex, ("price_words", kind), lang):
            pat = re.escape(w) if not w.isascii() else rf"(?<![\w-]){re.escape(w)}(?![\w-])"
            m = re.search(pat, low)
            if not m:
                continue
            if kind == "value" and price and rating:
                p, r = vocab.quantile(price, 0.5), vocab.quantile(rating, 0.5)
                out.append(_guess(price, None, p, m, f"good value: {price} <= {p:g} (median)", 0.5))
                out.append(_guess(rating, r, None, m, f"good value: {rating} >= {r:g} (median)", 0.5))
            elif kind == "top_rated" and rating:
                r = vocab.quantile(rating, 2 / 3)
                out.append(_guess(rating, r, None, m, f"highly rated: {rating} >= {r:g} (top third)", 2 / 3))
            elif kind == "cheap" and price and lex.spans("negation", " ".join(low[:m.start()].split()[-3:]), lang):
                pass  # 'skip the budget 10 series', 'no quiero uno barato': no cheap bound
            elif kind == "cheap" and price:
                p = vocab.quantile(price, 1 / 3)
                out.append(_guess(price, None, p, m, f"affordable: {price} <= {p:g} (cheapest third)", 1 / 3))
            elif kind == "expensive" and price and (lex.spans("negation", " ".join(low[:m.start()].split()[-3:]), lang)
                                                    or has_words(phrases(lex, ("excess",), lang), low[:m.start()], at_end=True)):
                p = vocab.quantile(price, 0.5)  # 'que no sea caro', 'not expensive'; 'too expensive', '太贵了'
                out.append(_guess(price, None, p, m, f"not expensive: {price} <= {p:g} (median)", 0.5))
            elif kind == "expensive" and price:
                p = vocab.quantile(price, 2 / 3)
                out.append(_guess(price, p, None, m, f"premium: {price} >= {p:g} (top third)", 2 / 3))
            low = low[:m.start()] + " " * (m.end() - m.start()) + low[m.end():]  # 'not too expensive' is not 'expensive'
            break
    return out


def _guess(attr: str, gte: float | None, lte: float | None, m: re.Match, why: str, level: float) -> NumericConstraint:
    return NumericConstraint(attr, gte, lte, m.start(), m.end(), why, guess=True, level=level)
