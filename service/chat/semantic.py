"""Catalog values found by meaning, in any language the sentence encoder knows.

The vocabulary (`text/vocabulary.py`) finds values written as the catalog writes them.
This finds the rest: a span of the request ('autoayuda', 'tablette', '苹果', 'soldiers')
whose vector is close enough to one categorical value's vector ('self-help', 'Tablet',
'Apple', 'War') and clearly closer to it than to any other value. Spans are word
n-grams (Chinese: character windows) outside what grammar already read; the threshold
and margin are calibrated on the lexicon's own words (`scripts/calibrate_values.py`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from service.embed import Embedder
from service.text.language import has_cjk
from service.text.zh_words import boundaries
from service.text.vocabulary import NO, YES, ValueMention

MAX_VALUES_PER_ATTRIBUTE = 300
FLAGS = {*YES, *NO, "none", "unknown", "n/a", "na", "other"}
# unit words at the end of a numeric attribute's name say nothing of its meaning
UNITS = {"mah", "mp", "gb", "mb", "tb", "in", "inch", "inches", "hz", "w", "g", "kg", "x", "usd", "eur", "mm",
         "cm", "px", "s", "min", "pct", "count", "num"}  # larger attributes are names (authors, titles), found by spelling
MAX_SPAN_WORDS = 3
CJK_WINDOWS = (2, 3, 4)
_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_CJK_RUN = re.compile(f"[{_CJK}]+")
_WORD = re.compile(rf"[^\W_{_CJK}]+(?:['’-][^\W_{_CJK}]+)*", re.UNICODE)  # 'NFC' in '支持NFC的手机' is a word
_SEP = re.compile(r"[-_/]+")
_PUNCT = re.compile(r"[,.;:!?()，。；：！？、（）]")


_FREE_OF = (re.compile(r"(.+?)[\s-]*free", re.I), re.compile(r"(?:sans|sin|without|no|non)[\s-]+(.+)", re.I),
            re.compile(r"(?:无|不含|零)(.+)"))


def free_of(value: str) -> str | None:
    """What a value says its items are without ('gluten-free' -> 'gluten', 'no-cook' ->
    'cook', 'sans sucre' -> 'sucre'), or None."""
    for pattern in _FREE_OF:
        m = pattern.fullmatch(value.strip())
        if m:
            return m.group(1).casefold()
    return None


@dataclass(frozen=True)
class ValueHit(ValueMention):
    """A value named by meaning: where, and how surely."""
    score: float = 0.0  # cosine of the span and the value
    margin: float = 0.0  # over the best value that is not this one


_CODE = re.compile(r"[a-z]{1,3}(?:[-_][A-Za-z]{2,3})?")


def is_code(value: str) -> bool:
    """'ger', 'en-US', 'nl': short codes mean nothing to the encoder (and land near
    anything); a capitalised short name ('LG', 'Sky') is still a word."""
    return bool(_CODE.fullmatch(value))


def coded_attributes(values) -> set[str]:
    """Attributes most of whose values are codes ('eng', 'en-US', 'fre'); in another,
    a short word is a word ('red' beside 'white' and 'rosé', 'dry' beside 'off-dry')."""
    seen: dict[str, list[bool]] = {}
    for attr, v in values:
        seen.setdefault(attr, []).append(is_code(v))
    return {a for a, flags in seen.items() if sum(flags) > 0.6 * len(flags)}  # 'dry', 'off-dry' beside 'sweet': words


def value_text(value: str) -> str:
    """What a value's vector is made from: 'young-adult' reads as 'young adult'."""
    return _SEP.sub(" ", value).strip()


def spans(text: str, masked: list[tuple[int, int]], stop: set[str]) -> list[tuple[int, int]]:
    """Candidate spans outside `masked`: word n-grams that neither start nor end with a
    stop word; in Chinese script, character windows."""
    def free(a: int, b: int) -> bool:
        return not any(x < b and a < y for x, y in masked)

    out: list[tuple[int, int]] = []
    words = [(m.start(), m.end(), m.group().casefold()) for m in _WORD.finditer(text)
             if not _CJK_RUN.fullmatch(m.group())]
    for i in range(len(words)):
        for n in range(1, MAX_SPAN_WORDS + 1):
            if i + n > len(words):
                break
            first, last = words[i], words[i + n - 1]
            if n > 1 and _PUNCT.search(text, words[i + n - 2][1], last[0]):
                break  # 'never sit still. iPhone': a span does not cross a clause's end
            if first[2] in stop or last[2] in stop or any(any(c.isdigit() for c in w[2]) for w in words[i:i + n]):
                continue  # a number, or a model's name ('P30', 'S24'): spelled, never meant
            if free(first[0], last[1]):
                out.append((first[0], last[1]))
    if has_cjk(text):
        cjk_stop = [w for w in stop if len(w) >= 2 and has_cjk(w)]
        for run in _CJK_RUN.finditer(text):
            edges = {run.start() + e for e in boundaries(run.group())}  # whole words only: no '子关' in '父子关系'
            for size in CJK_WINDOWS:
                for a in range(run.start(), run.end() - size + 1):
                    window = text[a:a + size]  # no window around a word that names nothing ('电影')
                    if a in edges and a + size in edges and free(a, a + size) and window not in stop \
                            and not any(w in window for w in cjk_stop):
                        out.append((a, a + size))
    return out


@dataclass(frozen=True)
class AttributeHit:
    attribute: str
    start: int
    end: int
    score: float


def attribute_text(name: str) -> str:
    """'battery_mah' reads as 'battery', 'main_camera_mp' as 'main camera'."""
    words = _SEP.sub(" ", name).split()
    while len(words) > 1 and words[-1].casefold() in UNITS:
        words.pop()
    return " ".join(words)


class _SpanMatcher:
    """Spans of a request against labels embedded once: a span matches its closest label
    when the cosine reaches `threshold` and beats every label of another group by
    `margin` (labels of one group, e.g. one value under two attributes, do not compete)."""

    def __init__(self, embedder: Embedder, texts: list[str], groups: list[str], threshold: float,
                 margin: float) -> None:
        self.embedder, self.threshold, self.margin = embedder, threshold, margin
        self.matrix = embedder.embed(texts) if texts else np.zeros((0, embedder.dim), dtype=np.float32)
        ids: dict[str, int] = {}
        self._group = np.asarray([ids.setdefault(g, len(ids)) for g in groups], dtype=int)

    def _matches(self, text: str, masked, stop) -> list[tuple[int, int, int, float, float]]:
        """(label row, start, end, cosine, margin) of every matching span."""
        cands = spans(text, list(masked), stop)
        if not cands or not len(self.matrix):
            return []
        sims = self.embedder.embed([text[a:b] for a, b in cands]) @ self.matrix.T
        out = []
        for (a, b), row in zip(cands, sims):
            j = int(np.argmax(row))
            others = row[self._group != self._group[j]]
            margin = float(row[j] - (others.max() if len(others) else 0.0))
            if row[j] >= self.threshold and margin >= self.margin:
                out.append((j, a, b, float(row[j]), margin))
        return out


def _best_first_apart(hits: list, same=lambda a, b: False) -> list:
    """The best-scoring hits whose spans do not overlap (nor are `same` as a kept one)."""
    chosen: list = []
    for h in sorted(hits, key=lambda h: -h.score):
        if not any((c.start < h.end and h.start < c.end) or same(c, h) for c in chosen):
            chosen.append(h)
    return chosen


class SemanticAttributes(_SpanMatcher):
    """The catalog's numeric attributes by name ('battery_mah'), so 'a big battery' or
    '电池大' can become a range over the catalog's own distribution. `glosses`: other
    names for an attribute ('optical_zoom_x': 'telephoto lens'), matched as its own."""

    def __init__(self, embedder: Embedder, names: list[str], threshold: float, margin: float,
                 glosses: dict[str, list[str]] | None = None) -> None:
        self.names = names
        labels = [(n, attribute_text(n)) for n in names]
        labels += [(n, g) for n in names for g in (glosses or {}).get(n, [])]
        self._row_name = [n for n, _t in labels]
        super().__init__(embedder, [t for _n, t in labels], self._row_name, threshold, margin)

    def closest(self, text: str, names: list[str]) -> str:
        """Which of `names` the words around a number are about ('12GB of RAM' -> ram_gb)."""
        if len(names) == 1 or not len(self.matrix):
            return names[0]
        rows = [j for j, n in enumerate(self._row_name) if n in names]
        sims = self.embedder.embed([text])[0] @ self.matrix[rows].T
        return self._row_name[rows[int(np.argmax(sims))]]

    def find(self, text: str, masked: list[tuple[int, int]] = (), stop: set[str] = frozenset()) -> list[AttributeHit]:
        hits = [AttributeHit(self._row_name[j], a, b, score) for j, a, b, score, _m in self._matches(text, masked, stop)]
        return _best_first_apart(hits, same=lambda c, h: c.attribute == h.attribute)


class SemanticValues(_SpanMatcher):
    """The catalog's small categorical attributes, embedded once per item space."""

    def __init__(self, embedder: Embedder, values: dict[tuple[str, str], int],
                 threshold: float, margin: float) -> None:
        per_attr: dict[str, int] = {}
        for attr, _v in values:
            per_attr[attr] = per_attr.get(attr, 0) + 1
        # flags ('yes' / 'no') mean nothing by themselves: "isn't" is close to 'no'
        coded = coded_attributes(values)
        self.keys = [(a, v) for (a, v) in values if per_attr[a] <= MAX_VALUES_PER_ATTRIBUTE
                     and v.casefold() not in FLAGS and not (a in coded and is_code(v))]
        super().__init__(embedder, [value_text(v) for _a, v in self.keys], [v.casefold() for _a, v in self.keys],
                         threshold, margin)
        self._free_of: tuple[list[int], np.ndarray] | None = None

    def free_of_stems(self) -> tuple[list[int], np.ndarray]:
        """The rows of the values that say 'without' ('gluten-free'), and the vectors of what
        they are without ('gluten'), embedded once."""
        if self._free_of is None:
            rows = [j for j, (_a, v) in enumerate(self.keys) if free_of(v)]
            stems = self.embedder.embed([free_of(self.keys[j][1]) for j in rows]) if rows else \
                np.zeros((0, self.embedder.dim), dtype=np.float32)
            self._free_of = (rows, stems)
        return self._free_of

    def closest(self, texts: list[str], rows: list[int]) -> list[tuple[int, float, float]]:
        """Per text, the closest of the values at `rows`: (row, cosine, margin over the next)."""
        if not texts or not rows:
            return []
        sims = self.embedder.embed(texts) @ self.matrix[rows].T
        out = []
        for row in sims:
            order = np.argsort(-row)
            second = float(row[order[1]]) if len(order) > 1 else 0.0
            out.append((rows[int(order[0])], float(row[order[0]]), float(row[order[0]]) - second))
        return out

    def find(self, text: str, masked: list[tuple[int, int]] = (), stop: set[str] = frozenset()) -> list[ValueHit]:
        """Values the text means, one per span, best first, spans not overlapping."""
        return _best_first_apart([ValueHit(*self.keys[j], a, b, score, margin)
                                  for j, a, b, score, margin in self._matches(text, masked, stop)])


def glosses(embedder: Embedder, names: list[str], known: dict[str, list[str]], close: float = 0.8) -> dict[str, list[str]]:
    """Other names the lexicon knows for each of `names` (`attribute_glosses`: 'optical
    zoom' is also 'telephoto lens'), found by the attribute's own name read as words
    ('optical_zoom_x' -> 'optical zoom') being that key or meaning it."""
    if not names or not known:
        return {}
    keys = list(known)
    texts = [attribute_text(n).casefold() for n in names]
    sims = embedder.embed(texts) @ embedder.embed(keys).T
    out = {}
    for i, n in enumerate(names):
        j = int(np.argmax(sims[i]))
        if texts[i] in known:
            out[n] = list(known[texts[i]])
        elif sims[i, j] >= close:
            out[n] = list(known[keys[j]])
    return out
