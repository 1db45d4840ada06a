"""Finding catalog titles in text: 'like Toy Story' in a request, and any title a blurb
names. Titles are normalised (case, punctuation, a trailing '(1995)' year, 'Matrix,
The' -> 'matrix') and looked up as word n-grams, longest first."""

from __future__ import annotations

import re
from collections.abc import Iterable

_YEAR = re.compile(r"\s*\((?:\d{4}(?:[-–]\d{0,4})?|[^)]*\d{4}[^)]*)\)\s*$")
_TRAIL_ARTICLE = re.compile(r",\s*(the|a|an|les|le|la|el|los|las|l')\s*$", re.IGNORECASE)
_NON_WORD = re.compile(r"[^\w\s]+", re.UNICODE)
_SEQUEL_WORDS = frozenset({"ii", "iii", "iv", "v", "vi", "part", "chapter", "episode", "returns", "reloaded"})
_QUOTED = re.compile(r"[\"“”«»《》「」]\s*([^\"“”«»《》「」]{2,80}?)\s*[\"“”«»《》「」]")
ARTICLES = ("the ", "a ", "an ")
MAX_WORDS = 10


_TRAIL_PAREN = re.compile(r"(?<=\S)\s*\([^()]*\)\s*$")


def _bare(title: str) -> str:
    """Without trailing parentheses: the year and any alias ('Se7en (a.k.a. Seven) (1995)'
    -> 'Se7en')."""
    t = _YEAR.sub("", title.strip())
    while _TRAIL_PAREN.search(t):
        t = _TRAIL_PAREN.sub("", t)
    return t


def normalize(title: str) -> str:
    t = _bare(title)
    t = _TRAIL_ARTICLE.sub("", t)
    t = _NON_WORD.sub(" ", t.casefold())
    t = " ".join(t.split())
    for a in ARTICLES:
        if t.startswith(a) and len(t) > len(a):
            t = t[len(a):]
            break
    return t


def display(title: str) -> str:
    """A title as people say it: no trailing year or alias, 'Matrix, The' -> 'The Matrix'."""
    t = _bare(title)
    m = _TRAIL_ARTICLE.search(t)
    if m:
        article = m.group(1)
        t = f"{article[:1].upper()}{article[1:]} {t[:m.start()].strip()}".replace("L' ", "L'")
    return t or title


_TOKEN = re.compile(r"[^\W_\u3400-\u9fff]+|[\u3400-\u9fff]", re.UNICODE)


def words_with_spans(text: str) -> list[tuple[str, int, int]]:
    """Words (each Chinese character is its own word), casefolded, with their spans."""
    return [(m.group(0).casefold(), m.start(), m.end()) for m in _TOKEN.finditer(text)]


def starts_with_value(title: str, value: object) -> bool:
    """Does the title start with this value of its item, as a word ('Samsung Galaxy S24',
    brand Samsung)?"""
    return isinstance(value, str) and bool(value.strip()) and \
        title.casefold().startswith(value.strip().casefold() + " ")


def without_maker(title: str, values: Iterable[object]) -> str | None:
    """The title as people say it without the maker it starts with, when one of the item's
    own values is that maker: 'Samsung Galaxy S24 Ultra' (brand Samsung) -> 'Galaxy S24
    Ultra', 'Google Pixel 8' -> 'Pixel 8'. Only a model name that stands on its own: two
    words or more, one of them with a digit ('OnePlus 12' leaves a bare '12')."""
    for v in values:
        if starts_with_value(title, v):
            rest = title[len(v.strip()) + 1:].strip()
            words = normalize(rest).split()
            if len(words) >= 2 and any(ch.isdigit() for w in words for ch in w):
                return rest
    return None


class TitleIndex:
    def __init__(self, titles: Iterable[tuple[str, str]], popularity: dict[str, float] | None = None,
                 aliases: Iterable[tuple[str, str]] = ()) -> None:
        """titles: (item_id, title). Equal titles resolve to the most popular item.
        aliases: (item_id, another name), found only where no title is spelled so."""
        pop = popularity or {}
        self.by_key: dict[str, str] = {}
        self.title_of: dict[str, str] = {}
        self._key_of: dict[str, str] = {}  # item_id -> normalised title
        for item_id, title in titles:
            self.title_of[item_id] = title
            key = self._key_of[item_id] = normalize(title)
            if not key:
                continue
            old = self.by_key.get(key)
            if old is None or pop.get(item_id, 0.0) > pop.get(old, 0.0):
                self.by_key[key] = item_id
        named: dict[str, list[str]] = {}
        for item_id, alias in aliases:
            key = normalize(alias)
            if key and key not in self.by_key and item_id not in named.setdefault(key, []):
                named[key].append(item_id)
        # an alias two items share names neither ('Galaxy S24' of two makers)
        self.by_key.update({key: ids[0] for key, ids in named.items() if len(ids) == 1})

    def _match_at(self, words: list[tuple[str, int, int]], i: int, min_chars: int) -> tuple[str, int] | None:
        for n in range(min(MAX_WORDS, len(words) - i), 0, -1):
            key = " ".join(w for w, _, _ in words[i:i + n])
            if n == 1 and len(key) < min_chars:
                continue
            for k in (key, key[4:] if key.startswith("the ") else None):
                if k and k in self.by_key:
                    return self.by_key[k], n
        return None

    def resolve_after(self, text: str, pos: int) -> tuple[str, int, int] | None:
        """The longest title starting at the first word at or after `pos` (as in 'like
        <title>'): (item_id, start, end)."""
        words = [w for w in words_with_spans(text) if w[1] >= pos]
        if not words:
            return None
        for start in range(min(2, len(words))):  # allow one filler word: 'like the ...'
            hit = self._match_at(words, start, min_chars=2)
            if hit:
                item, n = hit
                return item, words[start][1], words[start + n - 1][2]
        return None

    def quoted(self, text: str) -> list[tuple[str | None, str, int, int]]:
        """Every quoted span: (item_id or None if no such title, the text, start, end)."""
        out = []
        for m in _QUOTED.finditer(text):
            out.append((self.by_key.get(normalize(m.group(1))), m.group(1), m.start(), m.end()))
        return out

    def series(self, item_id: str) -> list[str]:
        """The item's sequels and episodes: titles that start with its whole title and go on
        with a number or after a colon ('Lord of the Rings' -> 'Lord of the Rings: The Two
        Towers', 'Toy Story' -> 'Toy Story 2'; never 'Up' -> 'Up in the Air')."""
        key = self._key_of.get(item_id, "")
        if len(key.split()) < 2:
            return []
        out = []
        for other, norm in self._key_of.items():
            if other == item_id or not norm.startswith(key + " "):
                continue
            rest = norm[len(key) + 1:].split()
            if rest[0][:1].isdigit() or rest[0] in _SEQUEL_WORDS or ":" in _bare(self.title_of[other]):
                out.append(other)
        return out

    def find_all(self, text: str) -> list[tuple[str, int, int]]:
        """Titles named anywhere in `text`. Conservative about one-word titles ('Heat',
        'Up'): they count only when capitalised mid-sentence and at least 5 letters."""
        words = words_with_spans(text)
        out, i = [], 0
        while i < len(words):
            hit = self._match_at(words, i, min_chars=1)
            if hit:
                item, n = hit
                start, end = words[i][1], words[i + n - 1][2]
                original = text[start:end]
                sentence_start = i == 0 or text[:start].rstrip()[-1:] in ".!?"
                if n > 1 or (len(original) >= 5 and original[:1].isupper() and not sentence_start):
                    out.append((item, start, end))
                    i += n
                    continue
            i += 1
        return out
