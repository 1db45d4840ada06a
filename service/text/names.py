"""People's and brands' names written in Chinese characters, matched to the catalog's
own name values by sound.

Chinese writes a Western name by sound, its parts joined by a middle dot: 斯蒂芬·金 is
Stephen King, 阿加莎·克里斯蒂 Agatha Christie. pypinyin reads the characters; both
sides become a consonant skeleton in broad sound classes (Chinese has no r/l contrast,
writes 'King' as jin, adds vowels to break up clusters); a weighted edit distance
compares them part by part. Chinese names and brands need no guessing: the pinyin of
刘慈欣 or 华为 is the catalog's 'Cixin Liu' or 'Huawei' letter for letter.

Nothing here is about one catalog: the names are the catalog's values that look like
names (`Vocabulary`), and the sound classes are those of Mandarin transliteration.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache

from pypinyin import Style, lazy_pinyin

DOTS = "·・•‧．"
_HAN = r"\u4e00-\u9fff"
_DOTTED = re.compile(rf"[{_HAN}A-Za-z]+(?:\s*[{DOTS}]\s*[{_HAN}A-Za-z]+)+")
_HAN_RUN = re.compile(rf"[{_HAN}]+")
MAX_PART_CHARS = 5  # a transliterated part: 斯蒂芬 (3), 克里斯蒂 (4), 亚历山大 (4)
MAX_DISTANCE = 0.25  # edits per sound
STRICT_DISTANCE = 0.12  # when the name's edges had to be guessed
MARGIN = 0.05  # the best name must beat any other by this much, else it is not said; measured on the name list in tests/unit/test_names.py

# sound classes: P b/p, T d/t, K g/k/hard c/q, J j/soft g/ch/sh/zh, S s/z/soft c/x, F f/v/ph,
# θ th, M, N (n, ng), L (l, r), H; glides and vowels drop out
_LATIN_RULES = [("sch", "S"), ("tch", "J"), ("chr", "KR"), ("ph", "F"), ("th", "θ"), ("sh", "J"), ("ch", "J"),
                ("ck", "K"),
                ("gh", ""), ("qu", "KW"), ("wr", "L"), ("kn", "N"), ("ng", "N"), ("x", "KS")]
_LATIN_CLASS = {"b": "P", "p": "P", "d": "T", "t": "T", "k": "K", "g": "K", "q": "K", "j": "J", "s": "S",
                "z": "S", "f": "F", "v": "F", "m": "M", "n": "N", "l": "L", "r": "L", "h": "H", "θ": "θ",
                "w": "W", "y": "Y"}
_PINYIN_INITIAL = {"b": "P", "p": "P", "d": "T", "t": "T", "g": "K", "k": "K", "j": "J", "q": "J", "x": "J",
                   "zh": "J", "ch": "J", "sh": "J", "z": "S", "c": "S", "s": "S", "f": "F", "m": "M", "n": "N",
                   "l": "L", "r": "L", "h": "H", "w": "W", "y": "Y"}
# how alike two classes sound through Mandarin: g/k before a vowel is often written j/q/x
# (加 jia for 'ga', 金 jin for 'King'), s and sh interchange (史 shi for 'Smith'), and
# 'th' is written with t, s or sh (托马斯 Thomas, 阿加莎 Agatha)
_NEAR = {frozenset("KJ"): 0.25, frozenset("JS"): 0.25, frozenset("θT"): 0.25, frozenset("θS"): 0.25,
         frozenset("θJ"): 0.25,
         frozenset("MN"): 0.5, frozenset("HK"): 0.5, frozenset("HF"): 0.5, frozenset("FP"): 0.5,
         frozenset("TS"): 0.5, frozenset("YJ"): 0.25, frozenset("WF"): 0.5}
# a vowel's nasal, a post-vowel r, an h, a glide: often not written on one side
_WEAK = {"N", "L", "H", "W", "Y"}


def latin_skeleton(word: str) -> str:
    """'Stephen' -> STFN, 'King' -> KN, 'Christie' -> KLSTT -> KLST."""
    w = re.sub(r"[^a-z]", "", word.casefold())
    for a, b in _LATIN_RULES:
        w = w.replace(a, b.lower() if b else "")
    w = re.sub(r"c(?=[eiy])", "s", w).replace("c", "k")
    w = re.sub(r"g(?=[eiy])", "j", w)
    w = re.sub(r"[wy](?![aeiou])", "a", w)  # w, y sound as consonants only before a vowel
    out = []
    for ch in w:
        cls = _LATIN_CLASS.get(ch)
        if cls and (not out or out[-1] != cls):
            out.append(cls)
        elif not cls:
            out.append("")  # a vowel separates doubled classes ('Hannah' keeps one N, 'Anna' one)
    return "".join(out)


@lru_cache(maxsize=4096)
def pinyin_skeleton(han: str) -> str:
    """'斯蒂芬' -> sidifen -> STFN; '金' -> jin -> JN."""
    out = []
    for syl in lazy_pinyin(han, style=Style.NORMAL, errors="ignore"):
        initial = next((i for i in ("zh", "ch", "sh") if syl.startswith(i)), syl[:1])
        cls = _PINYIN_INITIAL.get(initial, "")
        if syl == "er":
            cls = "L"  # 尔 writes both 'l' (Neil) and 'r' (Oliver)
        if cls:  # each syllable's initial is a sound of its own: 乔治 (qiao zhi) is 'George'
            out.append(cls)
        if syl.endswith(("n", "ng")) and syl != "n":
            out.append("N")
    return "".join(out)


def _cost(a: str, b: str) -> float:
    if a == b:
        return 0.0
    return _NEAR.get(frozenset(a + b), 1.0)


def distance(a: str, b: str) -> float:
    """Edit distance between two skeletons; dropping a weak sound costs 0.3."""
    prev = [0.0]
    for ch in b:
        prev.append(prev[-1] + (0.3 if ch in _WEAK else 1.0))
    for ca in a:
        cur = [prev[0] + (0.3 if ca in _WEAK else 1.0)]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + (0.3 if ca in _WEAK else 1.0), cur[j - 1] + (0.3 if cb in _WEAK else 1.0),
                           prev[j - 1] + _cost(ca, cb)))
        prev = cur
    return prev[-1]


def _part_cost(written: str, word: str) -> tuple[float, int] | None:
    """(edit distance, skeleton length) of one written part against one word of a
    catalog name; None when they cannot be the same (a Han part for an initial, an
    initial for a different letter, or more than half the sounds wrong)."""
    initial = len(word.strip(".")) == 1
    if written.isascii():  # an initial written as a letter: J·K·罗琳
        return (0.0, 1) if initial and written.casefold() == word.strip(".").casefold() else None
    if initial:
        return None
    a, b = pinyin_skeleton(written), latin_skeleton(word)
    n = max(len(a), len(b), 1)
    d = distance(a, b)
    return (d, n) if d <= 0.5 * n else None


def _name_distance(parts: list[str], words: list[str]) -> float | None:
    """Edits per sound over the whole name, or None if any part cannot match."""
    total = length = 0.0
    for p, w in zip(parts, words):
        c = _part_cost(p, w)
        if c is None:
            return None
        total, length = total + c[0], length + c[1]
    return total / length


@dataclass(frozen=True)
class NameHit:
    attribute: str
    value: str
    start: int
    end: int
    distance: float


class NameIndex:
    """The catalog values that look like names, ready to be heard in Chinese."""

    def __init__(self, names: list[tuple[str, str]], edges: list[str] = (),
                 weight: dict[tuple[str, str], float] | None = None) -> None:
        """names: (attribute, value); edges: words that end a name in a request;
        weight: how much of the catalog a name covers (items), for telling apart names
        that sound alike."""
        self.weight = weight or {}
        words = sorted({w for w in edges if w}, key=len, reverse=True)
        self._edges = re.compile("|".join(map(re.escape, words))) if words else None
        self.by_parts: dict[int, list[tuple[str, str, list[str]]]] = defaultdict(list)
        self.by_letters: dict[str, set[tuple[str, str]]] = defaultdict(set)
        for attribute, value in names:
            parts = [p for p in re.split(r"[\s.]+", value) if p]
            if not parts or len(parts) > 4:
                continue
            self.by_parts[len(parts)].append((attribute, value, parts))
            letters = ["".join(ch for ch in p.casefold() if ch.isalpha()) for p in parts]
            for order in {tuple(letters), tuple(reversed(letters))}:  # 'Cixin Liu' is 刘慈欣 (liu cixin)
                key = "".join(order)
                if len(key) >= 5 and key.isascii():
                    self.by_letters[key].add((attribute, value))

    def find(self, text: str) -> list[NameHit]:
        hits = self._dotted(text)
        taken = [(h.start, h.end) for h in hits]
        hits += [h for h in self._exact(text) if not any(a < h.end and h.start < b for a, b in taken)]
        return hits

    # -- 斯蒂芬·金: parts joined by a middle dot, matched by sound ---------------------------
    def _dotted(self, text: str) -> list[NameHit]:
        out = []
        for m in _DOTTED.finditer(text):
            raw = re.split(rf"\s*[{DOTS}]\s*", m.group())
            # the run carries the words around the name (我想读斯蒂芬·金的书): cut at the
            # language's edge words, and only without any try shorter edges, more strictly
            left, right = self._after_edge(raw[0]), self._before_edge(raw[-1])
            ranked = self._rank([left, *raw[1:-1], right])
            if not ranked or ranked[0][0] > MAX_DISTANCE:
                ranked = sorted(r for lt in _tails(left) for rt in _heads(right)
                                for r in self._rank([lt, *raw[1:-1], rt]) if r[0] <= STRICT_DISTANCE)
            best = _unambiguous(ranked, self.weight)
            if best:
                d, _, attribute, value, parts = best
                start = m.start() + m.group().index(parts[0]) if raw[0] else m.start()
                end = m.end() - (len(raw[-1]) - len(parts[-1]))
                out.append(NameHit(attribute, value, start, end, d))
        return out

    def _rank(self, parts: list[str]) -> list[tuple[float, int, str, str, list[str]]]:
        """(distance, -characters covered, attribute, value, parts) for every name these
        parts may write, best first."""
        if not all(parts):
            return []
        covered = sum(len(p) for p in parts)
        out = []
        for attribute, value, words in self._with_parts(len(parts)):
            ds = [d for ws in _alignments(words, len(parts)) if (d := _name_distance(parts, ws)) is not None]
            if ds and min(ds) <= MAX_DISTANCE:
                out.append((min(ds), -covered, attribute, value, parts))
        return sorted(out)

    def _after_edge(self, s: str) -> str:
        cut = [m.end() for m in self._edges.finditer(s)] if self._edges else []
        return s[cut[-1]:] if cut else s

    def _before_edge(self, s: str) -> str:
        m = self._edges.search(s) if self._edges else None
        return s[: m.start()] if m else s

    def _with_parts(self, n: int):
        for k in range(n, 5):
            yield from self.by_parts.get(k, [])

    # -- 刘慈欣, 华为: the pinyin is the catalog's spelling ----------------------------------------
    def _exact(self, text: str) -> list[NameHit]:
        out = []
        for m in _HAN_RUN.finditer(text):
            run = m.group()
            syl = lazy_pinyin(run, style=Style.NORMAL, errors="ignore")
            if len(syl) != len(run):
                continue
            i = 0
            while i < len(run):
                for n in range(min(4, len(run) - i), 1, -1):
                    owners = self.by_letters.get("".join(syl[i:i + n]))
                    if owners:
                        out += [NameHit(a, v, m.start() + i, m.start() + i + n, 0.0) for a, v in sorted(owners)]
                        i += n - 1
                        break
                i += 1
        return out


def _unambiguous(ranked: list[tuple], weight: dict) -> tuple | None:
    """The best candidate, if no other name comes within MARGIN of it; among names that
    do, the one covering at least twice as much of the catalog as any other (简·奥斯汀
    sounds like both Jane Austen and Jon Stone: a reader means the one with the books)."""
    if not ranked:
        return None
    close = [r for r in ranked if r[0] - ranked[0][0] < MARGIN]
    by_value: dict[str, tuple] = {}
    for r in close:
        by_value.setdefault(r[3], r)
    if len(by_value) == 1:
        return ranked[0]
    heavy = sorted(by_value.values(), key=lambda r: weight.get((r[2], r[3]), 0.0), reverse=True)
    w0, w1 = (weight.get((r[2], r[3]), 0.0) for r in heavy[:2])
    return heavy[0] if w0 >= 2 * w1 and w0 > 0 else None


def _alignments(words: list[str], n: int) -> list[list[str]]:
    """Which n of a name's words a written name of n parts may stand for: all of them, the
    last n (加西亚·马尔克斯 for Gabriel García Márquez), or the first and the last
    (斯蒂芬·金 for Stephen Edwin King)."""
    if len(words) == n:
        return [words]
    return [words[-n:], words[: n - 1] + words[-1:]]


def _tails(s: str) -> list[str]:
    """The last 1..MAX_PART_CHARS characters of a Han run (a Latin initial stays whole)."""
    if s.isascii():
        return [s]
    return [s[-n:] for n in range(1, min(MAX_PART_CHARS, len(s)) + 1)]


def _heads(s: str) -> list[str]:
    if s.isascii():
        return [s]
    return [s[:n] for n in range(1, min(MAX_PART_CHARS, len(s)) + 1)]
