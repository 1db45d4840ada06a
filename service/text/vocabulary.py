"""The catalog's own vocabulary, derived from its data at index time.

- Every categorical attribute (list values, short text values: genres, shelves, brand,
  authors, category...) with its surface forms: case, hyphen/underscore/space, simple
  plurals, a person's surname, a name as Chinese writes it by sound (`names.py`); plus the words other languages use for it where the
  shipped multilingual resource (`lexicon.yaml` concepts) or the overrides file
  (`RECS_VOCABULARY_FILE`: value -> {en, fr, es, zh: [words]}) names them.
- Every numeric attribute (price, year, rating, runtime...) with its distribution, and
  which role (price / rating / year) it plays, by name.

Lookup is by word n-grams (Chinese: characters), longest first, so a catalog of
thousands of values costs a dictionary lookup per word."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import yaml

from service.text.attribute_units import attribute_units
from service.text.language import has_cjk
from service.text.lexicon import Lexicon
from service.text.names import NameIndex
from service.text.stopwords import STOP_WORDS
from service.text.titles import starts_with_value, words_with_spans
from service.text.value_parts import any_case, shared_parts
from service.text.zh_names import latinize, zh_names

MAX_WORDS = 5
LANGS = ("en", "fr", "es", "zh")
LINE_TITLE_SHARE = 0.8  # an attribute whose value starts this share of titles is a brand
SOME_LACK = 0.05  # a numeric attribute this share of items lacks is a feature to have or not
LINE_PURITY = 0.95  # ...and a word after it names a line of the one brand nearly all its titles have
YES, NO = ("yes", "true", "y"), ("no", "false", "n")  # the values of an attribute that is a yes / no flag
_SEP = re.compile(r"[-_/]+")
_SERIES_AFTER = re.compile(r"\s+[A-Z]\b(?![\'’-])")  # 'poco F', 'galaxy S': a line's series letter
_NAMEISH = re.compile(r"^[A-Z][\w.'’-]*(?:\s+[A-Z][\w.'’-]*){1,3}$")


@dataclass(frozen=True)
class ValueMention:
    attribute: str
    value: str
    start: int
    end: int


def looks_like_name(value: str) -> bool:
    """'Stephen King', 'J.K. Rowling', 'Huawei': capitalised words, a person or a brand."""
    return bool(_NAMEISH.match(value) or re.fullmatch(r"[A-Z][a-z]{3,}", value))


def _key(words: list[str]) -> str:
    return " ".join(words)


def surface_forms(value: str) -> set[str]:
    """How people write a value: 'Sci-Fi' -> sci fi, scifi; 'thriller' -> thrillers;
    'comedy' -> comedies; 'young-adult' -> young adult."""
    base = " ".join(w for w, _s, _e in words_with_spans(_SEP.sub(" ", value)))
    if not base:
        return set()
    forms = {base}
    if " " in base and len(base) <= 12:
        forms.add(base.replace(" ", ""))
    last = base.rsplit(" ", 1)[-1]
    if last.isalpha() and len(last) >= 3 and last.isascii():
        stem = base[: len(base) - len(last)]
        if last.endswith("y") and not last.endswith(("ay", "ey", "oy", "uy")):
            forms.add(stem + last[:-1] + "ies")
        elif last.endswith("ies"):
            forms.add(stem + last[:-3] + "y")
        elif last.endswith("s") and not last.endswith("ss"):
            forms.add(stem + last[:-1])
        else:
            forms.add(stem + last + ("es" if last.endswith(("sh", "ch", "x")) else "s"))
    return forms


class Vocabulary:
    def __init__(self, attributes: list[dict], lex: Lexicon, overrides: dict | None = None,
                 currency: str | None = None, titles: list[str] | None = None,
                 units: dict[str, str] | None = None) -> None:
        """units: attribute -> the unit its item texts write after it (`attribute_units.py`)."""
        self.lex = lex
        self.currency = currency  # the catalog's prices' currency, when known (text/currency.py)
        self.by_form: dict[str, list[tuple[str, str]]] = defaultdict(list)
        numeric: dict[str, list[float]] = defaultdict(list)
        values: dict[tuple[str, str], int] = defaultdict(int)
        for attrs in attributes:
            for name, v in attrs.items():
                if isinstance(v, bool):
                    continue
                if isinstance(v, int | float):
                    numeric[name].append(float(v))
                    continue
                for x in (v if isinstance(v, list) else [v] if isinstance(v, str) and len(v) <= 40 else []):
                    x = str(x).strip()
                    if x and not x.replace(".", "").isdigit():
                        values[(name, x)] += 1
        surnames: dict[str, set[tuple[str, str]]] = defaultdict(set)
        for (name, value) in values:
            for form in surface_forms(value):
                self._add(form, name, value)
            if _NAMEISH.match(value):  # 'Stephen King' -> 'king' (only where no other name ends so)
                surnames[value.split()[-1].casefold().strip(".")].add((name, value))
        self._only_capitalized: set[str] = set()  # forms that count only when written capitalised (a surname alone, a grammar word)
        for form, owners in surnames.items():
            if len(owners) == 1 and len(form) >= 4 and form not in self.by_form:
                self._add(form, *next(iter(owners)))
                self._only_capitalized.add(form)
        # a value spelled like a grammar word (the brand 'Nothing') is a name only when
        # written as one: 'a Nothing Phone', not 'nothing from Samsung'
        grammar = {w for lg in ("en", "fr", "es", "zh") for w in lex.function_words(lg)}
        self._only_capitalized |= {form for form in self.by_form if form in grammar}
        self.values = values
        self.items = len(attributes)
        self.exact: dict[str, tuple[str, str]] = {}  # casefolded value -> (attribute, value as stored)
        for (name, value) in values:
            self.exact.setdefault(value.casefold(), (name, value))
        self._translate(lex, overrides or {})
        # 'LTPO', 'Snapdragon 8': any of several values (before a surname-like reading: 'AMOLED LTPO')
        common = grammar | {w for ws in STOP_WORDS.values() for w in ws}
        self.parts = shared_parts(values, {f for _a, v in values for f in surface_forms(v)}, common)
        known = {n.casefold() for n in lex.data.get("zh_names", {})}
        for form, owners in self.parts.items():
            self.by_form[form] = owners
            if any_case(form, owners, known):
                self._only_capitalized.discard(form)
            else:
                self._only_capitalized.add(form)
        self.flags = _flags(values)
        self.lines: set[str] = set()  # words that name a brand by its line ('iPhone', 'Galaxy', 'Redmi')
        self.partial_lines: set[str] = set()  # ...a part of it: 'not a Redmi' is no 'not a Xiaomi'
        if titles:
            self._lines(attributes, titles, grammar)
        self._name_values = [(n, v) for (n, v) in values if looks_like_name(v)]
        self.zh_names = zh_names(lex, values, self.by_form)  # '一加' -> 'OnePlus'
        self._names: NameIndex | None = None
        self.numeric = {k: np.sort(np.asarray(v)) for k, v in numeric.items() if len(v) >= 3}
        self.roles = self._roles(lex)
        self.unit_of = attribute_units(self.numeric, lex, units)

    def _lines(self, attributes: list[dict], titles: list[str], grammar: set[str]) -> None:
        """Product lines: the word after the brand at the start of its items' titles
        ('Apple iPhone 15', 'Xiaomi Redmi Note 13', 'Samsung Galaxy S24') names that
        brand, when a value of the attribute starts most titles and nearly every item
        whose title has that word there is of one value. A plain word ('Galaxy', 'POCO':
        Spanish 'poco') counts only when written capitalised; 'iPhone' in any case."""
        after: list[tuple[str, str, str]] = []  # (attribute, its value starting the title, the next word)
        starts: dict[str, int] = defaultdict(int)
        for attrs, title in zip(attributes, titles):
            for name, v in attrs.items():
                if starts_with_value(title, v):
                    starts[name] += 1
                    after.append((name, v, (title[len(v) + 1:].split() or [""])[0]))
        seen: dict[str, dict[tuple[str, str], int]] = defaultdict(lambda: defaultdict(int))
        spelled: dict[str, str] = {}
        for name, v, word in after:
            if starts[name] >= LINE_TITLE_SHARE * len(titles) and word.isalpha() and len(word) >= 3:
                seen[word.casefold()][(name, v)] += 1
                spelled[word.casefold()] = word
        common = grammar | {w for ws in STOP_WORDS.values() for w in ws}
        for form, owners in seen.items():
            owner, n = max(owners.items(), key=lambda o: o[1])
            if form in self.by_form or form in common or any(self.lex.concept_of(form, lg) for lg in LANGS) \
                    or n < 2 or n < LINE_PURITY * sum(owners.values()):
                continue
            self._add(form, *owner)
            self.lines.add(form)
            if n < LINE_PURITY * self.values.get(owner, 0):  # 'Redmi' is some Xiaomi phones, 'iPhone' every Apple
                self.partial_lines.add(form)
            word = spelled[form]
            if word.isupper() or not any(c.isupper() for c in word[1:]):
                self._only_capitalized.add(form)

    def _add(self, form: str, attribute: str, value: str) -> None:
        if (attribute, value) not in self.by_form[form]:
            self.by_form[form].append((attribute, value))

    def _translate(self, lex: Lexicon, overrides: dict) -> None:
        """Words other languages use for a value: the lexicon's concepts name common
        attribute values in en/fr/es/zh; the overrides file adds or corrects any."""
        by_value: dict[str, list[tuple[str, str]]] = defaultdict(list)
        for (name, value) in self.values:
            by_value[value.casefold()].append((name, value))
        sources = [(c.get("values", []), c) for c in lex.concepts.values() if c.get("kind") != "mood"]
        sources += [([value], words) for value, words in overrides.items()]
        for vals, words in sources:
            owners = [o for v in vals for o in by_value.get(str(v).casefold(), [])]
            for lang in ("en", "fr", "es", "zh"):
                for w in words.get(lang, []) or []:
                    form = " ".join(t for t, _s, _e in words_with_spans(w))
                    for owner in owners:
                        if form:
                            self._add(form, *owner)

    def _roles(self, lex: Lexicon) -> dict[str, str]:
        """role -> the numeric attribute that plays it ('price' -> 'price_usd'): an exact
        name first, else a name that contains one ('average_rating')."""
        out = {}
        for role, spec in lex.data.get("numeric", {}).items():
            names = [a.casefold() for a in spec.get("attributes", [])]
            exact = sorted((a for a in self.numeric if a.casefold() in names), key=lambda a: names.index(a.casefold()))
            loose = [a for a in self.numeric if any(n in a.casefold() for n in names)]
            if exact or loose:
                out[role] = (exact or loose)[0]
        if "year" not in out:  # a year by its values when no name says so ('vintage', 'anio')
            years = [a for a, vals in self.numeric.items() if a not in out.values() and len(vals)
                     and 1800 <= vals.min() and vals.max() <= 2100 and bool((vals == vals.round()).all())]
            if len(years) == 1:
                out["year"] = years[0]
        return out

    # -- reading a message ---------------------------------------------------------------------
    @property
    def names(self) -> NameIndex:
        """Name values heard in Chinese script (built on the first Chinese message)."""
        if self._names is None:
            self._names = NameIndex(self._name_values, self.lex.data.get("name_edges", {}).get("zh", []),
                                    {k: float(n) for k, n in self.values.items()})
        return self._names

    def find(self, text: str, masked: list[tuple[int, int]] = ()) -> list[ValueMention]:
        """Attribute values named in `text`, longest match first, outside `masked`; in
        Chinese script, names written by sound too (`names.py`)."""
        out: list[ValueMention] = []
        if self._name_values and has_cjk(text):
            for h in self.names.find(text):
                if not any(a < h.end and h.start < b for a, b in masked):
                    out.append(ValueMention(h.attribute, h.value, h.start, h.end))
            masked = [*masked, *((m.start, m.end) for m in out)]
        words = words_with_spans(text)
        i = 0
        while i < len(words):
            if any(a <= words[i][1] < b for a, b in masked):
                i += 1
                continue
            hit = None
            for n in range(min(MAX_WORDS * 2, len(words) - i), 0, -1):
                key = _key([w for w, _s, _e in words[i:i + n]])
                # a lone two-letter Latin word ('en', 'us') is too ambiguous to be a value
                if key in self.by_form and len(key.replace(" ", "")) >= (2 if n > 1 or not key.isascii() else 3):
                    hit = (key, n)
                    break
            if hit and hit[0] in self._only_capitalized and not text[words[i][1]].isupper() \
                    and not (hit[0] in self.lines and _SERIES_AFTER.match(text, words[i + hit[1] - 1][2])):
                hit = None  # a surname alone counts when written as a name ('King', not 'page-turner'; a line
                # before its series letter in any case: 'a poco F')
            if hit:
                key, n = hit
                start, end = words[i][1], words[i + n - 1][2]
                owners = self.by_form[key] if key in self.parts else [self._likeliest(self.by_form[key])]
                out.extend(ValueMention(*o, start, end) for o in owners)
                i += n
            else:
                i += 1
        return out

    def latinized(self, text: str) -> str:
        """Chinese text with the names Chinese writes by meaning as the catalog writes them."""
        return latinize(text, self.zh_names)

    def _likeliest(self, owners: list[tuple[str, str]]) -> tuple[str, str]:
        """A word several attributes share ('Samsung': brand and chipset maker) means the
        one more items carry: two filters at once would ask for both."""
        return max(owners, key=lambda o: self.values.get(o, 0))

    def share(self, attribute: str, value: str) -> float:
        """The share of the catalog's items that have this value."""
        return self.values.get((attribute, value), 0) / self.items if self.items else 0.0

    def optional(self, attribute: str) -> bool:
        """Is this numeric attribute a feature some items lack (0 or absent: the phones with
        no wireless charging, no zoom lens), rather than a quantity every item has?"""
        vals = self.numeric.get(attribute)
        if vals is None or not self.items:
            return False
        some = vals[vals > 0]
        if len(some) and 1800 <= some.min() and some.max() <= 2100:
            return False  # years ('vintage': the non-vintage wines lack one, no wine "has" one)
        return 1.0 - float(len(some)) / self.items >= SOME_LACK

    def quantile(self, attribute: str, q: float) -> float | None:
        vals = self.numeric.get(attribute)
        return float(np.quantile(vals, q)) if vals is not None and len(vals) else None


def load_overrides(path: str | Path | None) -> dict:
    if not path:
        return {}
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    if not isinstance(data, dict):
        raise ValueError(f"{path}: expected a mapping value -> {{en|fr|es|zh: [words]}}")
    return data


def _flags(values: dict[tuple[str, str], int]) -> dict[str, str]:
    """Yes / no attributes ('nfc': yes | no), each with its 'yes' value as the catalog writes it."""
    answers: dict[str, dict[str, str]] = defaultdict(dict)
    for attr, value in values:
        answers[attr][value.casefold()] = value
    return {a: next(vals[v] for v in YES if v in vals) for a, vals in answers.items()
            if set(vals) <= set(YES + NO) and any(v in YES for v in vals)}
