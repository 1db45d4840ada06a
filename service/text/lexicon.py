"""The multilingual lexicon (lexicon.yaml): finds attribute and mood words, negations,
'like ...' cues and ordinals in a message, in English, French, Spanish and Chinese.

Matching is on casefolded text with word boundaries (Chinese: plain substrings). The
words of the message's language and English are both used, since English genre words
("thriller", "western") are common in other languages too."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

PATH = Path(__file__).with_name("lexicon.yaml")
_BOUNDARY = re.compile(r"[,.;:!?，。；：！？、…\n]")
# nothing but particles, spaces and symbols up to the clause's end: '折叠屏他不要。', '苹果就不用了吧',
# 'el terror no me va nada 😅 ¿...'
_CLAUSE_END = re.compile(r"(?:[了吧啊呀的]|[^\w])*?(?:[,.;:!?，。；：！？、…\n¿¡]|$)")
_OR_NOT = re.compile(r"\b(?:o|ou|or)\s*$")  # '¿de terror o no?' asks, it does not negate

Spans = list[tuple[int, int]] | tuple[tuple[int, int], ...]  # (start, end) character spans

_NUMBER_AFTER = re.compile(r"\s*[$€£¥]?\s*\d")
_NUMBER_BEFORE = re.compile(r"\d[^\d]{0,10}$")


@dataclass(frozen=True)
class Mention:
    concept: str
    start: int
    end: int
    negated: bool


def _alternation(words: list[str], cjk: bool) -> re.Pattern | None:
    words = sorted({w.casefold() for w in words if w}, key=len, reverse=True)
    if not words:
        return None
    body = "|".join(re.escape(w) for w in words)
    return re.compile(f"({body})" if cjk else rf"(?<![\w-])({body})(?![\w-])")


class Lexicon:
    def __init__(self, data: dict) -> None:
        self.concepts: dict[str, dict] = data["concepts"]
        self.data = data
        self._patterns: dict[tuple[str, str], re.Pattern | None] = {}
        self._function: dict[str, frozenset[str]] = {}
        self._word_to_concept: dict[tuple[str, str], str] = {}
        for name, c in self.concepts.items():
            for lang in ("en", "fr", "es", "zh"):
                for w in c.get(lang, []):
                    self._word_to_concept[(lang, w.casefold())] = name

    def _langs(self, lang: str) -> tuple[str, ...]:
        return (lang,) if lang == "en" else (lang, "en")

    def _pattern(self, section: str, lang: str) -> re.Pattern | None:
        key = (section, lang)
        if key not in self._patterns:
            self._patterns[key] = self._build(section, lang)
        return self._patterns[key]

    def _build(self, section: str, lang: str) -> re.Pattern | None:
        if section == "concepts":  # every language's words: a Spanish genre in a message read as French still counts
            words = [w for c in self.concepts.values() for lg in ("en", "fr", "es", "zh") for w in c.get(lg, [])
                     if (lg == "zh") == (lang == "zh")]
        elif section in ("like", "additive"):  # 'parecido a Toy Story' in a message read as English still counts
            words = [w for lg in ("en", "fr", "es", "zh") for w in self.data.get(section, {}).get(lg, [])
                     if (lg == "zh") == (lang == "zh") or lg == lang]
        elif section in ("ordinals", "relative"):
            words = [w for o in self.data[section].values() for lg in self._langs(lang) for w in o.get(lg, [])]
        else:
            words = [w for lg in self._langs(lang) for w in self.data[section].get(lg, [])]
        return _alternation(words, cjk=lang == "zh")

    def _find(self, section: str, text: str, lang: str) -> list[re.Match]:
        pat = self._pattern(section, lang)
        return list(pat.finditer(text.casefold())) if pat else []

    def label(self, concept: str, lang: str) -> str:
        c = self.concepts[concept]
        return (c.get(lang) or c["en"])[0]

    def concept_of(self, word: str, lang: str) -> str | None:
        for lg in (*self._langs(lang), "en", "fr", "es", "zh"):
            hit = self._word_to_concept.get((lg, word.casefold()))
            if hit:
                return hit
        return None

    def mood_excludes(self, mood: str) -> list[str]:
        """The concepts a mood drops ('lighter' -> horror, thriller, ...)."""
        return [self.concept_of(v, "en") or v.casefold() for v in self.concepts[mood].get("exclude", [])]

    def _negations(self, text: str, lang: str, names: Spans = ()) -> tuple[list[tuple[int, int]], list[int]]:
        """(negation word spans, clause break positions, sorted). Negation words inside a
        question form ('有没有', 'is there') or a name (`names`: the brand 'Nothing', the
        film 'Nothing in Common') do not negate; a break word inside a negation ('要' in
        '不要') breaks nothing."""
        questions = [(m.start(), m.end()) for m in self._find("questions", text, lang)]
        lookalikes = [(m.start(), m.end()) for m in self._find("negation_lookalikes", text, lang)]  # '别的': other
        negs = [(m.start(), m.end()) for m in self._find("negation", text, lang)
                if not any(a <= m.start() < b for a, b in (*questions, *names, *lookalikes))]
        breaks = sorted([m.start() for m in _BOUNDARY.finditer(text.casefold())] + [
            m.start() for m in self._find("clause_breaks", text, lang)
            if not any(a <= m.start() < b for a, b in negs)])
        return negs, breaks

    def _after(self, text: str, lang: str) -> list[tuple[int, int]]:
        """Negations that follow what they govern ('托尔金的都看过了': read already)."""
        low = text.casefold()
        final = [(m.start(), m.end()) for m in self._find("negation_final", text, lang)
                 if _CLAUSE_END.match(low, m.end()) and not _OR_NOT.search(low, 0, m.start())]
        return sorted([(m.start(), m.end()) for m in self._find("negation_after", text, lang)] + final)

    def clause_breaks(self, text: str, lang: str) -> list[int]:
        """Where clauses end: punctuation and the clause break words ('but', 'et', '但')."""
        return self._negations(text, lang)[1]

    def negation_scope(self, text: str, lang: str, names: Spans = ()):
        """A function pos -> is the word at pos negated: a negation word earlier in the
        same clause (a comma, 'but'/'mais'/'pero'/'但' ... end its reach), or one that
        follows what it governs later in it ('马丁的都看过了')."""
        negs, breaks = self._negations(text, lang, names)
        after = self._after(text, lang)
        fewer = [m.end() for m in self._find("fewer", text, lang)]

        def negated(pos: int) -> bool:
            clause_start = max([b for b in breaks if b < pos], default=-1)
            clause_end = min([b for b in breaks if b > pos], default=len(text))
            return any(clause_start < n < pos for n, _end in negs) or any(pos < a < clause_end for a, _e in after) \
                or any(0 <= pos - e <= 1 and not text[e:pos].strip() for e in fewer)  # 'less <word>'
        return negated

    def function_words(self, lang: str) -> frozenset[str]:
        """The grammar words of `lang` and English (negations, clause breaks, 'like' cues,
        questions, anaphora, affection, comparisons): never a catalog value."""
        if lang not in self._function:
            words = set()
            for section in ("negation", "clause_breaks", "like", "questions", "anaphora", "affection", "additive",
                            "any_value", "not_necessarily", "has_it"):
                for lg in self._langs(lang):
                    words.update(w.casefold() for w in self.data.get(section, {}).get(lg, []))
            for sides in self.data.get("comparisons", {}).values():  # 'max', 'au moins', '以上'
                for forms in sides.values():
                    for lg in self._langs(lang):
                        words.update(w.casefold() for w in forms.get(lg, []))
            self._function[lang] = frozenset(words)
        return self._function[lang]

    def direction(self, text: str, lang: str) -> str | None:
        """'high' or 'low' when `text` (a few words around an attribute) says which way
        ('big', 'grande', '大', 'lightweight'); None when it says neither or both."""
        found = set()
        for word in self.data.get("direction_neutral", {}).get(lang, []):  # '多少' (how much) says neither way
            text = text.replace(word, " ")
        for way in ("high", "low"):
            key = (f"directions.{way}", lang)
            if key not in self._patterns:
                spec = self.data.get("directions", {}).get(way, {})
                self._patterns[key] = _alternation([w for lg in self._langs(lang) for w in spec.get(lg, [])],
                                                   cjk=lang == "zh")
            pattern = self._patterns[key]
            if pattern is not None and pattern.search(text.casefold()):
                found.add(way)
        return found.pop() if len(found) == 1 else None

    def negated_spans(self, text: str, lang: str, names: Spans = ()) -> list[tuple[int, int]]:
        """Each negation word with what it governs: up to the end of its clause
        ('a comedy but nothing animated' -> 'nothing animated')."""
        negs, breaks = self._negations(text, lang, names)
        return [(a, next((x for x in breaks if x >= b), len(text))) for a, b in negs] + [
            (max([x + 1 for x in breaks if x < a], default=0), b) for a, b in self._after(text, lang)]

    def mentions(self, text: str, lang: str, masked: Spans = (), names: Spans = ()) -> list[Mention]:
        """Concept mentions, each marked negated when a negation word precedes it in the
        same clause."""
        negated = self.negation_scope(text, lang, names)
        out = []
        for m in self._find("concepts", text, lang):
            if any(a <= m.start() < b for a, b in masked):
                continue
            concept = self.concept_of(m.group(1), lang)
            if concept is None:
                continue
            out.append(Mention(concept, m.start(), m.end(), negated(m.start())))
        return out

    def starts_with(self, section: str, text: str, lang: str) -> int:
        """Length of the `section` word `text` starts with (after spaces), 0 if none."""
        stripped = text.lstrip()
        pad = len(text) - len(stripped)
        for m in self._find(section, stripped, lang):
            if m.start() == 0:
                return pad + m.end()
        return 0

    def spans(self, section: str, text: str, lang: str) -> list[tuple[int, int]]:
        return [(m.start(), m.end()) for m in self._find(section, text, lang)]

    def like_cues(self, text: str, lang: str) -> list[int]:
        """Positions right after each 'like ...' cue, except a cue that starts a comparison
        next to a number ('como mucho 900 €', '12 GB como mínimo': at most, at least;
        'something like Toy Story' is a cue)."""
        low = text.casefold()
        key = ("comparisons.phrases", lang)
        if key not in self._patterns:  # every comparison of several words, compiled once
            phrases = {w.casefold() for side in self.data.get("comparisons", {}).values()
                       for forms in side.values() for w in forms.get(lang, []) if " " in w}
            self._patterns[key] = re.compile("|".join(rf"(?<!\w){re.escape(w)}(?!\w)"
                                                      for w in sorted(phrases, key=len, reverse=True))) if phrases else None
        pattern = self._patterns[key]
        spans = [(m.start(), m.end()) for m in (pattern.finditer(low) if pattern else ())
                 if _NUMBER_AFTER.match(low, m.end()) or _NUMBER_BEFORE.search(low[max(0, m.start() - 12):m.start()])]
        spans += [(m.start(), m.end()) for m in self._find("like_lookalikes", text, lang)]  # 'vous avez quoi comme recettes'
        return [m.end() for m in self._find("like", text, lang)
                if not any(a <= m.start() < b for a, b in spans)]

    def implied_quantities(self, text: str, lang: str) -> list[tuple[str, str, int, int]]:
        """Adjectives that measure an unnamed quantity ('light', 'léger', '轻便'):
        (the quantity's English name, 'high' | 'low', start, end)."""
        out = []
        low = text.casefold()
        for noun, sides in self.data.get("implied_quantities", {}).items():
            for way, forms in sides.items():
                words = [w for lg in self._langs(lang) for w in forms.get(lg, [])]
                pat = _alternation(words, cjk=lang == "zh")
                if pat is not None:
                    out += [(noun, way, m.start(), m.end()) for m in pat.finditer(low)]
        return sorted(out, key=lambda x: x[2])

    def relatives(self, text: str, lang: str) -> list[tuple[str, str, int, int]]:
        """Comparisons with an item ('cheaper', 'plus récent'): (role, 'lower' | 'higher',
        start, end)."""
        out = []
        for m in self._find("relative", text, lang):
            word = m.group(1)
            for key, forms in self.data["relative"].items():
                if any(word == f.casefold() for lg in self._langs(lang) for f in forms.get(lg, [])):
                    role, side = key.rsplit("_", 1)
                    out.append((role, side, m.start(), m.end()))
                    break
        return out

    def ordinals(self, text: str, lang: str) -> list[tuple[int, int, int]]:
        """Ordinal references as (n, start, end): 'the second one' -> 2, 'the last one' -> -1."""
        out = []
        for m in self._find("ordinals", text, lang):
            word = m.group(1)
            for n, forms in self.data["ordinals"].items():
                if any(word == w.casefold() for lg in self._langs(lang) for w in forms.get(lg, [])):
                    out.append((int(n), m.start(), m.end()))
                    break
        return out


@lru_cache(maxsize=1)
def lexicon() -> Lexicon:
    return Lexicon(yaml.safe_load(PATH.read_text(encoding="utf-8")))
